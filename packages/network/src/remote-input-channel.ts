// An input channel whose producer runs in another TaskManager: one channel number on the
// data-exchange stream to that TaskManager (PartitionRequestClient). Buffers arrive serialized and
// are decoded by the gate when the task polls them.
//
// Threading: the event loop.
import { EddyError, type JobId } from '@eddy/common';
import type { InputChannelDeploymentDescriptor, RuntimeEvent } from '@eddy/runtime';
import type { InputChannel, SingleInputGate } from './input-gate.ts';
import type { PartitionRequestClient } from './partition-request-client.ts';

/** A channel reading a subpartition of a partition in another TaskManager. */
export class RemoteInputChannel implements InputChannel {
  readonly desc: InputChannelDeploymentDescriptor;
  readonly jobId: JobId;
  readonly attempt: number;
  readonly #gate: SingleInputGate;
  readonly #index: number;
  readonly #client: PartitionRequestClient;
  /** Channel number on the stream, assigned by the client when opened. */
  channelNumber = -1;
  /** Sequence number of the next frame sent to the producer. */
  sendSeq = 0;
  /** Sequence number expected on the next frame from the producer. */
  receiveSeq = 0;
  #released = false;

  constructor(
    gate: SingleInputGate,
    index: number,
    desc: InputChannelDeploymentDescriptor,
    jobId: JobId,
    attempt: number,
    client: PartitionRequestClient,
  ) {
    this.#gate = gate;
    this.#index = index;
    this.desc = desc;
    this.jobId = jobId;
    this.attempt = attempt;
    this.#client = client;
  }

  requestSubpartition(initialCredit: number): void {
    this.#client.openChannel(this, initialCredit);
  }

  notifyCredit(credits: number): void {
    if (!this.#released) this.#client.sendCredit(this, credits);
  }

  release(reason: string): void {
    if (this.#released) return;
    this.#released = true;
    this.#client.closeChannel(this, reason);
  }

  // --- called by the client ----------------------------------------------------------------------

  onBuffer(bytes: Uint8Array, backlog: number): void {
    this.#gate.onBuffer(this.#index, bytes, backlog);
  }

  onEvent(event: RuntimeEvent, backlog: number): void {
    this.#gate.onEvent(this.#index, event, backlog);
  }

  /** The channel ended normally (end-of-partition): the client forgot it already. */
  onEnded(): void {
    this.#released = true;
  }

  onError(cause: EddyError): void {
    this.#released = true;
    this.#gate.onError(
      this.#index,
      new EddyError(
        cause.code,
        `remote input channel ${this.#index} (partition ${this.desc.partitionId}, subpartition ${this.desc.subpartition}) from producer TaskManager ${this.desc.producer.address} failed: ${cause.message}`,
        { domain: cause.domain, retryable: cause.retryable, cause },
      ),
    );
  }
}
