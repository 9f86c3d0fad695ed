// The consumer end of one data-exchange stream: this TaskManager -> one producing TaskManager
// (Flink's PartitionRequestClient). It opens the bidi stream lazily, multiplexes every remote input
// channel reading from that TaskManager over it (OpenChannel frames declare channel numbers), checks
// per-channel sequence numbers, and fails every open channel when the stream breaks.
//
// Threading: the event loop. Frames are dispatched to channels, which queue them in their gate.
import * as grpc from '@grpc/grpc-js';
import { EddyError, type Logger } from '@eddy/common';
import { DataExchangeClient, DataExchangeService, GRPC_OPTIONS, pb, type eddy } from './rpc.ts';
import { FrameWriter } from './frame-writer.ts';
import { decodeEvent } from './channel-event-codec.ts';
import { END_OF_PARTITION } from './result-partition.ts';
import type { RemoteInputChannel } from './remote-input-channel.ts';

/** One stream to one producing TaskManager, shared by every remote channel reading from it. */
export class PartitionRequestClient {
  readonly address: string;
  readonly #client: grpc.Client;
  readonly #call: grpc.ClientDuplexStream<eddy.v1.DataFrame, eddy.v1.DataFrame>;
  readonly #writer: FrameWriter;
  readonly #channels = new Map<number, RemoteInputChannel>();
  readonly #logger: Logger;
  readonly #onDead: (client: PartitionRequestClient) => void;
  #nextChannel = 0;
  #dead: EddyError | undefined;

  constructor(
    address: string,
    credentials: grpc.ChannelCredentials,
    logger: Logger,
    onDead: (client: PartitionRequestClient) => void,
  ) {
    this.address = address;
    this.#logger = logger;
    this.#onDead = onDead;
    this.#client = new DataExchangeClient(address, credentials, GRPC_OPTIONS);
    const def = DataExchangeService.exchange;
    this.#call = this.#client.makeBidiStreamRequest(def.path, def.requestSerialize, def.responseDeserialize);
    this.#writer = new FrameWriter(this.#call, () => {});
    this.#call.on('data', (frame: eddy.v1.DataFrame) => this.#onFrame(frame));
    this.#call.on('error', (err: grpc.ServiceError) =>
      this.#broken(`the stream failed (${grpc.status[err.code] ?? err.code}: ${err.details || err.message})`),
    );
    this.#call.on('end', () => this.#broken('the producer closed the stream'));
  }

  /** Whether the stream is broken or closed; a dead client is replaced by a new one. */
  get isDead(): boolean {
    return this.#dead !== undefined;
  }

  /** Number of channels open on this stream. */
  get openChannels(): number {
    return this.#channels.size;
  }

  openChannel(channel: RemoteInputChannel, initialCredit: number): void {
    if (this.#dead !== undefined) {
      channel.onError(this.#dead);
      return;
    }
    const number = this.#nextChannel++;
    channel.channelNumber = number;
    this.#channels.set(number, channel);
    this.#writer.write(
      pb.DataFrame.create({
        channel: number,
        seq: nextSeq(channel),
        open: pb.OpenChannel.create({
          jobId: channel.jobId,
          attempt: channel.attempt,
          partitionId: channel.desc.partitionId,
          subpartition: channel.desc.subpartition,
          initialCredit,
        }),
      }),
    );
  }

  sendCredit(channel: RemoteInputChannel, credits: number): void {
    if (this.#channels.get(channel.channelNumber) !== channel) return;
    this.#writer.write(
      pb.DataFrame.create({ channel: channel.channelNumber, seq: nextSeq(channel), credit: credits }),
    );
  }

  closeChannel(channel: RemoteInputChannel, reason: string): void {
    if (this.#channels.get(channel.channelNumber) !== channel) return;
    this.#channels.delete(channel.channelNumber);
    this.#writer.write(
      pb.DataFrame.create({
        channel: channel.channelNumber,
        seq: nextSeq(channel),
        close: pb.CloseChannel.create({ reason }),
      }),
    );
  }

  /** Ends the stream; open channels fail. Idempotent. */
  close(): void {
    if (this.#dead === undefined) {
      this.#broken('the consuming TaskManager is shutting down');
    }
  }

  #onFrame(frame: eddy.v1.DataFrame): void {
    const channel = this.#channels.get(frame.channel);
    if (channel === undefined) return; // closed by the consumer; frames already in flight are dropped
    if (frame.seq !== channel.receiveSeq) {
      this.#channels.delete(frame.channel);
      channel.onError(
        new EddyError(
          'PROTOCOL_VIOLATION',
          `frame ${frame.seq} arrived where frame ${channel.receiveSeq} was expected (lost or reordered frames)`,
        ),
      );
      return;
    }
    channel.receiveSeq = (channel.receiveSeq + 1) >>> 0;
    try {
      switch (frame.body) {
        case 'buffer':
          channel.onBuffer(frame.buffer!, frame.backlog);
          break;
        case 'event': {
          const event = decodeEvent(frame.event!);
          if (event.kind === END_OF_PARTITION.kind) {
            this.#channels.delete(frame.channel);
            channel.onEnded();
          }
          channel.onEvent(event, frame.backlog);
          break;
        }
        case 'error':
          this.#channels.delete(frame.channel);
          channel.onError(
            new EddyError('PARTITION_ERROR', frame.error?.message ?? 'unknown error', {
              domain: 'external',
              retryable: true,
            }),
          );
          break;
        default:
          throw new EddyError('PROTOCOL_VIOLATION', `unexpected frame '${frame.body}' from a producer`);
      }
    } catch (err) {
      this.#channels.delete(frame.channel);
      channel.onError(EddyError.from(err));
    }
  }

  #broken(why: string): void {
    if (this.#dead !== undefined) return;
    this.#dead = new EddyError(
      'DATA_EXCHANGE_FAILED',
      `data exchange stream to producer TaskManager ${this.address} broke: ${why}`,
      { domain: 'external', retryable: true },
    );
    this.#writer.close();
    const channels = [...this.#channels.values()];
    this.#channels.clear();
    if (channels.length > 0) this.#logger.warn({ producer: this.address, channels: channels.length }, why);
    for (const channel of channels) channel.onError(this.#dead);
    this.#call.cancel();
    this.#client.close();
    this.#onDead(this);
  }
}

function nextSeq(channel: RemoteInputChannel): number {
  const seq = channel.sendSeq;
  channel.sendSeq = (seq + 1) >>> 0;
  return seq;
}
