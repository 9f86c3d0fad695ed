// The data plane of one TaskManager (Flink's NettyShuffleEnvironment): creates ResultPartitions and
// InputGates for its tasks, serves its partitions to other TaskManagers over the DataExchange gRPC
// service, and keeps one data-exchange stream per producing TaskManager it reads from.
//
// Threading: everything runs on the TaskManager's event loop; tasks call in from their mailboxes.
import * as grpc from '@grpc/grpc-js';
import { ConfigOptions, EddyError, type Configuration, type JobId, type Logger } from '@eddy/common';
import type {
  InputGateDeploymentDescriptor,
  NetworkMetrics,
  ResultPartitionDeploymentDescriptor,
  ShuffleEnvironment,
} from '@eddy/runtime';
import { DataExchangeService, type eddy } from './rpc.ts';
import { PartitionRegistry } from './partition-registry.ts';
import { ResultPartition } from './result-partition.ts';
import { SingleInputGate, type InputChannel } from './input-gate.ts';
import { LocalInputChannel } from './local-input-channel.ts';
import { RemoteInputChannel } from './remote-input-channel.ts';
import { PartitionRequestClient } from './partition-request-client.ts';
import { PartitionRequestQueue } from './partition-request-queue.ts';

/** How a NetworkEnvironment is set up. */
export interface NetworkEnvironmentOptions {
  /** host:port of this TaskManager's gRPC server (where `bind()` registers the service). */
  readonly localAddress: string;
  /** Buffer size, buffer timeout, exclusive and floating buffers (`taskmanager.network.*`). */
  readonly config: Configuration;
  readonly logger: Logger;
  /** How long a partition request waits for its partition to register. Default 30 s. */
  readonly partitionRequestTimeoutMs?: number;
  /** Credentials for streams to other TaskManagers (mTLS). Default: insecure. */
  readonly channelCredentials?: grpc.ChannelCredentials;
}

/** Per-partition overrides a job may set. */
export interface ResultPartitionOverrides {
  /** Milliseconds before a partly filled buffer is sent (0 = after every emit call). */
  readonly bufferTimeout?: number;
}

const DEFAULT_PARTITION_REQUEST_TIMEOUT_MS = 30_000;

/** The ShuffleEnvironment of one TaskManager: partitions, gates, and the DataExchange service. */
export class NetworkEnvironment implements ShuffleEnvironment {
  readonly metrics: NetworkMetrics;
  readonly localAddress: string;
  readonly #logger: Logger;
  readonly #registry: PartitionRegistry;
  readonly #gates = new Set<SingleInputGate>();
  readonly #clients = new Map<string, PartitionRequestClient>();
  readonly #serverQueues = new Set<PartitionRequestQueue>();
  readonly #credentials: grpc.ChannelCredentials;
  readonly #requestTimeoutMs: number;
  readonly #bufferSize: number;
  readonly #bufferTimeout: number;
  readonly #exclusiveBuffers: number;
  readonly #floatingBuffers: number;
  #closed = false;

  constructor(options: NetworkEnvironmentOptions) {
    this.localAddress = options.localAddress;
    this.#logger = options.logger;
    this.#registry = new PartitionRegistry(options.localAddress);
    this.#credentials = options.channelCredentials ?? grpc.credentials.createInsecure();
    this.#requestTimeoutMs = options.partitionRequestTimeoutMs ?? DEFAULT_PARTITION_REQUEST_TIMEOUT_MS;
    const config = options.config;
    this.#bufferSize = positive(config.get(ConfigOptions.bufferSize), ConfigOptions.bufferSize.key, 1);
    this.#bufferTimeout = positive(
      config.get(ConfigOptions.bufferTimeout),
      ConfigOptions.bufferTimeout.key,
      0,
    );
    this.#exclusiveBuffers = positive(
      config.get(ConfigOptions.exclusiveBuffers),
      ConfigOptions.exclusiveBuffers.key,
      1,
    );
    this.#floatingBuffers = positive(
      config.get(ConfigOptions.floatingBuffers),
      ConfigOptions.floatingBuffers.key,
      0,
    );
    this.metrics = { buffersInUse: () => this.#buffersInUse() };
  }

  /** Adds the DataExchange service to the TaskManager's gRPC server. */
  bind(server: grpc.Server): void {
    server.addService(DataExchangeService, {
      exchange: (call: grpc.ServerDuplexStream<eddy.v1.DataFrame, eddy.v1.DataFrame>) => {
        if (this.#closed) {
          call.emit('error', {
            code: grpc.status.UNAVAILABLE,
            details: `TaskManager ${this.localAddress} is shutting down`,
          });
          return;
        }
        const queue = new PartitionRequestQueue(call, {
          registry: this.#registry,
          requestTimeoutMs: this.#requestTimeoutMs,
          logger: this.#logger,
          onClosed: (q) => this.#serverQueues.delete(q),
        });
        this.#serverQueues.add(queue);
      },
    });
  }

  /**
   * Creates and registers the partition a task writes; consumers that asked for it early get it now.
   * `overrides` are per-job settings (the runtime passes the job's buffer timeout).
   */
  createResultPartition(
    jobId: JobId,
    attempt: number,
    desc: ResultPartitionDeploymentDescriptor,
    overrides: ResultPartitionOverrides = {},
  ): ResultPartition {
    this.#checkOpen();
    const bufferTimeout = overrides.bufferTimeout ?? this.#bufferTimeout;
    if (!(bufferTimeout >= 0)) {
      throw new EddyError('CONFIG_INVALID', `buffer timeout must be >= 0 ms, got ${bufferTimeout}`, {
        domain: 'user',
      });
    }
    const partition = new ResultPartition({
      jobId,
      attempt,
      partitionId: desc.partitionId,
      numberOfSubpartitions: desc.numberOfSubpartitions,
      bufferSize: this.#bufferSize,
      bufferTimeout,
      backlogLimit: this.#exclusiveBuffers + 1,
      onDisposed: (p) => this.#registry.unregister(p),
    });
    this.#registry.register(partition);
    return partition;
  }

  /** Creates the gate a task reads and requests every channel's subpartition (local or remote). */
  createInputGate(jobId: JobId, attempt: number, desc: InputGateDeploymentDescriptor): SingleInputGate {
    this.#checkOpen();
    const gate = new SingleInputGate({
      jobId,
      attempt,
      edgeId: desc.edgeId,
      numberOfChannels: desc.channels.length,
      exclusiveBuffers: this.#exclusiveBuffers,
      floatingBuffers: this.#floatingBuffers,
      onClosed: (g) => this.#gates.delete(g),
    });
    const channels: InputChannel[] = desc.channels.map((ch, i) =>
      ch.producer.address === this.localAddress
        ? new LocalInputChannel(gate, i, ch, jobId, attempt, this.#registry, this.#requestTimeoutMs)
        : new RemoteInputChannel(gate, i, ch, jobId, attempt, this.#client(ch.producer.address)),
    );
    this.#gates.add(gate);
    gate.start(channels);
    return gate;
  }

  releaseJob(jobId: JobId, attempt: number): void {
    this.#registry.releaseJob(jobId, attempt);
    for (const partition of [...this.#registry.partitions()]) {
      if (partition.jobId === jobId && partition.attempt <= attempt) {
        partition.release(`job ${jobId} attempt ${partition.attempt} was released`);
      }
    }
    for (const gate of [...this.#gates]) {
      if (gate.jobId === jobId && gate.attempt <= attempt) gate.close();
    }
  }

  /** Releases everything and closes every stream. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#registry.close();
    for (const partition of [...this.#registry.partitions()]) partition.release('TaskManager shutting down');
    for (const gate of [...this.#gates]) gate.close();
    for (const client of [...this.#clients.values()]) client.close();
    for (const queue of [...this.#serverQueues]) queue.close();
  }

  /** Open data-exchange streams: to producing TaskManagers (as consumer) and from consumers (as producer). */
  streams(): { readonly toProducers: number; readonly fromConsumers: number } {
    let toProducers = 0;
    for (const c of this.#clients.values()) if (!c.isDead) toProducers++;
    return { toProducers, fromConsumers: this.#serverQueues.size };
  }

  /** The stream to the TaskManager at `address`, opened on first use and replaced when it broke. */
  #client(address: string): PartitionRequestClient {
    let client = this.#clients.get(address);
    if (client === undefined || client.isDead) {
      client = new PartitionRequestClient(address, this.#credentials, this.#logger, (c) => {
        if (this.#clients.get(address) === c) this.#clients.delete(address);
      });
      this.#clients.set(address, client);
    }
    return client;
  }

  #buffersInUse(): number {
    let n = 0;
    for (const partition of this.#registry.partitions()) n += partition.queuedBuffers();
    for (const gate of this.#gates) n += gate.heldBuffers();
    return n;
  }

  #checkOpen(): void {
    if (this.#closed) {
      throw new EddyError(
        'NETWORK_CLOSED',
        `the network environment of TaskManager ${this.localAddress} is closed`,
      );
    }
  }
}

function positive(value: number, key: string, min: number): number {
  if (!Number.isFinite(value) || value < min) {
    throw new EddyError('CONFIG_INVALID', `config key '${key}' must be a number >= ${min}, got ${value}`, {
      domain: 'user',
    });
  }
  return value;
}
