// Flink's ContinuousEventTimeTrigger: early results every `interval` ms of event time, plus the
// final firing at the window's end. The next fire time is window state ("fire-time", the minimum).
import { StateDescriptors, type ReducingState } from '../state.ts';
import type { Trigger, TriggerContext, OnMergeContext, TriggerResult } from './trigger.ts';
import type { TimeWindow } from './window.ts';

const FIRE_TIME = StateDescriptors.reducing<number>('fire-time', (a, b) => Math.min(a, b));

/** Fires every `interval` ms of event time and when the watermark passes the window's end. */
export class ContinuousEventTimeTrigger implements Trigger<unknown, TimeWindow> {
  readonly interval: number;
  private constructor(interval: number) {
    this.interval = interval;
  }
  /** Fires every `interval` ms of event time. */
  static of(interval: number): ContinuousEventTimeTrigger {
    if (!Number.isSafeInteger(interval) || interval < 1) {
      throw new RangeError(
        `ContinuousEventTimeTrigger.of(${interval}): the interval must be a positive integer (ms)`,
      );
    }
    return new ContinuousEventTimeTrigger(interval);
  }
  onElement(_element: unknown, timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return 'FIRE';
    ctx.registerEventTimeTimer(window.maxTimestamp());
    const fireTime = ctx.getReducingState(FIRE_TIME);
    if (fireTime.get() === undefined) {
      this.#registerNext(timestamp - (timestamp % this.interval), window, ctx, fireTime);
    }
    return 'CONTINUE';
  }
  onEventTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    if (time === window.maxTimestamp()) return 'FIRE';
    const fireTime = ctx.getReducingState(FIRE_TIME);
    if (fireTime.get() === time) {
      fireTime.clear();
      this.#registerNext(time, window, ctx, fireTime);
      return 'FIRE';
    }
    return 'CONTINUE';
  }
  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }
  canMerge(): boolean {
    return true;
  }
  onMerge(_window: TimeWindow, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(FIRE_TIME);
    const next = ctx.getReducingState(FIRE_TIME).get();
    if (next !== undefined) ctx.registerEventTimeTimer(next);
  }
  clear(_window: TimeWindow, ctx: TriggerContext): void {
    const fireTime = ctx.getReducingState(FIRE_TIME);
    const t = fireTime.get();
    if (t !== undefined) {
      ctx.deleteEventTimeTimer(t);
      fireTime.clear();
    }
  }
  #registerNext(time: number, window: TimeWindow, ctx: TriggerContext, state: ReducingState<number>): void {
    const next = Math.min(time + this.interval, window.maxTimestamp());
    state.add(next);
    ctx.registerEventTimeTimer(next);
  }
  describe(): unknown {
    return { kind: 'continuous-event-time', interval: this.interval };
  }
}
