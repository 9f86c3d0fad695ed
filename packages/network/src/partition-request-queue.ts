// The producer end of one data-exchange stream: one consuming TaskManager -> this TaskManager
// (Flink's PartitionRequestQueue with its CreditBasedSequenceNumberingViewReaders). For each
// OpenChannel frame it looks up (or parks until registered) the requested subpartition and attaches
// a view holding the channel's credit. Views with something sendable (an event, or a buffer and a
// credit) wait in a round-robin queue; the writer loop takes one frame per view per turn while the
// stream is writable, serializing each buffer once, and piggybacks the subpartition's backlog.
//
// Threading: the event loop. Subpartitions notify views synchronously from the producing task's
// `emit`; the view only enqueues itself and the loop runs in a microtask.
import type * as grpc from '@grpc/grpc-js';
import { EddyError, type Logger } from '@eddy/common';
import { pb, type eddy } from './rpc.ts';
import { FrameWriter } from './frame-writer.ts';
import { BufferSerializer } from './buffer-serializer.ts';
import { encodeEvent } from './channel-event-codec.ts';
import { Deque } from './deque.ts';
import type { PartitionRegistry } from './partition-registry.ts';
import { END_OF_PARTITION, type ResultSubpartition, type SubpartitionReader } from './result-partition.ts';

/** What a PartitionRequestQueue needs from its TaskManager. */
export interface PartitionRequestQueueContext {
  readonly registry: PartitionRegistry;
  readonly requestTimeoutMs: number;
  readonly logger: Logger;
  readonly onClosed: (queue: PartitionRequestQueue) => void;
}

/** The producer-side state of one channel: its subpartition and the credit the consumer granted. */
class CreditBasedSubpartitionView implements SubpartitionReader {
  readonly channel: number;
  readonly #queue: PartitionRequestQueue;
  subpartition: ResultSubpartition | undefined;
  credit: number;
  sendSeq = 0;
  receiveSeq = 1; // the OpenChannel frame was 0
  enqueued = false;
  cancelRequest: (() => void) | undefined;

  constructor(queue: PartitionRequestQueue, channel: number, initialCredit: number) {
    this.#queue = queue;
    this.channel = channel;
    this.credit = initialCredit;
  }

  /** Whether the head of the subpartition can be sent now. */
  isSendable(): boolean {
    const kind = this.subpartition?.peekKind();
    return kind === 'event' || (kind === 'buffer' && this.credit > 0);
  }

  notifyDataAvailable(): void {
    this.#queue.enqueue(this);
  }

  notifyReleased(error: EddyError): void {
    this.subpartition = undefined;
    this.#queue.sendError(this, error.message);
  }
}

/** Serves every channel one consuming TaskManager opened on one stream. */
export class PartitionRequestQueue {
  readonly #call: grpc.ServerDuplexStream<eddy.v1.DataFrame, eddy.v1.DataFrame>;
  readonly #ctx: PartitionRequestQueueContext;
  readonly #writer: FrameWriter;
  readonly #views = new Map<number, CreditBasedSubpartitionView>();
  readonly #ready = new Deque<CreditBasedSubpartitionView>();
  readonly #serializer = new BufferSerializer();
  readonly #peer: string;
  #scheduled = false;
  #closed = false;

  constructor(
    call: grpc.ServerDuplexStream<eddy.v1.DataFrame, eddy.v1.DataFrame>,
    ctx: PartitionRequestQueueContext,
  ) {
    this.#call = call;
    this.#ctx = ctx;
    this.#peer = call.getPeer();
    this.#writer = new FrameWriter(call, () => this.#schedule());
    call.on('data', (frame: eddy.v1.DataFrame) => this.#onFrame(frame));
    call.on('end', () => this.close());
    call.on('error', (err: Error) => {
      ctx.logger.debug({ peer: this.#peer, err: err.message }, 'data exchange stream failed');
      this.close();
    });
    call.on('cancelled', () => this.close());
  }

  /** @internal a view has something to send. */
  enqueue(view: CreditBasedSubpartitionView): void {
    if (view.enqueued || this.#closed || !view.isSendable()) return;
    view.enqueued = true;
    this.#ready.push(view);
    this.#schedule();
  }

  /** @internal fails the view's channel with an error frame and forgets it. */
  sendError(view: CreditBasedSubpartitionView, message: string): void {
    this.#forget(view);
    this.#writer.write(
      pb.DataFrame.create({
        channel: view.channel,
        seq: nextSeq(view),
        error: pb.ChannelError.create({ message }),
      }),
    );
  }

  /** Detaches every view and ends the stream. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#writer.close();
    for (const view of [...this.#views.values()]) this.#forget(view);
    this.#ready.clear();
    try {
      this.#call.end();
    } catch {
      // already ended or destroyed
    }
    this.#ctx.onClosed(this);
  }

  #onFrame(frame: eddy.v1.DataFrame): void {
    if (this.#closed) return;
    if (frame.body === 'open') {
      this.#open(frame.channel, frame.seq, frame.open!);
      return;
    }
    const view = this.#views.get(frame.channel);
    if (view === undefined) return; // ended or failed already; late credits are dropped
    if (frame.seq !== view.receiveSeq) {
      this.sendError(
        view,
        `frame ${frame.seq} arrived at the producer where ${view.receiveSeq} was expected`,
      );
      return;
    }
    view.receiveSeq = (view.receiveSeq + 1) >>> 0;
    switch (frame.body) {
      case 'credit':
        view.credit += frame.credit ?? 0;
        this.enqueue(view);
        break;
      case 'close':
        this.#forget(view);
        break;
      default:
        this.sendError(view, `unexpected frame '${frame.body}' from a consumer`);
    }
  }

  #open(channel: number, seq: number, open: eddy.v1.OpenChannel.$Properties): void {
    const partitionId = open.partitionId ?? '';
    const index = open.subpartition ?? 0;
    const view = new CreditBasedSubpartitionView(this, channel, open.initialCredit ?? 0);
    if (this.#views.has(channel) || seq !== 0) {
      this.sendError(view, `channel ${channel} opened twice on one stream (frame ${seq})`);
      return;
    }
    this.#views.set(channel, view);
    view.cancelRequest = this.#ctx.registry.request(
      partitionId,
      open.jobId ?? '',
      open.attempt ?? 0,
      this.#ctx.requestTimeoutMs,
      (error, partition) => {
        view.cancelRequest = undefined;
        if (this.#views.get(channel) !== view) return; // closed meanwhile
        if (error !== undefined || partition === undefined) {
          this.sendError(view, error?.message ?? `partition ${partitionId} not found`);
          return;
        }
        const sub = partition.subpartition(index);
        if (sub === undefined || partition.isReleased) {
          this.sendError(
            view,
            sub === undefined
              ? `partition ${partitionId} has ${partition.numberOfSubpartitions} subpartitions, ${index} was requested`
              : `partition ${partitionId} was released`,
          );
          return;
        }
        try {
          view.subpartition = sub;
          sub.attachReader(view);
        } catch (err) {
          view.subpartition = undefined;
          this.sendError(view, EddyError.from(err).message);
        }
      },
    );
  }

  #forget(view: CreditBasedSubpartitionView): void {
    if (this.#views.get(view.channel) === view) this.#views.delete(view.channel);
    view.cancelRequest?.();
    view.cancelRequest = undefined;
    view.subpartition?.detachReader(view);
    view.subpartition = undefined;
  }

  #schedule(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      try {
        this.#writeLoop();
      } catch (err) {
        // A bug in the loop: fail the stream loudly (every consumer channel on it fails) rather than
        // leave channels silently stuck.
        this.#ctx.logger.error({ peer: this.#peer, err }, 'data exchange write loop failed');
        this.close();
      }
    });
  }

  /** Sends one frame per ready view per turn, while the stream takes more. */
  #writeLoop(): void {
    this.#scheduled = false;
    while (this.#writer.writable && this.#ready.length > 0) {
      const view = this.#ready.shift()!;
      view.enqueued = false;
      const sub = view.subpartition;
      if (sub === undefined || !view.isSendable()) continue;
      const item = sub.poll()!;
      if (item.kind === 'buffer') {
        view.credit--;
        let bytes: Uint8Array;
        try {
          bytes = this.#serializer.serialize(item.records, item.timestamps, item.inline);
        } catch (err) {
          // A record the serializer cannot handle fails the partition: its consumers see the reason.
          const error = EddyError.from(err);
          this.#ctx.logger.error(
            { partitionId: sub.partition.partitionId, err: error.message },
            'serialization failed',
          );
          sub.partition.release(error.message);
          continue;
        }
        sub.partition.recordSerialized(bytes.length, item.records.length);
        this.#writer.write(
          pb.DataFrame.create({
            channel: view.channel,
            seq: nextSeq(view),
            buffer: bytes,
            backlog: sub.backlog,
          }),
        );
      } else {
        this.#writer.write(
          pb.DataFrame.create({
            channel: view.channel,
            seq: nextSeq(view),
            event: encodeEvent(item.event),
            backlog: sub.backlog,
          }),
        );
        if (item.event.kind === END_OF_PARTITION.kind) {
          this.#forget(view);
          continue;
        }
      }
      this.enqueue(view);
    }
  }
}

function nextSeq(view: CreditBasedSubpartitionView): number {
  const seq = view.sendSeq;
  view.sendSeq = (seq + 1) >>> 0;
  return seq;
}
