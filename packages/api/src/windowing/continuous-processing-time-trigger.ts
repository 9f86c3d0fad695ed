// Flink's ContinuousProcessingTimeTrigger: fires every `interval` ms of processing time while the
// window has elements. The next fire time is window state ("fire-time", the minimum).
import { StateDescriptors, type ReducingState } from '../state.ts';
import type { Trigger, TriggerContext, OnMergeContext, TriggerResult } from './trigger.ts';
import type { TimeWindow } from './window.ts';

const FIRE_TIME = StateDescriptors.reducing<number>('fire-time', (a, b) => Math.min(a, b));

/** Fires every `interval` ms of processing time. */
export class ContinuousProcessingTimeTrigger implements Trigger<unknown, TimeWindow> {
  readonly interval: number;
  private constructor(interval: number) {
    this.interval = interval;
  }
  /** Fires every `interval` ms of processing time. */
  static of(interval: number): ContinuousProcessingTimeTrigger {
    if (!Number.isSafeInteger(interval) || interval < 1) {
      throw new RangeError(
        `ContinuousProcessingTimeTrigger.of(${interval}): the interval must be a positive integer (ms)`,
      );
    }
    return new ContinuousProcessingTimeTrigger(interval);
  }
  onElement(_element: unknown, _timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    const fireTime = ctx.getReducingState(FIRE_TIME);
    if (fireTime.get() === undefined) {
      const now = ctx.getCurrentProcessingTime();
      this.#registerNext(now - (now % this.interval), window, ctx, fireTime);
    }
    return 'CONTINUE';
  }
  onEventTime(): TriggerResult {
    return 'CONTINUE';
  }
  onProcessingTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    const fireTime = ctx.getReducingState(FIRE_TIME);
    if (fireTime.get() === time) {
      fireTime.clear();
      this.#registerNext(time, window, ctx, fireTime);
      return 'FIRE';
    }
    return 'CONTINUE';
  }
  canMerge(): boolean {
    return true;
  }
  onMerge(_window: TimeWindow, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(FIRE_TIME);
    const next = ctx.getReducingState(FIRE_TIME).get();
    if (next !== undefined) ctx.registerProcessingTimeTimer(next);
  }
  clear(_window: TimeWindow, ctx: TriggerContext): void {
    const fireTime = ctx.getReducingState(FIRE_TIME);
    const t = fireTime.get();
    if (t !== undefined) {
      ctx.deleteProcessingTimeTimer(t);
      fireTime.clear();
    }
  }
  #registerNext(time: number, window: TimeWindow, ctx: TriggerContext, state: ReducingState<number>): void {
    const next = Math.min(time + this.interval, window.maxTimestamp());
    state.add(next);
    ctx.registerProcessingTimeTimer(next);
  }
  describe(): unknown {
    return { kind: 'continuous-processing-time', interval: this.interval };
  }
}
