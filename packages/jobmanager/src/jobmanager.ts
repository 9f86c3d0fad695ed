// Wiring of the JobManager process: BlobServer, ResourceManager, Dispatcher, the gRPC server
// (JobManagerGateway and BlobService), the REST API and /metrics. Nothing here decides anything;
// the parts do.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCheckpointStorageFromConfig, type CheckpointStorage } from '@eddy/checkpoint';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { Counter, Gauge } from 'prom-client';
import {
  ConfigOptions,
  EddyError,
  MetricNames,
  createLogger,
  createRegistry,
  serveMetrics,
  systemClock,
  type Configuration,
  type Logger,
  type JobId,
} from '@eddy/common';
import { BlobServiceDefinition, GRPC_OPTIONS, JobManagerGatewayService, pb, type eddy } from '@eddy/network';
import { BlobServer } from './blob-server.ts';
import { Dispatcher } from './dispatcher.ts';
import { ResourceManager } from './resource-manager.ts';
import { restartStrategyFromConfig } from './restart-strategy.ts';
import { createRestServer } from './rest.ts';
import { GrpcTaskExecutorGateway } from './task-executor-gateway.ts';

/** Options of `startJobManager`. */
export interface JobManagerOptions {
  readonly config: Configuration;
  readonly logger?: Logger;
}

/** A running JobManager. */
export interface JobManagerHandle {
  /** host:port the REST API is bound to (rest.port 0 picks a free port). */
  readonly restAddress: string;
  /** host:port of the gRPC server. */
  readonly rpcAddress: string;
  /** host:port of /metrics, or undefined when metrics.port is -1. */
  readonly metricsAddress: string | undefined;
  /** Cancels running jobs' tasks best-effort and stops the servers. Safe to call twice. */
  close(): Promise<void>;
}

/** Deadline of SubmitTask and CancelTask. */
const RPC_TIMEOUT_MS = 10_000;
/** How long CANCELLING/FAILING wait for tasks to confirm before giving up on them. */
const CANCEL_TIMEOUT_MS = 10_000;
/** Deadline of the best-effort CancelTask calls made while shutting down. */
const SHUTDOWN_GRACE_MS = 3_000;

function unaryHandler<Req, Res>(
  logger: Logger,
  name: string,
  fn: (req: Req) => Res,
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    try {
      callback(null, fn(call.request));
    } catch (err) {
      // A handler that throws is a bug; tell the caller instead of leaving it to its deadline.
      const e = EddyError.from(err);
      logger.error({ err: e, rpc: name }, 'gRPC handler failed');
      callback({ code: grpc.status.INTERNAL, details: `${name} failed: ${e.message}` });
    }
  };
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Starts a JobManager. */
export async function startJobManager(options: JobManagerOptions): Promise<JobManagerHandle> {
  const { config } = options;
  const logger = options.logger ?? createLogger('jobmanager', config.get(ConfigOptions.logLevel));
  const clock = systemClock;
  const restartStrategy = restartStrategyFromConfig(config);
  // The leader epoch fences TaskManagers and reports addressed to an earlier JobManager process.
  const leaderEpoch = Date.now();

  const registry = createRegistry();
  const restarts = new Counter({
    name: MetricNames.jobRestarts,
    help: 'Job restarts after failures.',
    labelNames: ['job_id'],
    registers: [registry],
  });

  const blobs = await BlobServer.create(
    config.get(ConfigOptions.blobDir),
    config.get(ConfigOptions.bundleMaxBytes),
    logger,
  );
  const storages = new StorageRegistry(config);
  const configuredDir = config.get(ConfigOptions.checkpointsDir);
  const defaultCheckpointDir =
    configuredDir !== '' ? configuredDir : `file://${join(tmpdir(), 'eddy-checkpoints')}`;
  const dispatcher = new Dispatcher({
    clock,
    logger,
    leaderEpoch,
    restartStrategy,
    slotRequestTimeoutMs: config.get(ConfigOptions.slotRequestTimeout),
    rpcTimeoutMs: RPC_TIMEOUT_MS,
    cancelTimeoutMs: CANCEL_TIMEOUT_MS,
    random: Math.random,
    restarted: (jobId) => restarts.inc({ job_id: jobId }),
    checkpointStorage: (uri) => storages.get(uri),
    defaultCheckpointDir,
  });
  const rm = new ResourceManager({
    clock,
    logger,
    heartbeatIntervalMs: config.get(ConfigOptions.heartbeatInterval),
    heartbeatTimeoutMs: config.get(ConfigOptions.heartbeatTimeout),
    leaderEpoch,
    gatewayFactory: (address) => new GrpcTaskExecutorGateway(address),
    listener: dispatcher,
  });
  dispatcher.attach(rm);

  new Gauge({
    name: MetricNames.jobsRunning,
    help: 'Jobs in state RUNNING.',
    registers: [registry],
    collect() {
      this.set(dispatcher.count('RUNNING'));
    },
  });
  new Gauge({
    name: MetricNames.taskManagersRegistered,
    help: 'Registered TaskManagers.',
    registers: [registry],
    collect() {
      this.set(rm.taskManagers().length);
    },
  });
  new Gauge({
    name: MetricNames.slotsAvailable,
    help: 'Task slots not used by any job.',
    registers: [registry],
    collect() {
      this.set(rm.slotCounts().available);
    },
  });

  // Checkpoint statistics per job, read from each JobMaster's history when Prometheus scrapes.
  const checkpointGauge = (name: string, help: string, read: (jobId: JobId) => number | undefined): void => {
    new Gauge({
      name,
      help,
      labelNames: ['job_id', 'job_name'],
      registers: [registry],
      collect() {
        this.reset();
        for (const j of dispatcher.jobs()) {
          const v = read(j.jobId);
          if (v !== undefined) this.set({ job_id: j.jobId, job_name: j.name }, v);
        }
      },
    });
  };
  const lastCompleted = (jobId: JobId) =>
    dispatcher
      .job(jobId)
      .checkpointHistory()
      .findLast((c) => c.status === 'completed');
  checkpointGauge(MetricNames.lastCheckpointDuration, 'Duration of the last completed checkpoint.', (id) => {
    const c = lastCompleted(id);
    return c?.durationMs === undefined ? undefined : c.durationMs / 1000;
  });
  checkpointGauge(
    MetricNames.lastCheckpointSize,
    'State size of the last completed checkpoint.',
    (id) => lastCompleted(id)?.stateSize,
  );
  checkpointGauge(
    MetricNames.lastCheckpointAlignment,
    'Longest barrier alignment of the last completed checkpoint.',
    (id) => {
      const c = lastCompleted(id);
      return c === undefined ? undefined : c.alignmentMs / 1000;
    },
  );
  checkpointGauge(MetricNames.checkpointsCompleted, 'Completed checkpoints in the recent history.', (id) => {
    const h = dispatcher.job(id).checkpointHistory();
    return h.length === 0 ? undefined : h.filter((c) => c.status === 'completed').length;
  });
  checkpointGauge(MetricNames.checkpointsFailed, 'Failed checkpoints in the recent history.', (id) => {
    const h = dispatcher.job(id).checkpointHistory();
    return h.length === 0 ? undefined : h.filter((c) => c.status === 'failed').length;
  });

  const grpcServer = new grpc.Server(GRPC_OPTIONS);
  grpcServer.addService(JobManagerGatewayService, {
    registerTaskManager: unaryHandler(
      logger,
      'RegisterTaskManager',
      (req: eddy.v1.RegisterTaskManagerRequest) => rm.register(req),
    ),
    heartbeat: unaryHandler(logger, 'Heartbeat', (req: eddy.v1.HeartbeatRequest) => rm.heartbeat(req)),
    updateTaskExecutionState: unaryHandler(
      logger,
      'UpdateTaskExecutionState',
      (u: eddy.v1.TaskExecutionStateUpdate) =>
        dispatcher.updateTaskExecutionState(u)
          ? pb.Ack.create({ ok: true })
          : pb.Ack.create({
              ok: false,
              error: `fenced: ${u.executionId} (attempt ${u.attempt}) is not a current execution`,
            }),
    ),
    acknowledgeCheckpoint: unaryHandler(logger, 'AcknowledgeCheckpoint', (r: eddy.v1.CheckpointAck) =>
      dispatcher.acknowledgeCheckpoint(r)
        ? pb.Ack.create({ ok: true })
        : pb.Ack.create({
            ok: false,
            error: `fenced: attempt ${r.attempt} of job ${r.jobId} is not current`,
          }),
    ),
    declineCheckpoint: unaryHandler(logger, 'DeclineCheckpoint', (r: eddy.v1.CheckpointDecline) =>
      dispatcher.declineCheckpoint(r)
        ? pb.Ack.create({ ok: true })
        : pb.Ack.create({
            ok: false,
            error: `fenced: attempt ${r.attempt} of job ${r.jobId} is not current`,
          }),
    ),
    reportCollected: unaryHandler(logger, 'ReportCollected', (r: eddy.v1.CollectedRecords) =>
      dispatcher.reportCollected(r)
        ? pb.Ack.create({ ok: true })
        : pb.Ack.create({
            ok: false,
            error: `fenced: attempt ${r.attempt} of job ${r.jobId} is not current`,
          }),
    ),
  });
  grpcServer.addService(BlobServiceDefinition, { fetchBlob: blobs.fetchBlob });

  const rpcHost = config.get(ConfigOptions.jobManagerRpcAddress);
  const rpcPort = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync(
      hostPort(rpcHost, config.get(ConfigOptions.jobManagerRpcPort)),
      grpc.ServerCredentials.createInsecure(),
      (err, port) => (err === null ? resolve(port) : reject(err)),
    ),
  );

  const rest: HttpServer = createRestServer({ dispatcher, resourceManager: rm, blobs, logger });
  const restHost = config.get(ConfigOptions.restAddress);
  try {
    await new Promise<void>((resolve, reject) => {
      rest.once('error', reject);
      rest.listen(config.get(ConfigOptions.restPort), restHost, () => resolve());
    });
  } catch (err) {
    grpcServer.forceShutdown();
    throw err;
  }
  const restPort = (rest.address() as AddressInfo).port;

  let metrics: { server: HttpServer; address: string } | undefined;
  const metricsPort = config.get(ConfigOptions.metricsPort);
  if (metricsPort >= 0) {
    try {
      metrics = await serveMetrics(registry, config.get(ConfigOptions.metricsHost), metricsPort);
    } catch (err) {
      grpcServer.forceShutdown();
      rest.close();
      throw err;
    }
  }
  rm.start();

  const handle: JobManagerHandle = {
    restAddress: hostPort(restHost, restPort),
    rpcAddress: hostPort(rpcHost, rpcPort),
    metricsAddress: metrics?.address,
    close: once(async () => {
      logger.info('JobManager shutting down');
      await Promise.race([
        dispatcher.shutdown(),
        new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref()),
      ]);
      rm.close();
      await new Promise<void>((resolve) => {
        grpcServer.tryShutdown(() => resolve());
        // Open streams (a TaskManager fetching a bundle) must not hold the shutdown.
        setTimeout(() => {
          grpcServer.forceShutdown();
          resolve();
        }, 1000).unref();
      });
      rest.closeAllConnections();
      await new Promise<void>((resolve) => rest.close(() => resolve()));
      if (metrics !== undefined) {
        metrics.server.closeAllConnections();
        await new Promise<void>((resolve) => metrics?.server.close(() => resolve()));
      }
      await blobs.close();
    }),
  };
  logger.info(
    { rest: handle.restAddress, rpc: handle.rpcAddress, metrics: handle.metricsAddress, leaderEpoch },
    'JobManager started',
  );
  return handle;
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}

/** Checkpoint storages by URI, created once from the JobManager's configuration. */
class StorageRegistry {
  readonly #config: Configuration;
  readonly #storages = new Map<string, CheckpointStorage>();
  constructor(config: Configuration) {
    this.#config = config;
  }
  get(uri: string): CheckpointStorage {
    let s = this.#storages.get(uri);
    if (s === undefined) this.#storages.set(uri, (s = createCheckpointStorageFromConfig(uri, this.#config)));
    return s;
  }
}
