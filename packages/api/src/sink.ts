// The Sink interface and the built-in sinks: print and collect.
import type { TaskInfo } from './functions.ts';

/** What a SinkWriter knows about where it runs. */
export interface SinkWriterContext extends TaskInfo {
  /**
   * Sends records to the JobManager, which keeps them per sink uid for the client (what
   * CollectSink uses). Resolves once the JobManager has them.
   */
  reportCollected(records: readonly unknown[]): Promise<void>;
  /** What `snapshotState` of this subtask's writer returned at the restored checkpoint, if any. */
  readonly restoredState?: unknown;
  /** The writer states of every subtask at that checkpoint, in subtask order. */
  readonly restoredStates?: readonly unknown[];
}

/**
 * Writes one subtask's records. Called only from the task's mailbox. When `write` returns a promise
 * the task processes no further input until it settles (backpressure, and errors fail the task).
 */
export interface SinkWriter<T> {
  open?(): void | Promise<void>;
  write(batch: readonly T[]): void | Promise<void>;
  /** End of input: everything written must be durable when this settles. */
  finish?(): void | Promise<void>;
  /**
   * At a checkpoint barrier, synchronously: pre-commit what was written since the last checkpoint
   * and return the writer's state (e.g. the pending transaction), stored with the checkpoint.
   */
  snapshotState?(checkpointId: number): unknown;
  /** The checkpoint is durable: commit what its snapshot pre-committed (two-phase commit). */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  close?(): void | Promise<void>;
}

/** A destination of records. */
export interface Sink<T> {
  /** JSON that identifies the sink's configuration; part of the graph hash. */
  describe(): unknown;
  createWriter(ctx: SinkWriterContext): SinkWriter<T>;
}

/** Formats a record for printing: strings as they are, everything else as JSON. */
export function formatRecord(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? String(value);
}

/** Prints records to the TaskManager's stdout, prefixed with `subtask> ` when parallel (as Flink). */
export class PrintSink<T> implements Sink<T> {
  readonly #prefix: string;
  constructor(prefix = '') {
    this.#prefix = prefix;
  }
  describe(): unknown {
    return { kind: 'print', prefix: this.#prefix };
  }
  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    const tag = ctx.parallelism > 1 ? `${ctx.subtaskIndex + 1}> ` : '';
    const prefix = this.#prefix === '' ? tag : `${this.#prefix}:${tag === '' ? ' ' : tag}`;
    return {
      write(batch: readonly T[]): void {
        let text = '';
        for (const v of batch) text += `${prefix}${formatRecord(v)}\n`;
        process.stdout.write(text);
      },
    };
  }
}

/** Ships every record to the JobManager; read them with GET /v1/jobs/:id/collect. For tests. */
export class CollectSink<T> implements Sink<T> {
  describe(): unknown {
    return { kind: 'collect' };
  }
  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    return { write: (batch: readonly T[]) => ctx.reportCollected(batch) };
  }
}
