// Outputs that feed a network edge: pick the subpartition(s) of each record per the edge's
// partitioner and append whole slices to the ResultPartitionWriter. Batch-at-a-time: one emit per
// subpartition per batch, never per record.
import type { KeySelector, PartitionerKind } from '@eddy/api';
import { subtaskForKeyGroup, assignToKeyGroup } from '@eddy/state';
import type { ResultPartitionWriter } from './io.ts';
import type { Output, Timestamps } from './operators/stream-operator.ts';

/** Control elements travel as events on every subpartition; records are what subclasses route. */
abstract class RecordWriterOutput implements Output {
  protected readonly writer: ResultPartitionWriter;
  constructor(writer: ResultPartitionWriter) {
    this.writer = writer;
  }
  abstract collect(batch: readonly unknown[], timestamps?: Timestamps): void;
  collectSide(): void {
    // A network output carries one stream; side outputs have edges of their own.
  }
  emitWatermark(watermark: number): void {
    this.writer.broadcastInline({ kind: 'watermark', payload: watermark });
  }
  emitWatermarkStatus(idle: boolean): void {
    this.writer.broadcastInline({ kind: 'watermark-status', payload: idle });
  }
}

/** Sends every batch to subpartition 0 (forward edges have exactly one). */
class ForwardOutput extends RecordWriterOutput {
  collect(batch: readonly unknown[], timestamps?: Timestamps): void {
    this.writer.emit(0, batch, 0, batch.length, timestamps);
  }
}

/**
 * Round-robin over subpartitions (rebalance, rescale). Splitting a batch record by record would cost
 * an array per subpartition per batch; instead each batch is cut into contiguous slices that go to
 * consecutive subpartitions starting where the previous batch stopped, which balances the same way
 * over time.
 */
class RoundRobinOutput extends RecordWriterOutput {
  readonly #n: number;
  #next: number;
  constructor(writer: ResultPartitionWriter, start: number) {
    super(writer);
    this.#n = writer.numberOfSubpartitions;
    this.#next = start % this.#n;
  }
  collect(batch: readonly unknown[], timestamps?: Timestamps): void {
    const n = this.#n;
    const len = batch.length;
    const slices = Math.min(n, Math.max(1, Math.floor(len / 64)));
    for (let s = 0; s < slices; s++) {
      const start = Math.floor((s * len) / slices);
      const end = Math.floor(((s + 1) * len) / slices);
      this.writer.emit(this.#next, batch, start, end, timestamps);
      this.#next = this.#next + 1 === n ? 0 : this.#next + 1;
    }
  }
}

/** Every record to every subpartition (records are shared, never mutated). */
class BroadcastOutput extends RecordWriterOutput {
  collect(batch: readonly unknown[], timestamps?: Timestamps): void {
    for (let s = 0; s < this.writer.numberOfSubpartitions; s++)
      this.writer.emit(s, batch, 0, batch.length, timestamps);
  }
}

/** By key group: the consumer subtask that owns the record's key group gets it. */
class KeyGroupStreamOutput extends RecordWriterOutput {
  readonly #key: KeySelector<unknown, unknown>;
  readonly #maxParallelism: number;
  readonly #buckets: unknown[][];
  readonly #tsBuckets: number[][];
  constructor(writer: ResultPartitionWriter, key: KeySelector<unknown, unknown>, maxParallelism: number) {
    super(writer);
    this.#key = key;
    this.#maxParallelism = maxParallelism;
    this.#buckets = Array.from({ length: writer.numberOfSubpartitions }, () => []);
    this.#tsBuckets = Array.from({ length: writer.numberOfSubpartitions }, () => []);
  }
  collect(batch: readonly unknown[], timestamps?: Timestamps): void {
    const n = this.#buckets.length;
    const maxP = this.#maxParallelism;
    const key = this.#key;
    const buckets = this.#buckets;
    if (n === 1) {
      this.writer.emit(0, batch, 0, batch.length, timestamps);
      return;
    }
    if (timestamps === undefined) {
      for (let i = 0; i < batch.length; i++) {
        const v = batch[i];
        buckets[subtaskForKeyGroup(maxP, n, assignToKeyGroup(key(v), maxP))]!.push(v);
      }
    } else {
      const tsBuckets = this.#tsBuckets;
      for (let i = 0; i < batch.length; i++) {
        const v = batch[i];
        const s = subtaskForKeyGroup(maxP, n, assignToKeyGroup(key(v), maxP));
        buckets[s]!.push(v);
        tsBuckets[s]!.push(timestamps[i]!);
      }
    }
    for (let s = 0; s < n; s++) {
      const b = buckets[s]!;
      if (b.length === 0) continue;
      // The buckets are handed over (local channels keep them by reference): start fresh ones.
      buckets[s] = [];
      let ts: number[] | undefined;
      if (timestamps !== undefined) {
        ts = this.#tsBuckets[s]!;
        this.#tsBuckets[s] = [];
      }
      this.writer.emit(s, b, 0, b.length, ts);
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
