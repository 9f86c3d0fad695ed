// Flink's PurgingTrigger: turns every FIRE of the wrapped trigger into FIRE_AND_PURGE.
import { describeTrigger, isFire } from './trigger.ts';
import type { Trigger, TriggerContext, OnMergeContext, TriggerResult } from './trigger.ts';
import type { Window } from './window.ts';

function purging(r: TriggerResult): TriggerResult {
  return isFire(r) ? 'FIRE_AND_PURGE' : r;
}

/** Wraps a trigger so that each firing also drops the window's contents. */
export class PurgingTrigger<T, W extends Window> implements Trigger<T, W> {
  readonly nested: Trigger<T, W>;
  private constructor(nested: Trigger<T, W>) {
    this.nested = nested;
  }
  /** Purges on every firing of `nested`. */
  static of<T, W extends Window>(nested: Trigger<T, W>): PurgingTrigger<T, W> {
    return new PurgingTrigger(nested);
  }
  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onElement(element, timestamp, window, ctx));
  }
  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onEventTime(time, window, ctx));
  }
  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onProcessingTime(time, window, ctx));
  }
  canMerge(): boolean {
    return this.nested.canMerge?.() ?? false;
  }
  onMerge(window: W, ctx: OnMergeContext): void {
    this.nested.onMerge?.(window, ctx);
  }
  clear(window: W, ctx: TriggerContext): void {
    this.nested.clear(window, ctx);
  }
  describe(): unknown {
    return { kind: 'purging', nested: describeTrigger(this.nested) };
  }
}
