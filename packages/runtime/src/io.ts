// The runtime's view of the data plane. The runtime defines these interfaces; @eddy/network
// implements them (LocalInputChannel / RemoteInputChannel behind one InputGate) and the
// TaskManager wires them together.
//
// Threading: every method is called from the owning task's mailbox (the TaskManager's single event
// loop); implementations never call back into the task synchronously from inside a call, and
// signal progress only by resolving `whenAvailable` promises.
import type { JobId } from '@eddy/common';
import type { InputGateDeploymentDescriptor, ResultPartitionDeploymentDescriptor } from './deployment.ts';

/**
 * An in-band control event. It travels in order with the records of its channel, in its own frame,
 * never inside a batch. 'end-of-partition' is the last element of every subpartition.
 */
export type RuntimeEvent =
  { readonly kind: 'end-of-partition' } | { readonly kind: string; readonly payload?: unknown };

/** What an InputGate yields: a batch of records from one channel, or an event from one channel. */
export type InputGateElement =
  | {
      readonly kind: 'records';
      readonly channel: number;
      readonly records: readonly unknown[];
      /** Aligned with `records`; absent when the stream carries no timestamps. */
      readonly timestamps?: readonly number[];
    }
  | { readonly kind: 'event'; readonly channel: number; readonly event: RuntimeEvent };

/** Network counters of one task, read by its metrics. */
export interface NetworkMetrics {
  /** Buffers held by this task's partitions and gates right now. */
  buffersInUse(): number;
}

/** The producing side of one edge for one subtask (Flink's ResultPartitionWriter). */
export interface ResultPartitionWriter {
  readonly partitionId: string;
  readonly numberOfSubpartitions: number;
  /**
   * Appends `records[start..end)` to `subpartition`. Never blocks and never drops: data beyond the
   * granted credit queues up, and the task stops producing while `isAvailable()` is false.
   * Records must not be mutated after they are emitted (local channels pass them by reference).
   */
  emit(
    subpartition: number,
    records: readonly unknown[],
    start?: number,
    end?: number,
    timestamps?: readonly number[],
  ): void;
  /** Appends `event` to every subpartition after the data emitted so far (flushing it first). */
  broadcastEvent(event: RuntimeEvent): void;
  /**
   * Appends `event` to every subpartition inside the record stream, in order, without cutting the
   * buffer in progress: how watermarks travel (as Flink serializes them with the records), so a
   * watermark after every record costs no more than the record.
   */
  broadcastInline(event: RuntimeEvent): void;
  /** Hands partly filled buffers to their channels now (the buffer timeout does this periodically). */
  flushAll(): void;
  /** False while any subpartition holds more unsent buffers than its backlog limit. */
  isAvailable(): boolean;
  /** Resolves once `isAvailable()` is true (immediately if it is). */
  whenAvailable(): Promise<void>;
  /**
   * Ends the partition: flushes and appends 'end-of-partition' everywhere. The partition stays alive
   * in the TaskManager after its task finished, until every consumer has read it or it is released.
   */
  finish(): void;
  /** Resolves when every subpartition has been fully consumed (or the partition was released). */
  whenConsumed(): Promise<void>;
  /** Drops the partition now (cancel/failure): consumers see an error on their channel. */
  release(reason?: string): void;
}

/** The consuming side of one edge for one subtask (Flink's InputGate). */
export interface InputGate {
  readonly numberOfChannels: number;
  /** Next batch or event from any channel with data, or undefined when none is ready. */
  pollNext(): InputGateElement | undefined;
  /** Resolves when `pollNext` may return something, or rejects when a channel failed. */
  whenAvailable(): Promise<void>;
  /**
   * Holds back `channel`'s data (and so its credit) until `unblockAllChannels`: how an aligned
   * checkpoint waits for a barrier on the other channels.
   */
  blockChannel(channel: number): void;
  unblockAllChannels(): void;
  /** True once every channel delivered 'end-of-partition' and it was polled. */
  isFinished(): boolean;
  /** Stops reading and releases the channels. Idempotent. */
  close(): void;
}

/** Creates partitions and gates for tasks of one TaskManager (Flink's ShuffleEnvironment). */
export interface ShuffleEnvironment {
  /** `overrides.bufferTimeout`: the job's own buffer timeout in ms, when it sets one. */
  createResultPartition(
    jobId: JobId,
    attempt: number,
    desc: ResultPartitionDeploymentDescriptor,
    overrides?: { readonly bufferTimeout?: number },
  ): ResultPartitionWriter;
  createInputGate(jobId: JobId, attempt: number, desc: InputGateDeploymentDescriptor): InputGate;
  /** Releases every partition and gate of `jobId` (all attempts up to and including `attempt`). */
  releaseJob(jobId: JobId, attempt: number): void;
  /** Buffers in use across the TaskManager. */
  readonly metrics: NetworkMetrics;
  close(): Promise<void>;
}
