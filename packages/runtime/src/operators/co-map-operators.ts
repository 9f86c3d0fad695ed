// CoMap and CoFlatMap: the stateless operators of connected streams, one user method per input.
// When both inputs are keyed the current key is set per record, so the function may use keyed state
// (shared by both inputs). Records keep the timestamp of the record they came from.
import type { CoFlatMapFunction, CoMapFunction, RichFunction } from '@eddy/api';
import { AbstractStreamOperator, TimestampedCollector } from './abstract-stream-operator.ts';
import type { OperatorContext, Timestamps } from './stream-operator.ts';

/** Lifecycle of an operator wrapping one function object. */
abstract class CoFunctionOperator<F extends RichFunction> extends AbstractStreamOperator {
  protected readonly fn: F;
  constructor(fn: unknown, methods: readonly string[], what: string) {
    super();
    for (const m of methods) {
      if (fn === null || typeof fn !== 'object' || typeof (fn as Record<string, unknown>)[m] !== 'function') {
        throw new TypeError(`${what} expects an object with the methods ${methods.join(', ')}`);
      }
    }
    this.fn = fn as F;
  }
  override async open(ctx: OperatorContext): Promise<void> {
    this.setup(ctx);
    await this.openUserFunction(this.fn, ctx.runtime);
  }
  override async close(): Promise<void> {
    await super.close();
    await this.fn.close?.();
  }
}

/** map1 for input 0, map2 for input 1. */
export class CoMapOperator extends CoFunctionOperator<CoMapFunction<unknown, unknown, unknown>> {
  constructor(fn: unknown) {
    super(fn, ['map1', 'map2'], 'connect(...).map()');
  }
  processBatch(batch: readonly unknown[], timestamps: Timestamps, input: number): void | Promise<void> {
    const fn = this.fn;
    const keyed = this.keyedBackend !== undefined;
    const n = batch.length;
    const out = new Array<unknown>(n);
    if (input === 0) {
      for (let i = 0; i < n; i++) {
        if (keyed) this.setKeyContextElement(batch[i], 0);
        out[i] = fn.map1(batch[i]);
      }
    } else {
      for (let i = 0; i < n; i++) {
        if (keyed) this.setKeyContextElement(batch[i], 1);
        out[i] = fn.map2(batch[i]);
      }
    }
    return this.output.collect(out, timestamps);
  }
}

/** flatMap1 for input 0, flatMap2 for input 1. */
export class CoFlatMapOperator extends CoFunctionOperator<CoFlatMapFunction<unknown, unknown, unknown>> {
  readonly #out = new TimestampedCollector(this.collector);
  constructor(fn: unknown) {
    super(fn, ['flatMap1', 'flatMap2'], 'connect(...).flatMap()');
  }
  processBatch(batch: readonly unknown[], timestamps: Timestamps, input: number): void | Promise<void> {
    const fn = this.fn;
    const c = this.#out;
    const keyed = this.keyedBackend !== undefined;
    for (let i = 0; i < batch.length; i++) {
      const v = batch[i];
      c.timestamp = timestamps?.[i];
      if (keyed) this.setKeyContextElement(v, input);
      if (input === 0) fn.flatMap1(v, c);
      else fn.flatMap2(v, c);
    }
    return this.collector.flush(this.output);
  }
}
