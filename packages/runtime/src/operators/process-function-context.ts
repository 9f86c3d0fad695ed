// The contexts of the process-function family (process, co-process, broadcast process): the
// per-record context a function sees, and ctx.timerService(): timers in the void namespace for the
// current key, on the owning operator's timer service.
import type { OnTimerContext, OutputTag, RuntimeContext, TimerService } from '@eddy/api';
import type { BatchCollector } from './abstract-stream-operator.ts';
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

/** What a process-function context needs from its operator. */
export interface ProcessFunctionOwner extends TimerServiceOwner {
  currentKey(): unknown;
}

/** The context object a process function sees; one per operator, updated per record. */
export class ProcessFunctionContext implements OnTimerContext<unknown> {
  readonly #op: ProcessFunctionOwner;
  readonly #timerService: UserTimerService;
  readonly #batch: BatchCollector;
  readonly runtime: RuntimeContext;
  currentTimestamp: number | undefined;
  domain: 'event-time' | 'processing-time' = 'event-time';
  constructor(op: ProcessFunctionOwner, runtime: RuntimeContext, batch: BatchCollector) {
    this.#op = op;
    this.runtime = runtime;
    this.#batch = batch;
    this.#timerService = new UserTimerService(op);
  }
  timestamp(): number | undefined {
    return this.currentTimestamp;
  }
  timerService(): TimerService {
    return this.#timerService;
  }
  output<X>(tag: OutputTag<X>, value: X): void {
    this.#batch.addSide(tag.id, value, this.currentTimestamp);
  }
  getCurrentKey(): unknown {
    return this.#op.currentKey();
  }
  timeDomain(): 'event-time' | 'processing-time' {
    return this.domain;
  }
}
