// The Source interface (after Flink's FLIP-27, simplified: every subtask reads its own split, chosen
// from its index) and the built-in sources: elements and number sequences.
import type { TaskInfo } from './functions.ts';

/** What a SourceReader knows about where it runs. */
export interface SourceReaderContext extends TaskInfo {
  /** Aborted when the task is cancelled. */
  readonly signal: AbortSignal;
  /**
   * What `snapshotState` of this subtask's reader returned at the checkpoint the job restores from;
   * undefined on a fresh start. Readers continue from there: that is how sources replay.
   */
  readonly restoredState?: unknown;
  /**
   * The reader states of every subtask at that checkpoint, in subtask order (the parallelism may
   * have changed): readers that can redistribute their work (split by key, like Kafka partitions)
   * take what belongs to them now. Undefined on a fresh start.
   */
  readonly restoredStates?: readonly unknown[];
}

/**
 * Reads one subtask's share of a source. Called only from the task's mailbox; never blocks:
 * `pollNext` returns what is ready and `isAvailable` says when more is.
 */
export interface SourceReader<T> {
  start?(): void | Promise<void>;
  /**
   * Up to `max` records: a non-empty array when records are ready, an empty array when none are
   * (wait for `isAvailable`), or null at the end of a bounded input.
   */
  pollNext(max: number): T[] | null;
  /** Resolves when `pollNext` has something new (records or the end). */
  isAvailable(): Promise<void>;
  /**
   * The reader's position at a checkpoint (plain data), taken between two `pollNext` calls: every
   * record returned before is covered by the checkpoint, none after. Sources without it cannot be
   * restored and restart from the beginning.
   */
  snapshotState?(checkpointId: number): unknown;
  close?(): void | Promise<void>;
}

/** A source of records. */
export interface Source<T> {
  /** Bounded sources end; a job whose sources are all bounded finishes. */
  readonly boundedness: 'bounded' | 'unbounded';
  /** Largest useful parallelism (1 for a non-parallel source); undefined means any. */
  readonly maxParallelism?: number;
  /** JSON that identifies the source's configuration; part of the graph hash. */
  describe(): unknown;
  createReader(ctx: SourceReaderContext): SourceReader<T>;
}

const READY: Promise<void> = Promise.resolve();

/** The given elements, in order, from one subtask. */
export class ElementsSource<T> implements Source<T> {
  readonly boundedness = 'bounded';
  readonly maxParallelism = 1;
  readonly #elements: readonly T[];
  constructor(elements: readonly T[]) {
    this.#elements = elements;
  }
  describe(): unknown {
    return { kind: 'elements', count: this.#elements.length };
  }
  createReader(ctx?: SourceReaderContext): SourceReader<T> {
    const elements = this.#elements;
    let next = typeof ctx?.restoredState === 'number' ? ctx.restoredState : 0;
    return {
      snapshotState: () => next,
      pollNext(max: number): T[] | null {
        if (next >= elements.length) return null;
        const end = Math.min(elements.length, next + max);
        const batch = elements.slice(next, end);
        next = end;
        return batch;
      },
      isAvailable: () => READY,
    };
  }
}

/** The numbers from..to (inclusive), split into contiguous ranges across subtasks. */
export class NumberSequenceSource implements Source<number> {
  readonly boundedness = 'bounded';
  readonly #from: number;
  readonly #to: number;
  constructor(from: number, to: number) {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from) {
      throw new RangeError(`fromSequence(${from}, ${to}): expects safe integers with from <= to`);
    }
    this.#from = from;
    this.#to = to;
  }
  describe(): unknown {
    return { kind: 'sequence', from: this.#from, to: this.#to };
  }
  createReader(ctx: SourceReaderContext): SourceReader<number> {
    const total = this.#to - this.#from + 1;
    const p = ctx.parallelism;
    const i = ctx.subtaskIndex;
    let next = this.#from + Math.floor((total * i) / p);
    const end = this.#from + Math.floor((total * (i + 1)) / p); // exclusive
    // Restored at the same parallelism: continue after the last number emitted before the checkpoint.
    const restored = ctx.restoredState as { next: number; end: number } | undefined;
    if (restored !== undefined) {
      if (restored.end !== end) {
        throw new RangeError(
          'a sequence source must be restored at the parallelism it was checkpointed with',
        );
      }
      next = restored.next;
    }
    return {
      snapshotState: () => ({ next, end }),
      pollNext(max: number): number[] | null {
        if (next >= end) return null;
        const n = Math.min(max, end - next);
        const batch = new Array<number>(n);
        for (let k = 0; k < n; k++) batch[k] = next + k;
        next += n;
        return batch;
      },
      isAvailable: () => READY,
    };
  }
}
