// The Dispatcher: accepts job submissions, owns one JobMaster per job, and routes what TaskManagers
// report (state updates, collected records, metrics, losses) to the right JobMaster. The REST API
// and the gRPC handlers call it; everything runs on the event loop.
import {
  EddyError,
  newJobId,
  userError,
  type Clock,
  type JobId,
  type Logger,
  type TaskManagerId,
} from '@eddy/common';
import type { JobGraph } from '@eddy/api';
import type { eddy } from '@eddy/network';
import { JobMaster, type JobMasterContext, type JobSummary } from './job-master.ts';
import type { JobState } from './job-state.ts';
import type { CheckpointStorage } from '@eddy/checkpoint';
import type { CompletedCheckpoint } from './checkpoint-coordinator-shell.ts';
import type { RestartStrategy } from './restart-strategy.ts';
import type { RegisteredTaskManager, ResourceManager, ResourceManagerListener } from './resource-manager.ts';

/** Settings the Dispatcher hands to every JobMaster. */
export interface DispatcherOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly leaderEpoch: number;
  readonly restartStrategy: RestartStrategy;
  readonly slotRequestTimeoutMs: number;
  readonly rpcTimeoutMs: number;
  readonly cancelTimeoutMs: number;
  readonly random: () => number;
  /** Called once per job restart (for metrics). */
  readonly restarted: (jobId: JobId) => void;
  readonly checkpointStorage: (uri: string) => CheckpointStorage;
  readonly defaultCheckpointDir: string;
}

/** Cluster counts for GET /v1/overview. */
export interface Overview {
  readonly taskmanagers: number;
  readonly slotsTotal: number;
  readonly slotsAvailable: number;
  readonly jobsRunning: number;
  readonly jobsFinished: number;
  readonly jobsCanceled: number;
  readonly jobsFailed: number;
}

/** Accepts jobs and routes reports to their JobMasters. */
export class Dispatcher implements ResourceManagerListener {
  readonly #o: DispatcherOptions;
  readonly #jobs = new Map<JobId, JobMaster>();
  #rm: ResourceManager | undefined;
  #slotsScheduled = false;

  constructor(options: DispatcherOptions) {
    this.#o = options;
  }

  /** Connects the ResourceManager (created after the Dispatcher, which is its listener). */
  attach(rm: ResourceManager): void {
    this.#rm = rm;
  }

  #resources(): ResourceManager {
    if (this.#rm === undefined) throw new EddyError('INTERNAL', 'Dispatcher used before attach()');
    return this.#rm;
  }

  /** Submits a validated job; returns its id. */
  submit(
    graph: JobGraph,
    bundleKey: string,
    args: readonly string[],
    defaultParallelism: number,
    workingDirectory?: string,
    restoreFrom?: CompletedCheckpoint,
  ): JobId {
    const rm = this.#resources();
    const jobId = newJobId();
    const ctx: JobMasterContext = {
      clock: this.#o.clock,
      logger: this.#o.logger,
      leaderEpoch: this.#o.leaderEpoch,
      restartStrategy: this.#o.restartStrategy,
      slotRequestTimeoutMs: this.#o.slotRequestTimeoutMs,
      rpcTimeoutMs: this.#o.rpcTimeoutMs,
      cancelTimeoutMs: this.#o.cancelTimeoutMs,
      random: this.#o.random,
      allocateSlots: (id, count) => rm.allocate(id, count),
      releaseSlots: (id) => rm.release(id),
      slotCounts: () => rm.slotCounts(),
      gateway: (tm) => rm.get(tm)?.gateway,
      restarted: this.#o.restarted,
      checkpointStorage: this.#o.checkpointStorage,
      taskManagerUnreachable: (tm, reason) => rm.unreachable(tm, reason),
      defaultCheckpointDir: this.#o.defaultCheckpointDir,
    };
    const master = new JobMaster(
      { jobId, graph, bundleKey, args, defaultParallelism, workingDirectory, restoreFrom },
      ctx,
    );
    this.#jobs.set(jobId, master);
    master.start();
    return jobId;
  }

  /** Checkpoint storage by URI, configured as the JobMasters' (savepoints, restores). */
  checkpointStorage(uri: string): CheckpointStorage {
    return this.#o.checkpointStorage(uri);
  }

  /** The JobMaster of `jobId`; JOB_NOT_FOUND when there is none. */
  job(jobId: JobId): JobMaster {
    const m = this.#jobs.get(jobId);
    if (m === undefined) {
      throw userError(
        'JOB_NOT_FOUND',
        `no job with id ${jobId}: list the jobs with GET /v1/jobs (eddy list)`,
      );
    }
    return m;
  }

  /** Every job, newest first. */
  jobs(): JobSummary[] {
    return [...this.#jobs.values()].map((j) => j.summary()).sort((a, b) => b.startTime - a.startTime);
  }

  /** Jobs in `state`. */
  count(state: JobState): number {
    let n = 0;
    for (const j of this.#jobs.values()) if (j.state === state) n++;
    return n;
  }

  overview(): Overview {
    const rm = this.#resources();
    const slots = rm.slotCounts();
    return {
      taskmanagers: rm.taskManagers().length,
      slotsTotal: slots.total,
      slotsAvailable: slots.available,
      jobsRunning: this.count('RUNNING'),
      jobsFinished: this.count('FINISHED'),
      jobsCanceled: this.count('CANCELED'),
      jobsFailed: this.count('FAILED'),
    };
  }

  /** Routes an UpdateTaskExecutionState; false when no current execution matches (fenced). */
  updateTaskExecutionState(u: eddy.v1.TaskExecutionStateUpdate): boolean {
    return this.#jobs.get(u.jobId as JobId)?.updateTaskExecutionState(u) ?? false;
  }

  /** Routes checkpoint acknowledgements and declines; false when fenced. */
  acknowledgeCheckpoint(r: eddy.v1.CheckpointAck): boolean {
    return this.#jobs.get(r.jobId as JobId)?.acknowledgeCheckpoint(r) ?? false;
  }
  declineCheckpoint(r: eddy.v1.CheckpointDecline): boolean {
    return this.#jobs.get(r.jobId as JobId)?.declineCheckpoint(r) ?? false;
  }

  /** Routes a ReportCollected; false when fenced. */
  reportCollected(req: eddy.v1.CollectedRecords): boolean {
    return this.#jobs.get(req.jobId as JobId)?.reportCollected(req) ?? false;
  }

  // ---- ResourceManagerListener ----

  taskManagerLost(tm: RegisteredTaskManager, reason: string): void {
    for (const j of this.#jobs.values()) j.taskManagerLost(tm.id, tm.address, reason);
  }

  slotsAvailable(): void {
    // Deferred: slots are often freed from inside a JobMaster's own transition; offering them to
    // waiting jobs right there would re-enter JobMasters mid-update.
    if (this.#slotsScheduled) return;
    this.#slotsScheduled = true;
    setImmediate(() => {
      this.#slotsScheduled = false;
      for (const j of this.#jobs.values()) j.slotsAvailable();
    }).unref();
  }

  taskMetrics(_tm: TaskManagerId, tasks: readonly eddy.v1.TaskMetricsSummary.$Properties[]): void {
    for (const t of tasks) {
      // Execution ids start with the job id (see executionId() in @eddy/common).
      const jobId = (t.executionId ?? '').split('.', 1)[0] as JobId;
      this.#jobs.get(jobId)?.updateMetrics(t);
    }
  }

  /** Cancels every live job's tasks best-effort and stops all timers. */
  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.#jobs.values()].map((j) => j.shutdown()));
  }
}
