// Flink's ProcessingTimeTrigger: fires when the wall clock passes the window's end.
import type { Trigger, TriggerContext, OnMergeContext, TriggerResult } from './trigger.ts';
import type { TimeWindow } from './window.ts';

/** Fires when processing time reaches window.maxTimestamp(). The default of processing-time assigners. */
export class ProcessingTimeTrigger implements Trigger<unknown, TimeWindow> {
  static readonly #instance = new ProcessingTimeTrigger();
  private constructor() {}
  /** The (stateless, shared) trigger. */
  static create(): ProcessingTimeTrigger {
    return ProcessingTimeTrigger.#instance;
  }
  onElement(_element: unknown, _timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    return 'CONTINUE';
  }
  onEventTime(): TriggerResult {
    return 'CONTINUE';
  }
  onProcessingTime(): TriggerResult {
    return 'FIRE';
  }
  canMerge(): boolean {
    return true;
  }
  onMerge(window: TimeWindow, ctx: OnMergeContext): void {
    if (window.maxTimestamp() > ctx.getCurrentProcessingTime()) {
      ctx.registerProcessingTimeTimer(window.maxTimestamp());
    }
  }
  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp());
  }
  describe(): unknown {
    return { kind: 'processing-time' };
  }
}
