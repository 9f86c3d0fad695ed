// An input channel whose producer runs in this TaskManager: buffers are the producer's record
// arrays, handed over by reference without serialization or gRPC. Flow control is the same as
// remote: the channel takes a buffer from the subpartition only against a credit granted by its
// gate, so local edges are bounded and backpressure the same way.
//
// Threading: the event loop. The producer tells it about new data synchronously from `emit`; it
// moves what credit allows into the gate's queue (no task code runs), and the gate wakes its task.
import { EddyError, type JobId } from '@eddy/common';
import type { InputChannelDeploymentDescriptor } from '@eddy/runtime';
import type { InputChannel, SingleInputGate } from './input-gate.ts';
import type { PartitionRegistry } from './partition-registry.ts';
import { END_OF_PARTITION, type ResultSubpartition, type SubpartitionReader } from './result-partition.ts';

/** A channel reading a subpartition of a partition in the same TaskManager. */
export class LocalInputChannel implements InputChannel, SubpartitionReader {
  readonly #gate: SingleInputGate;
  readonly #index: number;
  readonly #desc: InputChannelDeploymentDescriptor;
  readonly #jobId: JobId;
  readonly #attempt: number;
  readonly #registry: PartitionRegistry;
  readonly #requestTimeoutMs: number;
  #subpartition: ResultSubpartition | undefined;
  #credit = 0;
  #cancelRequest: (() => void) | undefined;
  #released = false;
  #pumping = false;
  #pumpAgain = false;

  constructor(
    gate: SingleInputGate,
    index: number,
    desc: InputChannelDeploymentDescriptor,
    jobId: JobId,
    attempt: number,
    registry: PartitionRegistry,
    requestTimeoutMs: number,
  ) {
    this.#gate = gate;
    this.#index = index;
    this.#desc = desc;
    this.#jobId = jobId;
    this.#attempt = attempt;
    this.#registry = registry;
    this.#requestTimeoutMs = requestTimeoutMs;
  }

  requestSubpartition(initialCredit: number): void {
    this.#credit = initialCredit;
    this.#cancelRequest = this.#registry.request(
      this.#desc.partitionId,
      this.#jobId,
      this.#attempt,
      this.#requestTimeoutMs,
      (error, partition) => {
        this.#cancelRequest = undefined;
        if (this.#released) return;
        if (error !== undefined || partition === undefined) {
          this.#fail(error ?? new EddyError('PARTITION_NOT_FOUND', 'no partition'));
          return;
        }
        const sub = partition.subpartition(this.#desc.subpartition);
        if (sub === undefined || partition.isReleased) {
          this.#fail(
            new EddyError(
              'PARTITION_NOT_FOUND',
              sub === undefined
                ? `partition has ${partition.numberOfSubpartitions} subpartitions`
                : 'partition was released',
            ),
          );
          return;
        }
        this.#subpartition = sub;
        try {
          sub.attachReader(this);
        } catch (err) {
          this.#subpartition = undefined;
          this.#fail(EddyError.from(err));
        }
      },
    );
  }

  notifyCredit(credits: number): void {
    this.#credit += credits;
    this.#pump();
  }

  release(_reason: string): void {
    if (this.#released) return;
    this.#released = true;
    this.#cancelRequest?.();
    this.#cancelRequest = undefined;
    this.#subpartition?.detachReader(this);
    this.#subpartition = undefined;
  }

  notifyDataAvailable(): void {
    this.#pump();
  }

  notifyReleased(error: EddyError): void {
    this.#subpartition = undefined;
    this.#fail(error);
  }

  /** Moves events, and buffers as far as credit allows, into the gate. Re-entrant calls loop instead. */
  #pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        for (let sub = this.#subpartition; sub !== undefined && !this.#released; sub = this.#subpartition) {
          const kind = sub.peekKind();
          if (kind === undefined || (kind === 'buffer' && this.#credit === 0)) break;
          const item = sub.poll()!;
          if (item.kind === 'buffer') {
            this.#credit--;
            this.#gate.onBuffer(this.#index, item, sub.backlog);
          } else {
            if (item.event.kind === END_OF_PARTITION.kind) {
              sub.detachReader(this);
              this.#subpartition = undefined;
            }
            this.#gate.onEvent(this.#index, item.event, sub.backlog);
          }
        }
      } while (this.#pumpAgain);
    } finally {
      this.#pumping = false;
    }
  }

  #fail(cause: EddyError): void {
    this.#gate.onError(
      this.#index,
      new EddyError(
        cause.code,
        `local input channel ${this.#index} (partition ${this.#desc.partitionId}, subpartition ${this.#desc.subpartition}, TaskManager ${this.#desc.producer.address}) failed: ${cause.message}`,
        { domain: cause.domain, retryable: cause.retryable, cause },
      ),
    );
  }
}
