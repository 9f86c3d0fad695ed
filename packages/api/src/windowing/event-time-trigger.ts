// Flink's EventTimeTrigger: fires once the watermark passes the window's end; an element arriving
// for a window the watermark already passed (within allowed lateness) fires it at once.
import type { Trigger, TriggerContext, OnMergeContext, TriggerResult } from './trigger.ts';
import type { TimeWindow } from './window.ts';

/** Fires when the watermark reaches window.maxTimestamp(). The default of event-time assigners. */
export class EventTimeTrigger implements Trigger<unknown, TimeWindow> {
  static readonly #instance = new EventTimeTrigger();
  private constructor() {}
  /** The (stateless, shared) trigger. */
  static create(): EventTimeTrigger {
    return EventTimeTrigger.#instance;
  }
  onElement(_element: unknown, _timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return 'FIRE';
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return 'CONTINUE';
  }
  onEventTime(time: number, window: TimeWindow): TriggerResult {
    return time === window.maxTimestamp() ? 'FIRE' : 'CONTINUE';
  }
  onProcessingTime(): TriggerResult {
    return 'CONTINUE';
  }
  canMerge(): boolean {
    return true;
  }
  onMerge(window: TimeWindow, ctx: OnMergeContext): void {
    // Only register when the merged window is not already complete; a late merged window fires with
    // the next element (onElement) instead, exactly as in Flink.
    if (window.maxTimestamp() > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(window.maxTimestamp());
  }
  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }
  describe(): unknown {
    return { kind: 'event-time' };
  }
}
