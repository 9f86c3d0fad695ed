// The stateless operators: map, filter, flat-map, process. Each emits once per input batch.
import {
  unwrapFunction,
  type Collector,
  type ProcessFunction,
  type RichFunction,
  type RuntimeContext,
} from '@eddy/api';
import type { OperatorContext, Output, StreamOperator } from './stream-operator.ts';

/** Common lifecycle of an operator wrapping one user function. */
abstract class UdfOperator<F extends (...args: never[]) => unknown> implements StreamOperator {
  protected output!: Output;
  protected runtime!: RuntimeContext;
  protected readonly fn: F;
  readonly #rich: RichFunction | undefined;

  constructor(fn: unknown, method: string) {
    const u = unwrapFunction<F>(fn as F, method);
    this.fn = u.call;
    this.#rich = u.rich;
  }
  async open(ctx: OperatorContext): Promise<void> {
    this.output = ctx.output;
    this.runtime = ctx.runtime;
    await this.#rich?.open?.(ctx.runtime);
  }
  abstract processBatch(batch: readonly unknown[], input: number): void | Promise<void>;
  endInput(): void {}
  async close(): Promise<void> {
    await this.#rich?.close?.();
  }
}

/** One record in, one out. */
export class MapOperator extends UdfOperator<(v: unknown) => unknown> {
  constructor(fn: unknown) {
    super(fn, 'map');
  }
  processBatch(batch: readonly unknown[]): void | Promise<void> {
    const fn = this.fn;
    const n = batch.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = fn(batch[i]);
    return this.output.collect(out);
  }
}

/** Keeps records the predicate accepts. */
export class FilterOperator extends UdfOperator<(v: unknown) => boolean> {
  constructor(fn: unknown) {
    super(fn, 'filter');
  }
  processBatch(batch: readonly unknown[]): void | Promise<void> {
    const fn = this.fn;
    const out: unknown[] = [];
    for (let i = 0; i < batch.length; i++) {
      const v = batch[i];
      if (fn(v)) out.push(v);
    }
    return out.length === 0 ? undefined : this.output.collect(out);
  }
}

/** A collector appending into an array that is swapped per batch. */
class ArrayCollector implements Collector<unknown> {
  buffer: unknown[] = [];
  collect(value: unknown): void {
    this.buffer.push(value);
  }
  take(): unknown[] {
    const b = this.buffer;
    this.buffer = [];
    return b;
  }
}

/** Any number of records out per record. */
export class FlatMapOperator extends UdfOperator<(v: unknown, out: Collector<unknown>) => void> {
  readonly #collector = new ArrayCollector();
  constructor(fn: unknown) {
    super(fn, 'flatMap');
  }
  processBatch(batch: readonly unknown[]): void | Promise<void> {
    const fn = this.fn;
    const c = this.#collector;
    for (let i = 0; i < batch.length; i++) fn(batch[i], c);
    const out = c.take();
    return out.length === 0 ? undefined : this.output.collect(out);
  }
}

/** Runs a ProcessFunction. */
export class ProcessOperator implements StreamOperator {
  readonly #fn: ProcessFunction<unknown, unknown>;
  readonly #collector = new ArrayCollector();
  #output!: Output;
  #ctx!: { runtime: RuntimeContext };

  constructor(fn: unknown) {
    if (
      fn === null ||
      typeof fn !== 'object' ||
      typeof (fn as ProcessFunction<unknown, unknown>).processElement !== 'function'
    ) {
      throw new TypeError('process() expects an object with a processElement(value, ctx, out) method');
    }
    this.#fn = fn as ProcessFunction<unknown, unknown>;
  }
  async open(ctx: OperatorContext): Promise<void> {
    this.#output = ctx.output;
    this.#ctx = { runtime: ctx.runtime };
    await this.#fn.open?.(ctx.runtime);
  }
  processBatch(batch: readonly unknown[]): void | Promise<void> {
    const c = this.#collector;
    for (let i = 0; i < batch.length; i++) this.#fn.processElement(batch[i], this.#ctx, c);
    const out = c.take();
    return out.length === 0 ? undefined : this.#output.collect(out);
  }
  endInput(): void | Promise<void> {
    if (this.#fn.endInput === undefined) return undefined;
    this.#fn.endInput(this.#ctx, this.#collector);
    const out = this.#collector.take();
    return out.length === 0 ? undefined : this.#output.collect(out);
  }
  async close(): Promise<void> {
    await this.#fn.close?.();
  }
}
