// GlobalWindows: every element of a key in one window that never ends, so nothing fires unless a
// custom trigger (CountTrigger for count windows) says so (Flink's GlobalWindows and NeverTrigger).
import type { Trigger, TriggerResult } from './trigger.ts';
import type { WindowAssigner } from './window-assigner.ts';
import { GlobalWindow } from './window.ts';

/** The default trigger of GlobalWindows: never fires. */
export class NeverTrigger implements Trigger<unknown, GlobalWindow> {
  static readonly #instance = new NeverTrigger();
  private constructor() {}
  /** The shared instance. */
  static create(): NeverTrigger {
    return NeverTrigger.#instance;
  }
  onElement(): TriggerResult {
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
  onMerge(): void {}
  clear(): void {}
  describe(): unknown {
    return { kind: 'never' };
  }
}

const ONLY_WINDOW: readonly GlobalWindow[] = Object.freeze([GlobalWindow.get()]);

/** One window per key holding every element. */
export class GlobalWindows implements WindowAssigner<unknown, GlobalWindow> {
  static readonly #instance = new GlobalWindows();
  private constructor() {}
  /** The (stateless, shared) assigner. */
  static create(): GlobalWindows {
    return GlobalWindows.#instance;
  }
  assignWindows(): readonly GlobalWindow[] {
    return ONLY_WINDOW;
  }
  getDefaultTrigger(): Trigger<unknown, GlobalWindow> {
    return NeverTrigger.create();
  }
  isEventTime(): boolean {
    return false;
  }
  describe(): unknown {
    return { kind: 'global' };
  }
}
