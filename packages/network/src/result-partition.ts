// The producing side of one edge for one subtask (Flink's ResultPartition): one ResultSubpartition
// per consumer. `emit` appends records to the subpartition's buffer in progress; a buffer is cut
// when it holds about `bufferSize` bytes worth of records, when the buffer timeout fires, or before
// an event. Finished buffers and events queue in order until the subpartition's reader (a local
// input channel or a remote view on a data-exchange stream) takes them against credit.
//
// Buffers stay record arrays until a remote view sends them: only then are they serialized (once,
// the whole buffer in one msgpackr call), and the encoded size feeds the records-per-buffer estimate,
// so the producer never encodes twice. Local readers take the arrays by reference.
//
// Threading: the owning task calls the writer methods from its mailbox; readers and the flush timer
// run on the same event loop. Readers are told about new data synchronously and must only schedule
// work; the task learns about progress only through `whenAvailable` / `whenConsumed`.
import { EddyError, internalError, type JobId } from '@eddy/common';
import type { ResultPartitionWriter, RuntimeEvent } from '@eddy/runtime';
import { Deque } from './deque.ts';

/** An event carried inside a buffer, before record `at` (at = records.length: after the last). */
export interface InlineEvent {
  readonly at: number;
  readonly event: RuntimeEvent;
}

/**
 * Records of one buffer with their timestamps (aligned; undefined when the stream has none), and
 * the stream elements that travel between records inside the buffer (watermarks, as Flink
 * serializes them with the records), in order.
 */
export interface RecordBatch {
  readonly records: unknown[];
  readonly timestamps: number[] | undefined;
  readonly inline: InlineEvent[] | undefined;
}

/** A finished buffer (a batch of records) or an event, as queued in a subpartition. */
export type BufferOrEvent =
  ({ readonly kind: 'buffer' } & RecordBatch) | { readonly kind: 'event'; readonly event: RuntimeEvent };

/** The consumer of one subpartition: a local input channel or a remote subpartition view. */
export interface SubpartitionReader {
  /** Something was queued. Called synchronously from the producer: only schedule work here. */
  notifyDataAvailable(): void;
  /** The partition was released; the reader must fail its channel with `error`. */
  notifyReleased(error: EddyError): void;
}

/** The event that ends every subpartition. */
export const END_OF_PARTITION: RuntimeEvent = Object.freeze({ kind: 'end-of-partition' });

/** Counters of one subpartition, for tests and debugging. */
export interface SubpartitionStats {
  /** Finished buffers queued, not yet taken by the reader. */
  readonly queuedBuffers: number;
  /** The most buffers ever queued at once. */
  readonly maxQueuedBuffers: number;
  /** Buffers the reader has taken (sent, for remote readers). */
  readonly buffersTaken: number;
}

/** Tuning of one ResultPartition. */
export interface ResultPartitionOptions {
  readonly jobId: JobId;
  readonly attempt: number;
  readonly partitionId: string;
  readonly numberOfSubpartitions: number;
  /** Target size of a network buffer in bytes. */
  readonly bufferSize: number;
  /** Milliseconds before a partly filled buffer is sent; 0 sends after every emit call. */
  readonly bufferTimeout: number;
  /** A subpartition with more unsent buffers than this makes the writer unavailable. */
  readonly backlogLimit: number;
  /** Called once when the partition is fully consumed or released (unregisters it). */
  readonly onDisposed: (partition: ResultPartition) => void;
}

/** Initial estimate of a serialized record's size, until a remote view has encoded a buffer. */
const INITIAL_BYTES_PER_RECORD = 32;
/** Upper bound of records per buffer, so tiny records still make buffers that flow. */
const MAX_RECORDS_PER_BUFFER = 16_384;

/** One subpartition: the queue of buffers and events for one consumer. */
export class ResultSubpartition {
  readonly index: number;
  readonly #partition: ResultPartition;
  readonly #queue = new Deque<BufferOrEvent>();
  #buffers = 0;
  #current: unknown[] = [];
  /** Timestamps of #current, created when the first timestamped record arrives. */
  #currentTs: number[] | undefined;
  /** Inline events of #current. */
  #currentInline: InlineEvent[] | undefined;
  #reader: SubpartitionReader | undefined;
  #maxQueued = 0;
  #taken = 0;
  #consumed = false;

  constructor(partition: ResultPartition, index: number) {
    this.#partition = partition;
    this.index = index;
  }

  /** The partition this subpartition belongs to. */
  get partition(): ResultPartition {
    return this.#partition;
  }

  /** Finished buffers queued behind the head (the backlog announced to the consumer). */
  get backlog(): number {
    return this.#buffers;
  }

  /** Whether the end-of-partition was taken by the reader. */
  get isConsumed(): boolean {
    return this.#consumed;
  }

  /** Attaches the consumer. A subpartition is read by exactly one reader. */
  attachReader(reader: SubpartitionReader): void {
    if (this.#reader !== undefined) {
      throw new EddyError(
        'SUBPARTITION_BUSY',
        `subpartition ${this.index} of partition ${this.#partition.partitionId} already has a consumer`,
      );
    }
    this.#reader = reader;
    if (this.#queue.length > 0) reader.notifyDataAvailable();
  }

  /** Detaches `reader` (its channel closed); queued data stays until the partition is released. */
  detachReader(reader: SubpartitionReader): void {
    if (this.#reader === reader) this.#reader = undefined;
  }

  /** The kind of the head, or undefined when nothing is queued. */
  peekKind(): 'buffer' | 'event' | undefined {
    return this.#queue.peek()?.kind;
  }

  /** Takes the head. The reader is responsible for credit: it takes a buffer only against one. */
  poll(): BufferOrEvent | undefined {
    const item = this.#queue.shift();
    if (item === undefined) return undefined;
    if (item.kind === 'buffer') {
      this.#taken++;
      this.#buffers--;
      if (this.#buffers === this.#partition.backlogLimit) this.#partition.onBelowBacklogLimit();
    } else if (item.event.kind === END_OF_PARTITION.kind) {
      this.#consumed = true;
      this.#partition.onSubpartitionConsumed();
    }
    return item;
  }

  stats(): SubpartitionStats {
    return { queuedBuffers: this.#buffers, maxQueuedBuffers: this.#maxQueued, buffersTaken: this.#taken };
  }

  /** Appends records[start..end), cutting a buffer whenever `target` records are collected. */
  append(
    records: readonly unknown[],
    start: number,
    end: number,
    target: number,
    timestamps: readonly number[] | undefined,
  ): void {
    let current = this.#current;
    if (timestamps !== undefined && this.#currentTs === undefined) {
      this.#currentTs = new Array<number>(current.length).fill(Number.MIN_SAFE_INTEGER);
    }
    for (let i = start; i < end;) {
      // The target may have shrunk below what the buffer in progress holds (a remote view adapted the
      // estimate since the last append): cut first, so `n` is never negative.
      if (current.length >= target) {
        this.#enqueueBuffer(current, this.#currentTs, this.#currentInline);
        current = this.#current = [];
        this.#currentTs = timestamps === undefined ? undefined : [];
        this.#currentInline = undefined;
      }
      const n = Math.min(target - current.length, end - i);
      for (let k = 0; k < n; k++) current.push(records[i + k]);
      const ts = this.#currentTs;
      if (ts !== undefined) {
        if (timestamps === undefined) for (let k = 0; k < n; k++) ts.push(Number.MIN_SAFE_INTEGER);
        else for (let k = 0; k < n; k++) ts.push(timestamps[i + k]!);
      }
      i += n;
      if (current.length >= target) {
        this.#enqueueBuffer(current, this.#currentTs, this.#currentInline);
        current = this.#current = [];
        this.#currentTs = timestamps === undefined ? undefined : [];
        this.#currentInline = undefined;
      }
    }
  }

  hasPartialBuffer(): boolean {
    return this.#current.length > 0 || this.#currentInline !== undefined;
  }

  /** Appends `event` to the buffer in progress, after the records appended so far. */
  appendInline(event: RuntimeEvent): void {
    (this.#currentInline ??= []).push({ at: this.#current.length, event });
  }

  /** Cuts the buffer in progress, if it holds anything. */
  flush(): void {
    if (!this.hasPartialBuffer()) return;
    const records = this.#current;
    const timestamps = this.#currentTs;
    const inline = this.#currentInline;
    this.#current = [];
    this.#currentTs = undefined;
    this.#currentInline = undefined;
    this.#enqueueBuffer(records, timestamps, inline);
  }

  addEvent(event: RuntimeEvent): void {
    this.flush();
    this.#queue.push({ kind: 'event', event });
    this.#reader?.notifyDataAvailable();
  }

  /** Drops everything and fails the reader. */
  release(error: EddyError): void {
    this.#queue.clear();
    this.#buffers = 0;
    this.#current = [];
    this.#currentTs = undefined;
    this.#currentInline = undefined;
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.notifyReleased(error);
  }

  #enqueueBuffer(
    records: unknown[],
    timestamps: number[] | undefined,
    inline: InlineEvent[] | undefined,
  ): void {
    this.#queue.push({ kind: 'buffer', records, timestamps, inline });
    this.#buffers++;
    if (this.#buffers > this.#maxQueued) this.#maxQueued = this.#buffers;
    if (this.#buffers === this.#partition.backlogLimit + 1) this.#partition.onAboveBacklogLimit();
    this.#reader?.notifyDataAvailable();
  }
}

type PartitionState = 'running' | 'finished' | 'consumed' | 'released';

/**
 * A ResultPartition: implements the runtime's ResultPartitionWriter.
 *
 * Backpressure: the writer is unavailable while any subpartition queues more than `backlogLimit`
 * finished buffers that its reader has not taken (default: exclusive buffers per channel + 1, so
 * the queue always holds enough to use every credit a consumer can grant without floating buffers,
 * and one more). `emit` never blocks; memory per subpartition is bounded by that limit plus what one
 * emit call adds, because the task stops producing until `whenAvailable` resolves.
 */
export class ResultPartition implements ResultPartitionWriter {
  readonly partitionId: string;
  readonly numberOfSubpartitions: number;
  readonly jobId: JobId;
  readonly attempt: number;
  readonly backlogLimit: number;
  readonly #subpartitions: ResultSubpartition[] = [];
  readonly #bufferSize: number;
  readonly #bufferTimeout: number;
  readonly #onDisposed: (partition: ResultPartition) => void;
  #state: PartitionState = 'running';
  #bytesPerRecord = INITIAL_BYTES_PER_RECORD;
  #targetRecords: number;
  #overLimit = 0;
  #unconsumed: number;
  #flushTimer: NodeJS.Timeout | undefined;
  #availableWaiter: PromiseWithResolvers<void> | undefined;
  readonly #consumed = Promise.withResolvers<void>();

  constructor(options: ResultPartitionOptions) {
    this.partitionId = options.partitionId;
    this.numberOfSubpartitions = options.numberOfSubpartitions;
    this.jobId = options.jobId;
    this.attempt = options.attempt;
    this.backlogLimit = options.backlogLimit;
    this.#bufferSize = options.bufferSize;
    this.#bufferTimeout = options.bufferTimeout;
    this.#onDisposed = options.onDisposed;
    this.#targetRecords = this.#recordsFor(this.#bytesPerRecord);
    this.#unconsumed = options.numberOfSubpartitions;
    for (let i = 0; i < options.numberOfSubpartitions; i++) {
      this.#subpartitions.push(new ResultSubpartition(this, i));
    }
  }

  /** Subpartition `index`, or undefined when out of range. */
  subpartition(index: number): ResultSubpartition | undefined {
    return this.#subpartitions[index];
  }

  get isReleased(): boolean {
    return this.#state === 'released';
  }

  emit(
    subpartition: number,
    records: readonly unknown[],
    start = 0,
    end = records.length,
    timestamps?: readonly number[],
  ): void {
    if (this.#state !== 'running') {
      if (this.#state === 'released') return; // cancelled: consumers are gone, the task is winding down
      throw internalError(`emit into partition ${this.partitionId} after finish()`);
    }
    const sub = this.#subpartitions[subpartition];
    if (sub === undefined) {
      throw internalError(
        `emit into subpartition ${subpartition} of partition ${this.partitionId}, which has ${this.numberOfSubpartitions}`,
      );
    }
    if (end <= start) return;
    sub.append(records, start, end, this.#targetRecords, timestamps);
    if (this.#bufferTimeout <= 0) sub.flush();
    else if (this.#flushTimer === undefined && sub.hasPartialBuffer()) this.#armFlushTimer();
  }

  broadcastEvent(event: RuntimeEvent): void {
    if (this.#state !== 'running') {
      if (this.#state === 'released') return;
      throw internalError(`event '${event.kind}' into partition ${this.partitionId} after finish()`);
    }
    for (const sub of this.#subpartitions) sub.addEvent(event);
  }

  /**
   * Appends `event` to every subpartition inside the record stream, without cutting buffers: for
   * stream elements that are frequent and small (watermarks), as Flink serializes them with records.
   */
  broadcastInline(event: RuntimeEvent): void {
    if (this.#state !== 'running') {
      if (this.#state === 'released') return;
      throw internalError(`event '${event.kind}' into partition ${this.partitionId} after finish()`);
    }
    for (const sub of this.#subpartitions) sub.appendInline(event);
    if (this.#bufferTimeout <= 0) this.flushAll();
    else if (this.#flushTimer === undefined) this.#armFlushTimer();
  }

  flushAll(): void {
    if (this.#state !== 'running') return;
    for (const sub of this.#subpartitions) sub.flush();
  }

  isAvailable(): boolean {
    return this.#overLimit === 0;
  }

  whenAvailable(): Promise<void> {
    if (this.#overLimit === 0) return Promise.resolve();
    this.#availableWaiter ??= Promise.withResolvers<void>();
    return this.#availableWaiter.promise;
  }

  finish(): void {
    if (this.#state !== 'running') return;
    this.broadcastEvent(END_OF_PARTITION);
    this.#state = 'finished';
    this.#clearFlushTimer();
    if (this.#unconsumed === 0) this.#dispose('consumed'); // no subpartitions at all
  }

  whenConsumed(): Promise<void> {
    return this.#consumed.promise;
  }

  release(reason = 'released'): void {
    if (this.#state === 'released' || this.#state === 'consumed') return;
    const error = new EddyError(
      'PARTITION_RELEASED',
      `partition ${this.partitionId} was released by its producer: ${reason}`,
      { domain: 'external', retryable: true },
    );
    this.#dispose('released');
    for (const sub of this.#subpartitions) sub.release(error);
    // Wake a backpressured task: a released writer accepts and drops everything.
    this.#overLimit = 0;
    this.#availableWaiter?.resolve();
    this.#availableWaiter = undefined;
  }

  /** Finished buffers queued in all subpartitions. */
  queuedBuffers(): number {
    let n = 0;
    for (const sub of this.#subpartitions) n += sub.backlog;
    return n;
  }

  /** Per-subpartition counters, for tests and debugging. */
  stats(): SubpartitionStats[] {
    return this.#subpartitions.map((s) => s.stats());
  }

  /** A remote view encoded `records` records into `bytes` bytes: adapt the records-per-buffer target. */
  recordSerialized(bytes: number, records: number): void {
    if (records <= 0) return;
    // Exponential moving average: one odd buffer moves the estimate, a trend takes it over.
    this.#bytesPerRecord = 0.5 * this.#bytesPerRecord + 0.5 * (bytes / records);
    this.#targetRecords = this.#recordsFor(this.#bytesPerRecord);
  }

  /** @internal called by a subpartition whose backlog just exceeded the limit. */
  onAboveBacklogLimit(): void {
    this.#overLimit++;
  }

  /** @internal called by a subpartition whose backlog just fell back to the limit. */
  onBelowBacklogLimit(): void {
    if (this.#state === 'released') return;
    this.#overLimit--;
    if (this.#overLimit === 0 && this.#availableWaiter !== undefined) {
      const waiter = this.#availableWaiter;
      this.#availableWaiter = undefined;
      waiter.resolve();
    }
  }

  /** @internal called by a subpartition whose end-of-partition was taken. */
  onSubpartitionConsumed(): void {
    this.#unconsumed--;
    if (this.#unconsumed === 0 && this.#state === 'finished') this.#dispose('consumed');
  }

  #dispose(state: 'consumed' | 'released'): void {
    this.#state = state;
    this.#clearFlushTimer();
    this.#consumed.resolve();
    this.#onDisposed(this);
  }

  #recordsFor(bytesPerRecord: number): number {
    return Math.max(
      1,
      Math.min(MAX_RECORDS_PER_BUFFER, Math.floor(this.#bufferSize / Math.max(1, bytesPerRecord))),
    );
  }

  #armFlushTimer(): void {
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      this.flushAll();
    }, this.#bufferTimeout);
    this.#flushTimer.unref();
  }

  #clearFlushTimer(): void {
    if (this.#flushTimer !== undefined) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
  }
}
