// Sliding windows: windows of `size` ms starting every `slide` ms, so an element belongs to about
// size/slide windows (Flink's SlidingEventTimeWindows and SlidingProcessingTimeWindows). The window
// operator evaluates incremental aggregations over them by slicing (see the runtime's
// windowing/slicing.ts), so it does not keep size/slide copies of each aggregate.
import { EventTimeTrigger } from './event-time-trigger.ts';
import { ProcessingTimeTrigger } from './processing-time-trigger.ts';
import type { Trigger } from './trigger.ts';
import { checkMillis, type WindowAssigner, type WindowAssignerContext } from './window-assigner.ts';
import { TimeWindow } from './window.ts';

function check(name: string, size: number, slide: number, offset: number): void {
  checkMillis(`${name} size`, size, (v) => v > 0, 'the window size must be a positive integer (ms)');
  checkMillis(`${name} slide`, slide, (v) => v > 0, 'the slide must be a positive integer (ms)');
  checkMillis(
    `${name} offset`,
    offset,
    (v) => Math.abs(v) < slide,
    'the offset must satisfy |offset| < slide',
  );
}

/** The windows containing `timestamp`, latest start first (Flink's order). */
export function slidingWindowsOf(
  timestamp: number,
  size: number,
  slide: number,
  offset: number,
): TimeWindow[] {
  const windows: TimeWindow[] = [];
  const lastStart = TimeWindow.getWindowStartWithOffset(timestamp, offset, slide);
  for (let start = lastStart; start > timestamp - size; start -= slide) {
    windows.push(new TimeWindow(start, start + size));
  }
  return windows;
}

/** Sliding windows of `size` ms every `slide` ms of event time. */
export class SlidingEventTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  readonly size: number;
  readonly slide: number;
  readonly offset: number;
  private constructor(size: number, slide: number, offset: number) {
    check('SlidingEventTimeWindows', size, slide, offset);
    this.size = size;
    this.slide = slide;
    this.offset = offset;
  }
  /** Windows [k*slide + offset, k*slide + offset + size). */
  static of(size: number, slide: number, offset = 0): SlidingEventTimeWindows {
    return new SlidingEventTimeWindows(size, slide, offset);
  }
  assignWindows(_element: unknown, timestamp: number): readonly TimeWindow[] {
    return slidingWindowsOf(timestamp, this.size, this.slide, this.offset);
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }
  isEventTime(): boolean {
    return true;
  }
  describe(): unknown {
    return { kind: 'sliding', time: 'event', size: this.size, slide: this.slide, offset: this.offset };
  }
}

/** Sliding windows of `size` ms every `slide` ms of processing time. */
export class SlidingProcessingTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  readonly size: number;
  readonly slide: number;
  readonly offset: number;
  private constructor(size: number, slide: number, offset: number) {
    check('SlidingProcessingTimeWindows', size, slide, offset);
    this.size = size;
    this.slide = slide;
    this.offset = offset;
  }
  /** Windows [k*slide + offset, k*slide + offset + size) of the TaskManager's clock. */
  static of(size: number, slide: number, offset = 0): SlidingProcessingTimeWindows {
    return new SlidingProcessingTimeWindows(size, slide, offset);
  }
  assignWindows(_element: unknown, _timestamp: number, ctx: WindowAssignerContext): readonly TimeWindow[] {
    return slidingWindowsOf(ctx.getCurrentProcessingTime(), this.size, this.slide, this.offset);
  }
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
  describe(): unknown {
    return { kind: 'sliding', time: 'processing', size: this.size, slide: this.slide, offset: this.offset };
  }
}
