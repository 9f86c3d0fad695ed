// Tumbling windows: fixed-size, non-overlapping, aligned to the epoch plus an offset (Flink's
// TumblingEventTimeWindows and TumblingProcessingTimeWindows).
import { EventTimeTrigger } from './event-time-trigger.ts';
import { ProcessingTimeTrigger } from './processing-time-trigger.ts';
import type { Trigger } from './trigger.ts';
import { checkMillis, type WindowAssigner, type WindowAssignerContext } from './window-assigner.ts';
import { TimeWindow } from './window.ts';

function check(name: string, size: number, offset: number): void {
  checkMillis(`${name} size`, size, (v) => v > 0, 'the window size must be a positive integer (ms)');
  checkMillis(`${name} offset`, offset, (v) => Math.abs(v) < size, 'the offset must satisfy |offset| < size');
}

/** Tumbling windows of `size` ms of event time. */
export class TumblingEventTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  readonly size: number;
  readonly offset: number;
  private constructor(size: number, offset: number) {
    check('TumblingEventTimeWindows', size, offset);
    this.size = size;
    this.offset = offset;
  }
  /** Windows [k*size + offset, (k+1)*size + offset). */
  static of(size: number, offset = 0): TumblingEventTimeWindows {
    return new TumblingEventTimeWindows(size, offset);
  }
  assignWindows(_element: unknown, timestamp: number): readonly TimeWindow[] {
    const start = TimeWindow.getWindowStartWithOffset(timestamp, this.offset, this.size);
    return [new TimeWindow(start, start + this.size)];
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
  describe(): unknown {
    return { kind: 'tumbling', time: 'event', size: this.size, offset: this.offset };
  }
}

/** Tumbling windows of `size` ms of processing time. */
export class TumblingProcessingTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  readonly size: number;
  readonly offset: number;
  private constructor(size: number, offset: number) {
    check('TumblingProcessingTimeWindows', size, offset);
    this.size = size;
    this.offset = offset;
  }
  /** Windows [k*size + offset, (k+1)*size + offset) of the TaskManager's clock. */
  static of(size: number, offset = 0): TumblingProcessingTimeWindows {
    return new TumblingProcessingTimeWindows(size, offset);
  }
  assignWindows(_element: unknown, _timestamp: number, ctx: WindowAssignerContext): readonly TimeWindow[] {
    const now = ctx.getCurrentProcessingTime();
    const start = TimeWindow.getWindowStartWithOffset(now, this.offset, this.size);
    return [new TimeWindow(start, start + this.size)];
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
  describe(): unknown {
    return { kind: 'tumbling', time: 'processing', size: this.size, offset: this.offset };
  }
}
