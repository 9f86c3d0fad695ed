// Flink's CountTrigger: fires every `maxCount` elements of a window. The count lives in the
// window's partitioned state, so it survives checkpoints and merges with session windows.
import { StateDescriptors } from '../state.ts';
import type { Trigger, TriggerContext, OnMergeContext, TriggerResult } from './trigger.ts';
import type { Window } from './window.ts';

const COUNT = StateDescriptors.reducing<number>('count', (a, b) => a + b);

/** Fires when a window holds `maxCount` elements since its last firing. */
export class CountTrigger<W extends Window = Window> implements Trigger<unknown, W> {
  readonly maxCount: number;
  private constructor(maxCount: number) {
    this.maxCount = maxCount;
  }
  /** Fires every `maxCount` elements. */
  static of<W extends Window = Window>(maxCount: number): CountTrigger<W> {
    if (!Number.isSafeInteger(maxCount) || maxCount < 1) {
      throw new RangeError(`CountTrigger.of(${maxCount}): the count must be a positive integer`);
    }
    return new CountTrigger<W>(maxCount);
  }
  onElement(_element: unknown, _timestamp: number, _window: W, ctx: TriggerContext): TriggerResult {
    const count = ctx.getReducingState(COUNT);
    count.add(1);
    if ((count.get() ?? 0) >= this.maxCount) {
      count.clear();
      return 'FIRE';
    }
    return 'CONTINUE';
  }
  onEventTime(): TriggerResult {
    return 'CONTINUE';
  }
  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }
  canMerge(): boolean {
    return true;
  }
  onMerge(_window: W, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(COUNT);
  }
  clear(_window: W, ctx: TriggerContext): void {
    ctx.getReducingState(COUNT).clear();
  }
  describe(): unknown {
    return { kind: 'count', maxCount: this.maxCount };
  }
}
