// The TaskManager: registers with the JobManager, heartbeats, runs the subtasks it is given in
// StreamTasks, and serves the data plane for them. One process, one event loop: tasks interleave
// batch by batch.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { pack } from 'msgpackr';
import type { Server } from 'node:http';
import {
  ConfigOptions,
  EddyError,
  userError,
  createLogger,
  createRegistry,
  newTaskManagerId,
  serveMetrics,
  type Configuration,
  type Logger,
  type TaskManagerId,
} from '@eddy/common';
import {
  BlobServiceClient,
  GRPC_OPTIONS,
  JobManagerGatewayClient,
  JobManagerGatewayService,
  NetworkEnvironment,
  TaskExecutorGatewayService,
  pb,
  unary,
  u64,
  type eddy,
} from '@eddy/network';
import { StreamTask, type TaskDeploymentDescriptor } from '@eddy/runtime';
import { LevelDbKeyedStateBackend, type KeyGroupRange } from '@eddy/state';
import { BundleCache, rebuildJob } from './job-loader.ts';
import {
  StorageCache,
  loadRestore,
  taskCheckpointing,
  type CheckpointReporter,
} from './task-checkpointing.ts';
import { registerTaskMetrics } from './task-metrics-exporter.ts';

/** Options of a TaskManager. */
export interface TaskManagerOptions {
  readonly config: Configuration;
  /** host:port of the JobManager's gRPC server. */
  readonly jobManagerAddress: string;
  readonly logger?: Logger;
}

/** A running TaskManager. */
export interface TaskManagerHandle {
  readonly id: string;
  readonly rpcAddress: string;
  readonly metricsAddress: string | undefined;
  close(): Promise<void>;
}

const State = pb.ExecutionState;

interface RunningTask {
  readonly descriptor: TaskDeploymentDescriptor;
  readonly leaderEpoch: number;
  task: StreamTask | undefined;
  canceled: boolean;
}

/** Starts a TaskManager and registers it with the JobManager. */
export async function startTaskManager(options: TaskManagerOptions): Promise<TaskManagerHandle> {
  const tm = new TaskManager(options);
  await tm.start();
  return tm;
}

class TaskManager implements TaskManagerHandle {
  readonly id: TaskManagerId = newTaskManagerId();
  readonly #config: Configuration;
  readonly #jmAddress: string;
  readonly #log: Logger;
  readonly #server = new grpc.Server({ ...GRPC_OPTIONS });
  readonly #tasks = new Map<string, RunningTask>();
  #storages!: StorageCache;
  #network!: NetworkEnvironment;
  #jm!: grpc.Client;
  #bundles!: BundleCache;
  #localDir = '';
  #ownsLocalDir = false;
  #metricsServer: Server | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #registered = false;
  #registering: Promise<void> | undefined;
  #leaderEpoch = 0;
  #lastJmContact = Date.now();
  #closed = false;
  rpcAddress = '';
  metricsAddress: string | undefined;

  constructor(options: TaskManagerOptions) {
    this.#config = options.config;
    this.#jmAddress = options.jobManagerAddress;
    this.#log = (
      options.logger ?? createLogger('taskmanager', this.#config.get(ConfigOptions.logLevel))
    ).child({ tmId: this.id });
  }

  async start(): Promise<void> {
    const cfg = this.#config;
    const configured = cfg.get(ConfigOptions.taskManagerLocalDir);
    this.#localDir = configured !== '' ? configured : await mkdtemp(join(tmpdir(), 'eddy-tm-'));
    this.#ownsLocalDir = configured === '';
    const host = cfg.get(ConfigOptions.taskManagerHost);
    const port = await new Promise<number>((resolve, reject) =>
      this.#server.bindAsync(
        `${host}:${cfg.get(ConfigOptions.taskManagerRpcPort)}`,
        grpc.ServerCredentials.createInsecure(),
        (err, p) => (err === null ? resolve(p) : reject(err)),
      ),
    );
    this.rpcAddress = `${host}:${port}`;
    this.#network = new NetworkEnvironment({ localAddress: this.rpcAddress, config: cfg, logger: this.#log });
    this.#storages = new StorageCache(cfg);
    this.#network.bind(this.#server);
    this.#server.addService(TaskExecutorGatewayService, {
      submitTask: (
        call: grpc.ServerUnaryCall<eddy.v1.TaskDeployment, eddy.v1.Ack>,
        cb: grpc.sendUnaryData<eddy.v1.Ack>,
      ) => cb(null, this.#submit(call.request)),
      cancelTask: (
        call: grpc.ServerUnaryCall<eddy.v1.CancelTaskRequest, eddy.v1.Ack>,
        cb: grpc.sendUnaryData<eddy.v1.Ack>,
      ) => cb(null, this.#cancel(call.request)),
      triggerCheckpoint: (
        call: grpc.ServerUnaryCall<eddy.v1.CheckpointTrigger, eddy.v1.Ack>,
        cb: grpc.sendUnaryData<eddy.v1.Ack>,
      ) => {
        const r = call.request;
        const t = this.#tasks.get(r.executionId);
        if (t?.task === undefined || t.descriptor.attempt !== r.attempt) {
          cb(null, pb.Ack.create({ ok: false, error: `execution ${r.executionId} is not running here` }));
          return;
        }
        const kind = r.kind === 'savepoint' ? 'savepoint' : 'checkpoint';
        t.task.triggerCheckpoint(
          u64(r.checkpointId),
          u64(r.timestamp),
          kind === 'savepoint' ? { kind, target: r.target, drain: r.drain } : { kind },
        );
        cb(null, pb.Ack.create({ ok: true }));
      },
      notifyCheckpointComplete: (
        call: grpc.ServerUnaryCall<eddy.v1.CheckpointNotification, eddy.v1.Ack>,
        cb: grpc.sendUnaryData<eddy.v1.Ack>,
      ) => {
        const r = call.request;
        const t = this.#tasks.get(r.executionId);
        if (t?.task !== undefined && t.descriptor.attempt === r.attempt)
          t.task.notifyCheckpointComplete(u64(r.checkpointId));
        cb(null, pb.Ack.create({ ok: true }));
      },
      notifyCheckpointAborted: (
        _call: grpc.ServerUnaryCall<eddy.v1.CheckpointNotification, eddy.v1.Ack>,
        cb: grpc.sendUnaryData<eddy.v1.Ack>,
      ) => cb(null, pb.Ack.create({ ok: true })),
    });
    const creds = grpc.credentials.createInsecure();
    this.#jm = new JobManagerGatewayClient(this.#jmAddress, creds, GRPC_OPTIONS);
    this.#bundles = new BundleCache(
      this.#localDir,
      new BlobServiceClient(this.#jmAddress, creds, GRPC_OPTIONS),
    );

    const metricsPort = cfg.get(ConfigOptions.metricsPort);
    if (metricsPort >= 0) {
      const registry = createRegistry();
      registerTaskMetrics(
        registry,
        () =>
          [...this.#tasks.values()].flatMap((t) =>
            t.task === undefined
              ? []
              : [
                  {
                    labels: {
                      job_id: t.descriptor.jobId,
                      job_name: t.descriptor.jobName,
                      vertex: t.descriptor.vertexId,
                      subtask: String(t.descriptor.subtaskIndex),
                    },
                    metrics: t.task.metrics,
                  },
                ],
          ),
        this.#network,
      );
      const metricsHost = cfg.get(ConfigOptions.metricsHost);
      const served = await serveMetrics(registry, metricsHost, metricsPort).catch(
        async (err: NodeJS.ErrnoException) => {
          // Several TaskManagers on one host: the first gets the configured port, the rest a free one.
          if (err.code !== 'EADDRINUSE') throw err;
          this.#log.warn({ port: metricsPort }, 'metrics port in use; serving /metrics on a free port');
          return serveMetrics(registry, metricsHost, 0);
        },
      );
      this.#metricsServer = served.server;
      this.metricsAddress = served.address;
    }
    await this.#register();
    const interval = cfg.get(ConfigOptions.heartbeatInterval);
    this.#heartbeatTimer = setInterval(() => void this.#heartbeat(), interval);
    this.#log.info(
      { rpc: this.rpcAddress, jobManager: this.#jmAddress, metrics: this.metricsAddress },
      'TaskManager started',
    );
  }

  /** Registers until the JobManager accepts (it may start after us). */
  #register(): Promise<void> {
    this.#registering ??= (async () => {
      const req = pb.RegisterTaskManagerRequest.create({
        taskManagerId: this.id,
        address: this.rpcAddress,
        numberOfSlots: this.#config.get(ConfigOptions.numberOfTaskSlots),
        metricsAddress: this.metricsAddress ?? '',
      });
      let warned = false;
      while (!this.#closed) {
        try {
          const res = await unary(this.#jm, JobManagerGatewayService.registerTaskManager, req, 5_000);
          if (!res.accepted) throw new Error(res.error);
          this.#registered = true;
          this.#leaderEpoch = u64(res.leaderEpoch);
          this.#lastJmContact = Date.now();
          this.#log.info({ jobManager: this.#jmAddress }, 'registered with the JobManager');
          return;
        } catch (err) {
          if (!warned)
            this.#log.warn(
              { err: (err as Error).message, jobManager: this.#jmAddress },
              'JobManager not reachable yet; retrying',
            );
          warned = true;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })().finally(() => (this.#registering = undefined));
    return this.#registering;
  }

  async #heartbeat(): Promise<void> {
    if (!this.#registered || this.#closed) return;
    const tasks = [...this.#tasks.values()].flatMap((t) =>
      t.task === undefined
        ? []
        : [
            pb.TaskMetricsSummary.create({
              executionId: t.descriptor.executionId,
              recordsIn: t.task.metrics.recordsIn,
              recordsOut: t.task.metrics.recordsOut,
              busySeconds: t.task.metrics.busyMs / 1000,
              idleSeconds: t.task.metrics.idleMs / 1000,
              backpressuredSeconds: t.task.metrics.backpressuredMs / 1000,
            }),
          ],
    );
    try {
      const res = await unary(
        this.#jm,
        JobManagerGatewayService.heartbeat,
        pb.HeartbeatRequest.create({ taskManagerId: this.id, leaderEpoch: this.#leaderEpoch, tasks }),
        this.#config.get(ConfigOptions.heartbeatInterval) * 2,
      );
      this.#lastJmContact = Date.now();
      if (!res.known) {
        // The JobManager dropped us (e.g. it timed us out): our tasks were failed over; start clean.
        this.#log.warn(
          'the JobManager no longer knows this TaskManager; canceling tasks and registering again',
        );
        this.#cancelAll();
        this.#registered = false;
        await this.#register();
      }
    } catch (err) {
      if (Date.now() - this.#lastJmContact > this.#config.get(ConfigOptions.heartbeatTimeout)) {
        this.#log.error(
          { err: (err as Error).message },
          'lost the JobManager; canceling tasks and registering again',
        );
        this.#cancelAll();
        this.#registered = false;
        await this.#register();
      }
    }
  }

  #cancelAll(): void {
    for (const t of this.#tasks.values()) {
      t.canceled = true;
      t.task?.cancel();
    }
  }

  #submit(req: eddy.v1.TaskDeployment): eddy.v1.Ack {
    let d: TaskDeploymentDescriptor;
    try {
      d = JSON.parse(req.descriptorJson) as TaskDeploymentDescriptor;
    } catch (err) {
      return pb.Ack.create({
        ok: false,
        error: `malformed task deployment descriptor: ${(err as Error).message}`,
      });
    }
    if (this.#tasks.has(d.executionId))
      return pb.Ack.create({ ok: false, error: `execution ${d.executionId} is already deployed here` });
    const running: RunningTask = {
      descriptor: d,
      leaderEpoch: u64(req.leaderEpoch),
      task: undefined,
      canceled: false,
    };
    this.#tasks.set(d.executionId, running);
    // Partitions of earlier attempts of this job are dead: their consumers were canceled.
    if (d.attempt > 0) this.#network.releaseJob(d.jobId, d.attempt - 1);
    void this.#runTask(running, req.bundleKey);
    return pb.Ack.create({ ok: true });
  }

  #cancel(req: eddy.v1.CancelTaskRequest): eddy.v1.Ack {
    const t = this.#tasks.get(req.executionId);
    if (t === undefined) return pb.Ack.create({ ok: true });
    t.canceled = true;
    t.task?.cancel();
    return pb.Ack.create({ ok: true });
  }

  async #runTask(t: RunningTask, bundleKey: string): Promise<void> {
    const d = t.descriptor;
    const log = this.#log.child({
      jobId: d.jobId,
      vertexId: d.vertexId,
      subtask: d.subtaskIndex,
      attempt: d.attempt,
    });
    try {
      await this.#report(t, State.DEPLOYING);
      const ns = await this.#bundles.module(bundleKey);
      const job = await rebuildJob(ns, d.submission, d.jobName);
      if (t.canceled) return void (await this.#report(t, State.CANCELED));
      await this.#report(t, State.INITIALIZING);
      const restore = await loadRestore(d, job.graph, this.#storages);
      const checkpointing = taskCheckpointing(d, this.#storages, this.#checkpointReporter(t), log);
      const task = new StreamTask({
        descriptor: d,
        graph: job.graph,
        transformations: new Map(job.transformations.map((x) => [x.id, x])),
        shuffle: this.#network,
        logger: log,
        reportCollected: (sinkUid, records) => this.#reportCollected(d, sinkUid, records),
        ...(checkpointing === undefined ? {} : { checkpointing }),
        ...(restore === undefined ? {} : { restore }),
        ...(job.graph.stateBackend === 'leveldb'
          ? {
              // One LevelDB per keyed operator of the task, under the TaskManager's local directory.
              createKeyedBackend: (
                maxParallelism: number,
                keyGroupRange: KeyGroupRange,
                op: { readonly uid: string; readonly name: string; readonly kind: string },
              ) => {
                if (op.kind === 'window') {
                  // Window state is namespaced by window; the operator does not prefetch it yet.
                  throw userError(
                    'STATE_BACKEND_UNSUPPORTED',
                    `operator '${op.name}' is a window, which the LevelDB state backend does not support yet: use env.setStateBackend('heap') for jobs with windows`,
                  );
                }
                return LevelDbKeyedStateBackend.open({
                  directory: join(this.#localDir, 'state', d.executionId, op.uid),
                  maxParallelism,
                  keyGroupRange,
                  cacheEntries: this.#config.get(ConfigOptions.levelDbCacheEntries),
                });
              },
            }
          : {}),
      });
      t.task = task;
      await this.#report(t, State.RUNNING);
      log.info('task running');
      const outcome = await task.run();
      log.info(
        { outcome, recordsIn: task.metrics.recordsIn, recordsOut: task.metrics.recordsOut },
        'task ended',
      );
      await this.#report(t, outcome === 'finished' ? State.FINISHED : State.CANCELED);
    } catch (err) {
      const e = EddyError.from(err, 'TASK_FAILED');
      if (t.canceled) {
        await this.#report(t, State.CANCELED);
      } else {
        log.error({ err: e.message, code: e.code }, 'task failed');
        await this.#report(t, State.FAILED, e);
      }
    } finally {
      this.#tasks.delete(d.executionId);
    }
  }

  async #report(t: RunningTask, state: eddy.v1.ExecutionState, error?: EddyError): Promise<void> {
    const d = t.descriptor;
    const update = pb.TaskExecutionStateUpdate.create({
      taskManagerId: this.id,
      jobId: d.jobId,
      attempt: d.attempt,
      executionId: d.executionId,
      state,
      errorJson: error === undefined ? '' : JSON.stringify(error.toJSON()),
      leaderEpoch: t.leaderEpoch,
    });
    // Final states must reach the JobManager; retry a few times across hiccups.
    for (let i = 0; i < 5; i++) {
      try {
        await unary(this.#jm, JobManagerGatewayService.updateTaskExecutionState, update, 5_000);
        return;
      } catch (err) {
        if (this.#closed) return;
        this.#log.warn(
          { err: (err as Error).message, executionId: d.executionId },
          'could not report task state; retrying',
        );
        await new Promise((r) => setTimeout(r, 200 * (i + 1)));
      }
    }
  }

  #checkpointReporter(t: RunningTask): CheckpointReporter {
    const d = t.descriptor;
    const base = {
      taskManagerId: this.id,
      jobId: d.jobId,
      attempt: d.attempt,
      executionId: d.executionId,
      leaderEpoch: t.leaderEpoch,
    };
    return {
      ack: async (checkpointId, states, m) => {
        await unary(
          this.#jm,
          JobManagerGatewayService.acknowledgeCheckpoint,
          pb.CheckpointAck.create({
            ...base,
            checkpointId,
            stateJson: JSON.stringify(states),
            syncMs: m.syncMs,
            asyncMs: m.asyncMs,
            alignmentMs: m.alignmentMs,
            stateSize: m.size,
          }),
          30_000,
        );
      },
      decline: async (checkpointId, error) => {
        await unary(
          this.#jm,
          JobManagerGatewayService.declineCheckpoint,
          pb.CheckpointDecline.create({ ...base, checkpointId, errorJson: JSON.stringify(error.toJSON()) }),
          30_000,
        );
      },
    };
  }

  async #reportCollected(
    d: TaskDeploymentDescriptor,
    sinkUid: string,
    records: readonly unknown[],
  ): Promise<void> {
    const res = await unary(
      this.#jm,
      JobManagerGatewayService.reportCollected,
      pb.CollectedRecords.create({
        jobId: d.jobId,
        attempt: d.attempt,
        sinkUid,
        subtask: d.subtaskIndex,
        payload: pack(records),
      }),
      30_000,
    );
    if (!res.ok)
      throw new EddyError('COLLECT_FAILED', `the JobManager refused collected records: ${res.error}`, {
        domain: 'external',
        retryable: true,
      });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeatTimer);
    this.#cancelAll();
    // Give canceled tasks a moment to report.
    const deadline = Date.now() + 2_000;
    while (this.#tasks.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.#network.close();
    await this.#storages.close();
    this.#server.forceShutdown();
    this.#jm.close();
    this.#metricsServer?.close();
    if (this.#ownsLocalDir) await rm(this.#localDir, { recursive: true, force: true });
    this.#log.info('TaskManager stopped');
  }
}
