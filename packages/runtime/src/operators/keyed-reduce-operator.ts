// Rolling reduce per key (sum/min/max compile to it), on keyed ValueState. STREAMING emits the
// updated value per record (with the record's timestamp); BATCH emits each key's final value once,
// at the end of input.
import { StateDescriptors, unwrapFunction, type RichFunction, type ValueState } from '@eddy/api';
import type { KeyedStateBackend } from '@eddy/state';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import type { OperatorContext, Timestamps } from './stream-operator.ts';

const STATE = StateDescriptors.value<unknown>('_reduce');

/** Keyed rolling reduce. */
export class KeyedReduceOperator extends AbstractStreamOperator {
  readonly #reduce: (a: unknown, b: unknown) => unknown;
  readonly #rich: RichFunction | undefined;
  readonly #emitPerRecord: boolean;
  #state!: ValueState<unknown>;

  constructor(fn: unknown, mode: 'streaming' | 'batch') {
    super();
    const u = unwrapFunction<(a: unknown, b: unknown) => unknown>(
      fn as (a: unknown, b: unknown) => unknown,
      'reduce',
    );
    this.#reduce = u.call;
    this.#rich = u.rich;
    this.#emitPerRecord = mode === 'streaming';
  }
  override async open(ctx: OperatorContext): Promise<void> {
    this.setup(ctx);
    this.#state = this.requireKeyed('reduce').getOrCreateKeyedState<ValueState<unknown>>(STATE);
    if (this.#rich !== undefined) await this.openUserFunction(this.#rich, ctx.runtime);
  }
  processBatch(batch: readonly unknown[], timestamps: Timestamps): void | Promise<void> {
    const state = this.#state;
    const reduce = this.#reduce;
    const out = this.#emitPerRecord ? new Array<unknown>(batch.length) : undefined;
    for (let i = 0; i < batch.length; i++) {
      const v = batch[i];
      this.setKeyContextElement(v);
      const acc = state.value();
      const next = acc === undefined ? v : reduce(acc, v);
      state.update(next);
      if (out !== undefined) out[i] = next;
    }
    return out === undefined || out.length === 0 ? undefined : this.output.collect(out, timestamps);
  }
  override async endInput(): Promise<void> {
    const backend = this.keyedBackend as
      | (KeyedStateBackend & {
          keysAsync?: (name: string) => AsyncIterable<unknown>;
          flush?: () => Promise<void>;
        })
      | undefined;
    if (this.#emitPerRecord || backend === undefined) return;
    // Backends off the heap enumerate keys from disk and load them in chunks.
    const keys: unknown[] = [];
    if (backend.keysAsync !== undefined) for await (const k of backend.keysAsync(STATE.name)) keys.push(k);
    else keys.push(...backend.keys(STATE.name));
    for (let i = 0; i < keys.length; i += 4096) {
      const chunk = keys.slice(i, i + 4096);
      await backend.prefetch(chunk.map((key) => ({ key })));
      for (const key of chunk) {
        backend.setCurrentKey(key);
        this.collector.add(this.#state.value(), undefined);
        this.#state.clear();
      }
      await this.collector.flush(this.output);
      await backend.flush?.();
    }
  }
  override async close(): Promise<void> {
    await super.close();
    await this.#rich?.close?.();
  }
}
