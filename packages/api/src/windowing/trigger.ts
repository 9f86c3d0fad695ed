// Triggers decide when a window's contents are evaluated (FIRE) and when they are dropped (PURGE).
// The WindowOperator calls a trigger once per (element, window), on timers it registered, when
// windows merge, and when a window is cleaned up; always on the task thread, for the current key.
import type { KeyedStateStore, StateDescriptor } from '../state.ts';
import type { Window } from './window.ts';

/** What a trigger asks the WindowOperator to do with a window. */
export const TriggerResult = {
  /** Nothing. */
  CONTINUE: 'CONTINUE',
  /** Evaluate the window function and emit; keep the contents. */
  FIRE: 'FIRE',
  /** Drop the window's contents without emitting. */
  PURGE: 'PURGE',
  /** Evaluate and emit, then drop the contents. */
  FIRE_AND_PURGE: 'FIRE_AND_PURGE',
} as const;
/** One of the TriggerResult values. */
export type TriggerResult = (typeof TriggerResult)[keyof typeof TriggerResult];

/** Whether `r` evaluates the window. */
export function isFire(r: TriggerResult): boolean {
  return r === 'FIRE' || r === 'FIRE_AND_PURGE';
}
/** Whether `r` drops the window's contents. */
export function isPurge(r: TriggerResult): boolean {
  return r === 'PURGE' || r === 'FIRE_AND_PURGE';
}

/**
 * What a trigger can do: read time, (de)register timers for the current key and window, and keep
 * state. The state getters return state scoped to the current key and window (Flink's partitioned
 * state), so a trigger keeps one value per window.
 */
export interface TriggerContext extends KeyedStateStore {
  getCurrentProcessingTime(): number;
  /** The operator's event-time watermark (MIN_WATERMARK before the first). */
  getCurrentWatermark(): number;
  registerProcessingTimeTimer(time: number): void;
  registerEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
}

/** TriggerContext during a merge: can fold the merged windows' state into the result window. */
export interface OnMergeContext extends TriggerContext {
  /** Merges the state `descriptor` of every merged window into the state of the result window. */
  mergePartitionedState(descriptor: StateDescriptor): void;
}

/**
 * Decides when a window fires. Flink's Trigger: a custom trigger is any object with these methods.
 * Triggers must be stateless objects (state goes through the context) because one instance serves
 * every key and window of a subtask.
 */
export interface Trigger<T, W extends Window> {
  /** Called for every element added to `window`. */
  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult;
  /** A processing-time timer registered through the context fired. */
  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /** An event-time timer registered through the context fired. */
  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Whether the trigger supports merging windows (session windows require it). */
  canMerge?(): boolean;
  /** `window` is the result of merging windows whose trigger state the context can merge. */
  onMerge?(window: W, ctx: OnMergeContext): void;
  /** The window is being dropped: delete its timers and state. */
  clear(window: W, ctx: TriggerContext): void;
  /** JSON naming the trigger and its parameters, part of the job graph hash. */
  describe?(): unknown;
}

/** The JSON description of any trigger (custom ones are described by their class name). */
export function describeTrigger(trigger: Trigger<unknown, Window>): unknown {
  if (trigger.describe !== undefined) return trigger.describe();
  const name = (trigger as { constructor?: { name?: string } }).constructor?.name;
  return { kind: 'custom', name: name === undefined || name === 'Object' ? 'custom' : name };
}
