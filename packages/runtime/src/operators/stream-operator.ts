// The operator interface of the runtime and the Output it emits into. Batch-at-a-time: records
// travel in arrays; control happens between batches. Called only from the task thread.
import type { RuntimeContext } from '@eddy/api';

/**
 * Where an operator emits. `collect` returns a promise only when something downstream (a sink) needs
 * the task to wait before the next batch.
 */
export interface Output {
  collect(batch: readonly unknown[]): void | Promise<void>;
}

/** What an operator is given when it opens. */
export interface OperatorContext {
  readonly runtime: RuntimeContext;
  readonly output: Output;
}

/** One operator of a chain. */
export interface StreamOperator {
  open(ctx: OperatorContext): void | Promise<void>;
  /** Processes one batch of input `input` (0 for one-input operators). */
  processBatch(batch: readonly unknown[], input: number): void | Promise<void>;
  /** The (bounded) input ended: emit what is still held, then nothing more. */
  endInput(): void | Promise<void>;
  close(): void | Promise<void>;
}

/** Joins results of several collect calls: nothing to wait for unless one of them returned a promise. */
export function joinResults(results: readonly (void | Promise<void>)[]): void | Promise<void> {
  let pending: Promise<void>[] | undefined;
  for (const r of results) if (r !== undefined) (pending ??= []).push(r);
  if (pending === undefined) return undefined;
  return Promise.all(pending).then(() => undefined);
}
