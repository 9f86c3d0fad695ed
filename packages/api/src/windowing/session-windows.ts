// Session windows: each element opens [t, t + gap); overlapping or touching windows merge, so a
// session ends after `gap` ms without elements (Flink's EventTimeSessionWindows,
// ProcessingTimeSessionWindows and their dynamic-gap variants).
import { EventTimeTrigger } from './event-time-trigger.ts';
import { ProcessingTimeTrigger } from './processing-time-trigger.ts';
import type { Trigger } from './trigger.ts';
import { checkMillis, type MergingWindowAssigner, type WindowAssignerContext } from './window-assigner.ts';
import { TimeWindow } from './window.ts';

/** Extracts the session gap (ms) from an element, for sessions whose gap depends on the data. */
export type SessionWindowTimeGapExtractor<T> = (element: T) => number;

function checkGap(name: string, gap: number): void {
  checkMillis(`${name} gap`, gap, (v) => v > 0, 'the session gap must be a positive integer (ms)');
}

abstract class SessionWindows<T> implements MergingWindowAssigner<T, TimeWindow> {
  readonly #gap: number | SessionWindowTimeGapExtractor<T>;
  readonly #name: string;
  protected constructor(name: string, gap: number | SessionWindowTimeGapExtractor<T>) {
    if (typeof gap === 'number') checkGap(name, gap);
    this.#gap = gap;
    this.#name = name;
  }
  protected windowAt(element: T, start: number): TimeWindow[] {
    let gap = this.#gap;
    if (typeof gap !== 'number') {
      gap = gap(element);
      // Flink rejects non-positive dynamic gaps at assignment: the element would get an empty window.
      checkGap(`${this.#name} (dynamic)`, gap);
    }
    return [new TimeWindow(start, start + gap)];
  }
  abstract assignWindows(element: T, timestamp: number, ctx: WindowAssignerContext): readonly TimeWindow[];
  abstract getDefaultTrigger(): Trigger<T, TimeWindow>;
  abstract isEventTime(): boolean;
  mergeWindows(
    windows: readonly TimeWindow[],
    callback: (toBeMerged: readonly TimeWindow[], mergeResult: TimeWindow) => void,
  ): void {
    TimeWindow.mergeWindows(windows, callback);
  }
  describe(): unknown {
    const g = this.#gap;
    return {
      kind: 'session',
      time: this.isEventTime() ? 'event' : 'processing',
      gap: typeof g === 'number' ? g : 'dynamic',
    };
  }
}

/** Sessions of event time. */
export class EventTimeSessionWindows<T = unknown> extends SessionWindows<T> {
  private constructor(gap: number | SessionWindowTimeGapExtractor<T>) {
    super('EventTimeSessionWindows', gap);
  }
  /** Sessions that close after `gap` ms without elements. */
  static withGap<T = unknown>(gap: number): EventTimeSessionWindows<T> {
    return new EventTimeSessionWindows<T>(gap);
  }
  /** Sessions whose gap each element chooses. */
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): EventTimeSessionWindows<T> {
    return new EventTimeSessionWindows<T>(extractor);
  }
  assignWindows(element: T, timestamp: number): readonly TimeWindow[] {
    return this.windowAt(element, timestamp);
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
}

/** Sessions of processing time. */
export class ProcessingTimeSessionWindows<T = unknown> extends SessionWindows<T> {
  private constructor(gap: number | SessionWindowTimeGapExtractor<T>) {
    super('ProcessingTimeSessionWindows', gap);
  }
  /** Sessions that close after `gap` ms without elements. */
  static withGap<T = unknown>(gap: number): ProcessingTimeSessionWindows<T> {
    return new ProcessingTimeSessionWindows<T>(gap);
  }
  /** Sessions whose gap each element chooses. */
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): ProcessingTimeSessionWindows<T> {
    return new ProcessingTimeSessionWindows<T>(extractor);
  }
  assignWindows(element: T, _timestamp: number, ctx: WindowAssignerContext): readonly TimeWindow[] {
    return this.windowAt(element, ctx.getCurrentProcessingTime());
  }
  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
}
