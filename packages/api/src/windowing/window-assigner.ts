// WindowAssigner: puts each element into zero or more windows (Flink's WindowAssigner and
// MergingWindowAssigner). Assigners are stateless and shared by every key of a subtask.
import type { Trigger } from './trigger.ts';
import type { Window } from './window.ts';

/** What an assigner may ask the operator. */
export interface WindowAssignerContext {
  getCurrentProcessingTime(): number;
}

/** Assigns elements to windows. */
export interface WindowAssigner<T, W extends Window> {
  /**
   * The windows of an element. `timestamp` is the record's event time for event-time assigners
   * (the operator rejects records without one); processing-time assigners read the clock instead.
   */
  assignWindows(element: T, timestamp: number, ctx: WindowAssignerContext): readonly W[];
  /** The trigger used unless WindowedStream.trigger() replaces it. */
  getDefaultTrigger(): Trigger<T, W>;
  /** Whether windows are defined on event time (and are subject to watermarks and lateness). */
  isEventTime(): boolean;
  /** JSON naming the assigner and its parameters, part of the job graph hash. */
  describe(): unknown;
}

/** An assigner whose windows can merge as elements arrive (session windows). */
export interface MergingWindowAssigner<T, W extends Window> extends WindowAssigner<T, W> {
  /** Reports each group of windows to merge with the window that replaces them. */
  mergeWindows(windows: readonly W[], callback: (toBeMerged: readonly W[], mergeResult: W) => void): void;
}

/** Whether `a` merges windows. */
export function isMergingWindowAssigner<T, W extends Window>(
  a: WindowAssigner<T, W>,
): a is MergingWindowAssigner<T, W> {
  return typeof (a as Partial<MergingWindowAssigner<T, W>>).mergeWindows === 'function';
}

/** Throws a RangeError unless `v` is a whole number of milliseconds satisfying `ok`. */
export function checkMillis(what: string, v: number, ok: (v: number) => boolean, rule: string): void {
  if (!Number.isSafeInteger(v) || !ok(v)) throw new RangeError(`${what} = ${v}: ${rule}`);
}
