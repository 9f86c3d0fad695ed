// The stateless operators (map, filter, flat-map) and the process operators. Each emits once per
// input batch; records keep the timestamp of the record they came from.
import { ProcessFunctionContext } from './process-function-context.ts';
import {
  unwrapFunction,
  type Collector,
  type KeyedProcessFunction,
  type ProcessFunction,
  type RichFunction,
} from '@eddy/api';
import { EddyError } from '@eddy/common';
import type { InternalTimerService, Timer } from '../timers/internal-timer-service.ts';
import { AbstractStreamOperator, TimestampedCollector } from './abstract-stream-operator.ts';
import type { OperatorContext, Timestamps } from './stream-operator.ts';

/** Common lifecycle of an operator wrapping one user function. */
abstract class UdfOperator<F extends (...args: never[]) => unknown> extends AbstractStreamOperator {
  protected readonly fn: F;
  readonly #rich: RichFunction | undefined;

  constructor(fn: unknown, method: string) {
    super();
    const u = unwrapFunction<F>(fn as F, method);
    this.fn = u.call;
    this.#rich = u.rich;
  }
  override async open(ctx: OperatorContext): Promise<void> {
    this.setup(ctx);
    if (this.#rich !== undefined) await this.openUserFunction(this.#rich, ctx.runtime);
  }
  override async close(): Promise<void> {
    await super.close();
    await this.#rich?.close?.();
  }
}

/** One record in, one out. */
export class MapOperator extends UdfOperator<(v: unknown) => unknown> {
  constructor(fn: unknown) {
    super(fn, 'map');
  }
  processBatch(batch: readonly unknown[], timestamps: Timestamps): void | Promise<void> {
    const fn = this.fn;
    const n = batch.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = fn(batch[i]);
    return this.output.collect(out, timestamps);
  }
}

/** Keeps records the predicate accepts. */
export class FilterOperator extends UdfOperator<(v: unknown) => boolean> {
  constructor(fn: unknown) {
    super(fn, 'filter');
  }
  processBatch(batch: readonly unknown[], timestamps: Timestamps): void | Promise<void> {
    const fn = this.fn;
    const out: unknown[] = [];
    if (timestamps === undefined) {
      for (let i = 0; i < batch.length; i++) {
        const v = batch[i];
        if (fn(v)) out.push(v);
      }
      return out.length === 0 ? undefined : this.output.collect(out);
    }
    const ts: number[] = [];
    for (let i = 0; i < batch.length; i++) {
      const v = batch[i];
      if (fn(v)) {
        out.push(v);
        ts.push(timestamps[i]!);
      }
    }
    return out.length === 0 ? undefined : this.output.collect(out, ts);
  }
}

/** Any number of records out per record. */
export class FlatMapOperator extends UdfOperator<(v: unknown, out: Collector<unknown>) => void> {
  readonly #out = new TimestampedCollector(this.collector);
  constructor(fn: unknown) {
    super(fn, 'flatMap');
  }
  processBatch(batch: readonly unknown[], timestamps: Timestamps): void | Promise<void> {
    const fn = this.fn;
    const c = this.#out;
    for (let i = 0; i < batch.length; i++) {
      c.timestamp = timestamps?.[i];
      fn(batch[i], c);
    }
    return this.collector.flush(this.output);
  }
}

/** Runs a ProcessFunction, or a KeyedProcessFunction on a keyed stream (with timers and keyed state). */
export class ProcessOperator extends AbstractStreamOperator {
  readonly #fn: ProcessFunction<unknown, unknown> & KeyedProcessFunction<unknown, unknown, unknown>;
  readonly #out = new TimestampedCollector(this.collector);
  #ctx!: ProcessFunctionContext;
  #timers: InternalTimerService | undefined;

  constructor(fn: unknown) {
    super();
    if (
      fn === null ||
      typeof fn !== 'object' ||
      typeof (fn as ProcessFunction<unknown, unknown>).processElement !== 'function'
    ) {
      throw new TypeError('process() expects an object with a processElement(value, ctx, out) method');
    }
    this.#fn = fn as ProcessFunction<unknown, unknown> & KeyedProcessFunction<unknown, unknown, unknown>;
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
      throw new EddyError(
        'NOT_KEYED',
        `${what}: setting timers is only supported on keyed streams: apply process() after keyBy(...)`,
        {
          domain: 'user',
        },
      );
    }
    return this.#timers;
  }

  processBatch(batch: readonly unknown[], timestamps: Timestamps, input: number): void | Promise<void> {
    const c = this.#out;
    const ctx = this.#ctx;
    const fn = this.#fn;
    const keyed = this.keyedBackend !== undefined;
    for (let i = 0; i < batch.length; i++) {
      const v = batch[i];
      const ts = timestamps?.[i];
      ctx.currentTimestamp = ts;
      c.timestamp = ts;
      if (keyed) this.setKeyContextElement(v, input);
      fn.processElement(v, ctx, c);
    }
    return this.collector.flush(this.output);
  }

  #fire(timer: Timer, domain: 'event-time' | 'processing-time'): void {
    if (this.#fn.onTimer === undefined) return;
    const ctx = this.#ctx;
    ctx.domain = domain;
    // Output of an event-time timer carries the timer's time, as in Flink; processing-time output none.
    ctx.currentTimestamp = domain === 'event-time' ? timer.time : undefined;
    this.#out.timestamp = ctx.currentTimestamp;
    this.#fn.onTimer(timer.time, ctx, this.#out);
  }

  override endInput(): void | Promise<void> {
    if (this.#fn.endInput === undefined) return undefined;
    this.#ctx.currentTimestamp = undefined;
    this.#out.timestamp = undefined;
    this.#fn.endInput(this.#ctx, this.#out);
    return this.collector.flush(this.output);
  }
  override async close(): Promise<void> {
    await super.close();
    await this.#fn.close?.();
  }
}
