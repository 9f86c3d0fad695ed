// The operator interface of the runtime and the Output it emits into. Batch-at-a-time: records
// travel in arrays with an aligned array of timestamps (absent when the stream has none); control
// (watermarks, watermark status, end of input) happens between batches. Called only from the task
// thread, never concurrently.
import type { KeySelector, RuntimeContext } from '@eddy/api';
import type { KeyedStateBackend } from '@eddy/state';
import type { TaskMailbox } from '../mailbox.ts';
import type { ProcessingTimeService } from '../timers/processing-time-service.ts';
import type { OperatorRestore, OperatorSnapshot } from '../checkpointing/operator-snapshot.ts';

/** Timestamps aligned with a batch (`timestamps[i]` belongs to `batch[i]`), or undefined. */
export type Timestamps = readonly number[] | undefined;

/**
 * Where an operator emits. `collect` returns a promise only when something downstream (a sink) needs
 * the task to wait before the next batch. Emitted arrays must not be mutated afterwards.
 */
export interface Output {
  collect(batch: readonly unknown[], timestamps?: Timestamps): void | Promise<void>;
  /** Records for the side output named `tag` (dropped when nothing reads it). */
  collectSide(tag: string, batch: readonly unknown[], timestamps?: Timestamps): void | Promise<void>;
  emitWatermark(watermark: number): void | Promise<void>;
  /** The input went idle (true) or active again (false). */
  emitWatermarkStatus(idle: boolean): void;
}

/** What an operator is given when it opens. */
export interface OperatorContext {
  /** With keyed state bound to `keyedBackend` on keyed operators. */
  readonly runtime: RuntimeContext;
  readonly output: Output;
  readonly processingTime: ProcessingTimeService;
  readonly mailbox: TaskMailbox;
  /** The keyed state of this operator, when its input is keyed. */
  readonly keyedBackend: KeyedStateBackend | undefined;
  /** The key selector of each input (undefined for an input that is not keyed). */
  readonly keySelectors: readonly (KeySelector<unknown, unknown> | undefined)[];
  /** State to restore (keyed state is already in `keyedBackend`); undefined on a fresh start. */
  readonly restore?: OperatorRestore | undefined;
}

/** One operator of a chain. */
export interface StreamOperator {
  open(ctx: OperatorContext): void | Promise<void>;
  /** Processes one batch of input `input` (0 for one-input operators). */
  processBatch(batch: readonly unknown[], timestamps: Timestamps, input: number): void | Promise<void>;
  /** The operator's combined input watermark advanced to `watermark` (never regresses). */
  processWatermark(watermark: number): void | Promise<void>;
  /** Every input went idle (true), or one became active again (false). */
  processWatermarkStatus(idle: boolean): void;
  /** The (bounded) input ended: emit what is still held, then nothing more. */
  endInput(): void | Promise<void>;
  close(): void | Promise<void>;
  /**
   * Captures the operator's state at a checkpoint barrier. The capture itself happens before this
   * returns (later changes must not leak in); a returned promise may finish serializing it.
   */
  snapshotState(checkpointId: number): OperatorSnapshot | Promise<OperatorSnapshot>;
  /** The checkpoint's metadata is durable: commit what its snapshot prepared. */
  notifyCheckpointComplete(checkpointId: number): void | Promise<void>;
}

/** Joins results of several collect calls: nothing to wait for unless one of them returned a promise. */
export function joinResults(results: readonly (void | Promise<void>)[]): void | Promise<void> {
  let pending: Promise<void>[] | undefined;
  for (const r of results) if (r !== undefined) (pending ??= []).push(r);
  if (pending === undefined) return undefined;
  return Promise.all(pending).then(() => undefined);
}
