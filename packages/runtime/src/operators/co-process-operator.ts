// Runs a CoProcessFunction or KeyedCoProcessFunction over connected streams: processElement1 for
// input 0, processElement2 for input 1. Keyed (both inputs hash-partitioned by their key selectors)
// when both inputs are keyed: then keyed state is shared by the inputs and timers fire per key.
// Outputs carry the timestamp of the input record; outputs of an event-time timer carry its time.
import {
  ProcessFunctionContext,
  timersNeedKeys,
  type TimerServiceOwner,
} from './process-function-context.ts';
import type { CoProcessFunction, KeyedCoProcessFunction } from '@eddy/api';
import type { InternalTimerService, Timer } from '../timers/internal-timer-service.ts';
import { AbstractStreamOperator, TimestampedCollector } from './abstract-stream-operator.ts';
import type { OperatorContext, Timestamps } from './stream-operator.ts';

type AnyCoProcessFunction = CoProcessFunction<unknown, unknown, unknown> &
  KeyedCoProcessFunction<unknown, unknown, unknown, unknown>;

/** Runs a (Keyed)CoProcessFunction. */
export class CoProcessOperator extends AbstractStreamOperator implements TimerServiceOwner {
  readonly #fn: AnyCoProcessFunction;
  readonly #out = new TimestampedCollector(this.collector);
  #ctx!: ProcessFunctionContext;
  #timers: InternalTimerService | undefined;

  constructor(fn: unknown) {
    super();
    const f = fn as Partial<AnyCoProcessFunction> | null;
    if (
      f === null ||
      typeof f !== 'object' ||
      typeof f.processElement1 !== 'function' ||
      typeof f.processElement2 !== 'function'
    ) {
      throw new TypeError(
        'connect(...).process() expects an object with processElement1(value, ctx, out) and processElement2(value, ctx, out) methods',
      );
    }
    this.#fn = fn as AnyCoProcessFunction;
  }

  override async open(ctx: OperatorContext): Promise<void> {
    this.setup(ctx);
    this.#ctx = new ProcessFunctionContext(this, ctx.runtime, this.collector);
    if (this.keyedBackend !== undefined) {
      this.#timers = this.getInternalTimerService({
        onEventTime: (t) => this.#fire(t, 'event-time'),
        onProcessingTime: (t) => this.#fire(t, 'processing-time'),
      });
    }
    await this.openUserFunction(this.#fn, ctx.runtime);
  }

  /** @internal */
  timers(what: string): InternalTimerService {
    if (this.#timers === undefined) {
      throw timersNeedKeys(what, 'key both inputs with connect(...).keyBy(key1, key2)');
    }
    return this.#timers;
  }

  processBatch(batch: readonly unknown[], timestamps: Timestamps, input: number): void | Promise<void> {
    const c = this.#out;
    const ctx = this.#ctx;
    const fn = this.#fn;
    const keyed = this.keyedBackend !== undefined;
    const first = input === 0;
    for (let i = 0; i < batch.length; i++) {
      const v = batch[i];
      const ts = timestamps?.[i];
      ctx.currentTimestamp = ts;
      c.timestamp = ts;
      if (keyed) this.setKeyContextElement(v, input);
      if (first) fn.processElement1(v, ctx, c);
      else fn.processElement2(v, ctx, c);
    }
    return this.collector.flush(this.output);
  }

  #fire(timer: Timer, domain: 'event-time' | 'processing-time'): void {
    if (this.#fn.onTimer === undefined) return;
    const ctx = this.#ctx;
    ctx.domain = domain;
    ctx.currentTimestamp = domain === 'event-time' ? timer.time : undefined;
    this.#out.timestamp = ctx.currentTimestamp;
    this.#fn.onTimer(timer.time, ctx, this.#out);
  }

  override async close(): Promise<void> {
    await super.close();
    await this.#fn.close?.();
  }
}
