// Outputs that feed a network edge: pick the subpartition(s) of each record per the edge's
// partitioner and append whole slices to the ResultPartitionWriter. Batch-at-a-time: one emit per
// subpartition per batch, never per record.
import type { KeySelector, PartitionerKind } from '@eddy/api';
import { subtaskForKeyGroup, assignToKeyGroup } from '@eddy/state';
import type { ResultPartitionWriter } from './io.ts';
import type { Output } from './operators/stream-operator.ts';

/** Sends every batch to subpartition 0 (forward edges have exactly one). */
class ForwardOutput implements Output {
  readonly #writer: ResultPartitionWriter;
  constructor(writer: ResultPartitionWriter) {
    this.#writer = writer;
  }
  collect(batch: readonly unknown[]): void {
    this.#writer.emit(0, batch);
  }
}

/**
 * Round-robin over subpartitions (rebalance, rescale). Splitting a batch record by record would cost
 * an array per subpartition per batch; instead each batch is cut into contiguous slices that go to
 * consecutive subpartitions starting where the previous batch stopped, which balances the same way
 * over time.
 */
class RoundRobinOutput implements Output {
  readonly #writer: ResultPartitionWriter;
  readonly #n: number;
  #next: number;
  constructor(writer: ResultPartitionWriter, start: number) {
    this.#writer = writer;
    this.#n = writer.numberOfSubpartitions;
    this.#next = start % this.#n;
  }
  collect(batch: readonly unknown[]): void {
    const n = this.#n;
    const len = batch.length;
    const slices = Math.min(n, Math.max(1, Math.floor(len / 64)));
    for (let s = 0; s < slices; s++) {
      const start = Math.floor((s * len) / slices);
      const end = Math.floor(((s + 1) * len) / slices);
      this.#writer.emit(this.#next, batch, start, end);
      this.#next = this.#next + 1 === n ? 0 : this.#next + 1;
    }
  }
}

/** Every record to every subpartition (records are shared, never mutated). */
class BroadcastOutput implements Output {
  readonly #writer: ResultPartitionWriter;
  constructor(writer: ResultPartitionWriter) {
    this.#writer = writer;
  }
  collect(batch: readonly unknown[]): void {
    for (let s = 0; s < this.#writer.numberOfSubpartitions; s++) this.#writer.emit(s, batch);
  }
}

/** By key group: the consumer subtask that owns the record's key group gets it. */
class KeyGroupStreamOutput implements Output {
  readonly #writer: ResultPartitionWriter;
  readonly #key: KeySelector<unknown, unknown>;
  readonly #maxParallelism: number;
  readonly #buckets: unknown[][];
  constructor(writer: ResultPartitionWriter, key: KeySelector<unknown, unknown>, maxParallelism: number) {
    this.#writer = writer;
    this.#key = key;
    this.#maxParallelism = maxParallelism;
    this.#buckets = Array.from({ length: writer.numberOfSubpartitions }, () => []);
  }
  collect(batch: readonly unknown[]): void {
    const n = this.#buckets.length;
    const maxP = this.#maxParallelism;
    const key = this.#key;
    const buckets = this.#buckets;
    if (n === 1) {
      this.#writer.emit(0, batch);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const v = batch[i];
      buckets[subtaskForKeyGroup(maxP, n, assignToKeyGroup(key(v), maxP))]!.push(v);
    }
    for (let s = 0; s < n; s++) {
      const b = buckets[s]!;
      if (b.length === 0) continue;
      // The bucket is handed over (local channels keep it by reference): start a fresh one.
      buckets[s] = [];
      this.#writer.emit(s, b);
    }
  }
}

/** What a network output needs to know about its edge. */
export interface RecordWriterSpec {
  readonly partitioner: PartitionerKind;
  readonly writer: ResultPartitionWriter;
  readonly keySelector?: KeySelector<unknown, unknown>;
  /** The consumer's max parallelism (number of key groups). */
  readonly maxParallelism: number;
  /** This producer's subtask index: where round-robin starts, so producers do not all hit 0 first. */
  readonly subtaskIndex: number;
}

/** The Output feeding one network edge. */
export function createRecordWriterOutput(spec: RecordWriterSpec): Output {
  switch (spec.partitioner) {
    case 'forward':
      return new ForwardOutput(spec.writer);
    case 'rebalance':
    case 'rescale':
      return new RoundRobinOutput(spec.writer, spec.subtaskIndex);
    case 'broadcast':
      return new BroadcastOutput(spec.writer);
    case 'hash': {
      if (spec.keySelector === undefined) throw new TypeError('hash partitioning needs a key selector');
      return new KeyGroupStreamOutput(spec.writer, spec.keySelector, spec.maxParallelism);
    }
  }
}
