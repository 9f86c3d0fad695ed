// The consuming side of one edge for one subtask (Flink's SingleInputGate): one InputChannel per
// producing subtask, either a LocalInputChannel (producer in this TaskManager: record arrays by
// reference) or a RemoteInputChannel (a channel on the data-exchange stream to the producer's
// TaskManager). The gate owns the receiver side of credit-based flow control (credit.ts): each
// channel's exclusive credit, the floating pool, and the decision where freed buffers go.
//
// Threading: the owning task calls pollNext / whenAvailable / isFinished / close from its mailbox;
// channels deliver on the same event loop. Arrivals only queue data and resolve the availability
// promise: nothing calls back into the task.
import { EddyError, type JobId } from '@eddy/common';
import type { InputGate, InputGateElement, RuntimeEvent } from '@eddy/runtime';
import {
  closeChannel,
  createGateCredit,
  onBacklog,
  onBufferConsumed,
  onBufferReceived,
  openChannel,
  type CreditGrant,
  type GateCredit,
} from './credit.ts';
import { BufferDeserializer } from './buffer-serializer.ts';
import { Deque } from './deque.ts';
import { END_OF_PARTITION, type RecordBatch } from './result-partition.ts';

/** The transport of one channel, as the gate drives it. */
export interface InputChannel {
  /** Asks the producer for the subpartition, granting `initialCredit` buffers up front. */
  requestSubpartition(initialCredit: number): void;
  /** Grants `credits` more buffers to the producer. */
  notifyCredit(credits: number): void;
  /** Stops reading: the gate closed, failed, or the channel ended. Idempotent. */
  release(reason: string): void;
}

/** Counters of one input channel, for tests and debugging. */
export interface InputChannelStats {
  /** Credits granted to the producer so far (cumulative). */
  readonly creditsGranted: number;
  readonly buffersReceived: number;
  readonly buffersConsumed: number;
  /** Buffers received and not consumed yet. */
  readonly queuedBuffers: number;
  /** Buffers the receiver currently grants the channel (exclusive + floating). */
  readonly grantedBuffers: number;
}

/** Counters of a gate, for tests and debugging. */
export interface InputGateStats {
  readonly channels: readonly InputChannelStats[];
  /** Buffers held by the gate now, and the most ever held at once. */
  readonly heldBuffers: number;
  readonly maxHeldBuffers: number;
  readonly floatingFree: number;
}

/** An event as queued in a channel (buffers are queued as bytes or record arrays directly). */
class ReceivedEvent {
  readonly event: RuntimeEvent;
  constructor(event: RuntimeEvent) {
    this.event = event;
  }
}

type Received = Uint8Array | RecordBatch | ReceivedEvent;

/** Options of a SingleInputGate. */
export interface SingleInputGateOptions {
  readonly jobId: JobId;
  readonly attempt: number;
  readonly edgeId: string;
  readonly numberOfChannels: number;
  readonly exclusiveBuffers: number;
  readonly floatingBuffers: number;
  /** Called once when the gate closes. */
  readonly onClosed: (gate: SingleInputGate) => void;
}

/** An InputGate over local and remote channels, round-robin fair over channels with data. */
export class SingleInputGate implements InputGate {
  readonly numberOfChannels: number;
  readonly jobId: JobId;
  readonly attempt: number;
  readonly edgeId: string;
  readonly #credit: GateCredit;
  readonly #queues: Deque<Received>[] = [];
  /** Channels with queued data, in arrival order: the round-robin of pollNext. */
  readonly #withData = new Deque<number>();
  /** Channels held back by checkpoint alignment, and those of them that have data. */
  readonly #blocked: boolean[] = [];
  readonly #parked: number[] = [];
  /** Elements of a buffer already taken, not yet polled (the buffer carried inline events). */
  readonly #pending = new Deque<InputGateElement>();
  readonly #hasData: boolean[];
  readonly #granted: number[];
  readonly #received: number[];
  readonly #consumed: number[];
  readonly #deserializer = new BufferDeserializer();
  readonly #onClosed: (gate: SingleInputGate) => void;
  #channels: InputChannel[] = [];
  #finishedChannels = 0;
  #heldBuffers = 0;
  #maxHeldBuffers = 0;
  #failure: EddyError | undefined;
  #closed = false;
  #waiter: PromiseWithResolvers<void> | undefined;

  constructor(options: SingleInputGateOptions) {
    this.numberOfChannels = options.numberOfChannels;
    this.jobId = options.jobId;
    this.attempt = options.attempt;
    this.edgeId = options.edgeId;
    this.#onClosed = options.onClosed;
    this.#credit = createGateCredit(
      options.numberOfChannels,
      options.exclusiveBuffers,
      options.floatingBuffers,
    );
    for (let i = 0; i < options.numberOfChannels; i++) this.#queues.push(new Deque<Received>());
    this.#hasData = new Array<boolean>(options.numberOfChannels).fill(false);
    this.#granted = new Array<number>(options.numberOfChannels).fill(0);
    this.#received = new Array<number>(options.numberOfChannels).fill(0);
    this.#consumed = new Array<number>(options.numberOfChannels).fill(0);
  }

  /** Attaches the channels (index i reads channel i of the descriptor) and requests their subpartitions. */
  start(channels: InputChannel[]): void {
    if (channels.length !== this.numberOfChannels) {
      throw new EddyError(
        'INTERNAL',
        `gate of edge ${this.edgeId} expects ${this.numberOfChannels} channels`,
      );
    }
    this.#channels = channels;
    for (let i = 0; i < channels.length; i++) {
      if (this.#closed || this.#failure !== undefined) return;
      const initial = openChannel(this.#credit, i);
      this.#granted[i]! += initial;
      channels[i]!.requestSubpartition(initial);
    }
  }

  pollNext(): InputGateElement | undefined {
    if (this.#failure !== undefined || this.#closed) return undefined;
    // The rest of a buffer that carried inline events goes first: it precedes anything later.
    const pending = this.#pending.shift();
    if (pending !== undefined) return pending;
    let channel = this.#withData.shift();
    // Blocked channels (aligning a checkpoint barrier) keep their data, and so their credit.
    while (channel !== undefined && this.#blocked[channel] === true) {
      this.#parked.push(channel);
      channel = this.#withData.shift();
    }
    if (channel === undefined) return undefined;
    const queue = this.#queues[channel]!;
    const item = queue.shift()!;
    if (queue.length > 0) this.#withData.push(channel);
    else this.#hasData[channel] = false;
    if (item instanceof ReceivedEvent) {
      if (item.event.kind === END_OF_PARTITION.kind) this.#finishedChannels++;
      return { kind: 'event', channel, event: item.event };
    }
    const batch = item instanceof Uint8Array ? this.#deserializer.deserialize(item) : item;
    this.#heldBuffers--;
    this.#consumed[channel]!++;
    this.#grant(onBufferConsumed(this.#credit, channel));
    if (batch.inline === undefined) return recordsElement(channel, batch.records, batch.timestamps);
    // Cut the buffer at its inline events: records, event, records, ... in their order.
    const { records, timestamps } = batch;
    let from = 0;
    for (const { at, event } of batch.inline) {
      if (at > from)
        this.#pending.push(recordsElement(channel, records.slice(from, at), timestamps?.slice(from, at)));
      this.#pending.push({ kind: 'event', channel, event });
      from = at;
    }
    if (from < records.length) {
      this.#pending.push(
        from === 0
          ? recordsElement(channel, records, timestamps)
          : recordsElement(channel, records.slice(from), timestamps?.slice(from)),
      );
    }
    return this.#pending.shift();
  }

  /** Stops returning data of `channel` until `unblockAllChannels` (barrier alignment). */
  blockChannel(channel: number): void {
    this.#blocked[channel] = true;
  }

  /** Resumes every blocked channel. */
  unblockAllChannels(): void {
    this.#blocked.length = 0;
    if (this.#parked.length === 0) return;
    for (const c of this.#parked) this.#withData.push(c);
    this.#parked.length = 0;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve();
  }

  whenAvailable(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#closed || this.#withData.length > 0 || this.#pending.length > 0 || this.isFinished()) {
      return Promise.resolve();
    }
    this.#waiter ??= Promise.withResolvers<void>();
    return this.#waiter.promise;
  }

  isFinished(): boolean {
    return this.#finishedChannels === this.numberOfChannels;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#releaseChannels(`input gate of edge ${this.edgeId} closed`);
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(
      new EddyError(
        'INPUT_GATE_CLOSED',
        `input gate of edge ${this.edgeId} was closed while the task waited on it`,
        {
          domain: 'external',
          retryable: true,
        },
      ),
    );
    this.#onClosed(this);
  }

  /** Buffers held by this gate (received, not consumed). */
  heldBuffers(): number {
    return this.#heldBuffers;
  }

  stats(): InputGateStats {
    const channels: InputChannelStats[] = [];
    for (let i = 0; i < this.numberOfChannels; i++) {
      const c = this.#credit.channels[i]!;
      channels.push({
        creditsGranted: this.#granted[i]!,
        buffersReceived: this.#received[i]!,
        buffersConsumed: this.#consumed[i]!,
        queuedBuffers: c.queued,
        grantedBuffers: this.#credit.exclusive + c.floatingHeld,
      });
    }
    return {
      channels,
      heldBuffers: this.#heldBuffers,
      maxHeldBuffers: this.#maxHeldBuffers,
      floatingFree: this.#credit.floatingFree,
    };
  }

  // --- called by channels -----------------------------------------------------------------------

  /** A buffer (bytes from a remote channel, or records from a local one) arrived on `channel`. */
  onBuffer(channel: number, buffer: Uint8Array | RecordBatch, backlog: number): void {
    if (this.#closed || this.#failure !== undefined) return;
    let grants: readonly CreditGrant[];
    try {
      grants = onBufferReceived(this.#credit, channel, backlog);
    } catch (err) {
      this.onError(channel, EddyError.from(err));
      return;
    }
    this.#received[channel]!++;
    this.#heldBuffers++;
    if (this.#heldBuffers > this.#maxHeldBuffers) this.#maxHeldBuffers = this.#heldBuffers;
    this.#enqueue(channel, buffer);
    this.#grant(grants);
  }

  /** An event arrived on `channel`, with the producer's backlog behind it. */
  onEvent(channel: number, event: RuntimeEvent, backlog: number): void {
    if (this.#closed || this.#failure !== undefined) return;
    this.#enqueue(channel, new ReceivedEvent(event));
    if (event.kind === END_OF_PARTITION.kind) {
      // The channel is done (it detached itself): its unused floating credit goes back to the pool.
      this.#grant(closeChannel(this.#credit, channel));
    } else {
      this.#grant(onBacklog(this.#credit, channel, backlog));
    }
  }

  /** `channel` failed: the whole gate fails (the task cannot make progress without it). */
  onError(_channel: number, error: EddyError): void {
    if (this.#closed || this.#failure !== undefined) return;
    this.#failure = error;
    this.#releaseChannels(error.message);
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.reject(error);
  }

  #enqueue(channel: number, item: Received): void {
    this.#queues[channel]!.push(item);
    if (!this.#hasData[channel]) {
      this.#hasData[channel] = true;
      this.#withData.push(channel);
    }
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve();
    }
  }

  #grant(grants: readonly CreditGrant[]): void {
    for (const g of grants) {
      this.#granted[g.channel]! += g.credits;
      this.#channels[g.channel]?.notifyCredit(g.credits);
    }
  }

  #releaseChannels(reason: string): void {
    for (const ch of this.#channels) ch.release(reason);
    for (const q of this.#queues) q.clear();
    this.#withData.clear();
    this.#hasData.fill(false);
    this.#heldBuffers = 0;
  }
}

function recordsElement(
  channel: number,
  records: readonly unknown[],
  timestamps: readonly number[] | undefined,
): InputGateElement {
  return timestamps === undefined
    ? { kind: 'records', channel, records }
    : { kind: 'records', channel, records, timestamps };
}
