// ctx.timerService() of the process-function family (process, co-process, broadcast process):
// timers in the void namespace for the current key, on the owning operator's timer service.
import type { TimerService } from '@eddy/api';
import { EddyError } from '@eddy/common';
import { VOID_NAMESPACE } from '@eddy/state';
import type { InternalTimerService } from '../timers/internal-timer-service.ts';

/** What a user-facing timer service needs from its operator. */
export interface TimerServiceOwner {
  processingTimeNow(): number;
  inputWatermark(): number;
  /** The keyed timers, or a user error saying why there are none. */
  timers(what: string): InternalTimerService;
}

/** ctx.timerService() of a process function: timers in the void namespace for the current key. */
export class UserTimerService implements TimerService {
  readonly #owner: TimerServiceOwner;
  constructor(owner: TimerServiceOwner) {
    this.#owner = owner;
  }
  currentProcessingTime(): number {
    return this.#owner.processingTimeNow();
  }
  currentWatermark(): number {
    return this.#owner.inputWatermark();
  }
  registerEventTimeTimer(time: number): void {
    this.#owner.timers('registerEventTimeTimer').registerEventTimeTimer(VOID_NAMESPACE, time);
  }
  registerProcessingTimeTimer(time: number): void {
    this.#owner.timers('registerProcessingTimeTimer').registerProcessingTimeTimer(VOID_NAMESPACE, time);
  }
  deleteEventTimeTimer(time: number): void {
    this.#owner.timers('deleteEventTimeTimer').deleteEventTimeTimer(VOID_NAMESPACE, time);
  }
  deleteProcessingTimeTimer(time: number): void {
    this.#owner.timers('deleteProcessingTimeTimer').deleteProcessingTimeTimer(VOID_NAMESPACE, time);
  }
}

/** The user error for timers on an operator without keyed inputs. */
export function timersNeedKeys(what: string, fix: string): EddyError {
  return new EddyError('NOT_KEYED', `${what}: setting timers is only supported on keyed streams: ${fix}`, {
    domain: 'user',
  });
}
