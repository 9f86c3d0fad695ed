// Rolling reduce per key (sum/min/max compile to it). STREAMING emits the updated value per record;
// BATCH emits each key's final value once, at the end of input. Heap state for now; key groups and
// snapshots come with the state backends.
import { unwrapFunction, type KeySelector, type RichFunction } from '@eddy/api';
import type { OperatorContext, Output, StreamOperator } from './stream-operator.ts';

/** Keyed rolling reduce. */
export class KeyedReduceOperator implements StreamOperator {
  readonly #reduce: (a: unknown, b: unknown) => unknown;
  readonly #rich: RichFunction | undefined;
  readonly #key: KeySelector<unknown, unknown>;
  readonly #emitPerRecord: boolean;
  readonly #state = new Map<unknown, unknown>();
  #output!: Output;

  constructor(fn: unknown, key: KeySelector<unknown, unknown>, mode: 'streaming' | 'batch') {
    const u = unwrapFunction<(a: unknown, b: unknown) => unknown>(
      fn as (a: unknown, b: unknown) => unknown,
      'reduce',
    );
    this.#reduce = u.call;
    this.#rich = u.rich;
    this.#key = key;
    this.#emitPerRecord = mode === 'streaming';
  }
  async open(ctx: OperatorContext): Promise<void> {
    this.#output = ctx.output;
    await this.#rich?.open?.(ctx.runtime);
  }
  processBatch(batch: readonly unknown[]): void | Promise<void> {
    const state = this.#state;
    const reduce = this.#reduce;
    const key = this.#key;
    const out = this.#emitPerRecord ? new Array<unknown>(batch.length) : undefined;
    for (let i = 0; i < batch.length; i++) {
      const v = batch[i];
      const k = key(v);
      const acc = state.get(k);
      const next = acc === undefined && !state.has(k) ? v : reduce(acc, v);
      state.set(k, next);
      if (out !== undefined) out[i] = next;
    }
    return out === undefined || out.length === 0 ? undefined : this.#output.collect(out);
  }
  endInput(): void | Promise<void> {
    if (this.#emitPerRecord || this.#state.size === 0) return undefined;
    const all = [...this.#state.values()];
    this.#state.clear();
    // Emit in bounded slices so one huge array does not become one huge network batch.
    const results: (void | Promise<void>)[] = [];
    for (let i = 0; i < all.length; i += 4096) results.push(this.#output.collect(all.slice(i, i + 4096)));
    const pending = results.filter((r): r is Promise<void> => r !== undefined);
    return pending.length === 0 ? undefined : Promise.all(pending).then(() => undefined);
  }
  async close(): Promise<void> {
    await this.#rich?.close?.();
  }
}
