// The JobMaster: one job's lifecycle (Flink's JobMaster with its scheduler). It asks for slots,
// deploys every subtask at once (eager scheduling), follows the executions' state reports, and on a
// failure either fails the job or restarts it from scratch as a new attempt after the restart
// strategy's backoff. Owned by the Dispatcher; runs on the event loop. Every async completion (an
// RPC result, a timer) first checks that the attempt it belongs to is still the current one.
import { unpack } from 'msgpackr';
import {
  EddyError,
  LogFields,
  type Clock,
  type ExecutionId,
  type JobId,
  type Logger,
  type SerializedError,
  type TaskManagerId,
  type VertexId,
} from '@eddy/common';
import type { JobGraph } from '@eddy/api';
import { pb, type eddy } from '@eddy/network';
import type { JobSubmission, TaskManagerLocation } from '@eddy/runtime';
import {
  attemptOutcome,
  canExecutionTransition,
  isExecutionTerminal,
  isTerminal,
  transition,
  type ExecutionState,
  type JobState,
} from './job-state.ts';
import { decideRestart, type RestartStrategy } from './restart-strategy.ts';
import { buildDeploymentDescriptors, requiredSlots } from './scheduler.ts';
import type { TaskExecutorGateway } from './task-executor-gateway.ts';
import type { CheckpointStorage, OperatorSubtaskStateHandles } from '@eddy/checkpoint';
import {
  CheckpointCoordinatorShell,
  restoreDeployment,
  type CheckpointStats,
  type CompletedCheckpoint,
} from './checkpoint-coordinator-shell.ts';
import { u64 } from '@eddy/network';

/** What a JobMaster needs from the JobManager around it. */
export interface JobMasterContext {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly leaderEpoch: number;
  readonly restartStrategy: RestartStrategy;
  readonly slotRequestTimeoutMs: number;
  /** Deadline of SubmitTask and CancelTask calls. */
  readonly rpcTimeoutMs: number;
  /** How long CANCELLING/FAILING wait for executions to stop before giving up on them. */
  readonly cancelTimeoutMs: number;
  /** Random numbers in [0, 1) for restart jitter. */
  readonly random: () => number;
  allocateSlots(jobId: JobId, count: number): TaskManagerLocation[] | undefined;
  releaseSlots(jobId: JobId): void;
  slotCounts(): { total: number; available: number };
  gateway(tm: TaskManagerId): TaskExecutorGateway | undefined;
  /** Called once per restart (for metrics). */
  restarted(jobId: JobId): void;
  /** A TaskManager refused a connection: it is gone. */
  /** Declares the TaskManager lost (its jobs fail over); false when it was already gone. */
  taskManagerUnreachable(tm: TaskManagerId, reason: string): boolean;
  /** Checkpoint storage by URI (shared, cached). */
  checkpointStorage(uri: string): CheckpointStorage;
  /** Where checkpoints go for jobs that name no storage. */
  readonly defaultCheckpointDir: string;
}

/** A job as submitted. */
export interface JobSubmissionRequest {
  readonly jobId: JobId;
  readonly graph: JobGraph;
  readonly bundleKey: string;
  readonly args: readonly string[];
  readonly defaultParallelism: number;
  /** The client's directory, against which the job resolves relative paths. */
  readonly workingDirectory?: string | undefined;
  /** A savepoint (or retained checkpoint) the first attempt restores from. */
  readonly restoreFrom?: CompletedCheckpoint | undefined;
}

/** Task metrics as the REST API shows them. */
export interface ExecutionMetrics {
  recordsIn: number;
  recordsOut: number;
  busySeconds: number;
  idleSeconds: number;
  backpressuredSeconds: number;
}

interface Execution {
  readonly id: ExecutionId;
  readonly vertexId: VertexId;
  readonly subtask: number;
  readonly location: TaskManagerLocation;
  state: ExecutionState;
  metrics: ExecutionMetrics;
}

/** One entry of the exception history. */
export interface ExceptionEntry {
  readonly timestamp: number;
  readonly attempt: number;
  readonly error: SerializedError;
}

/** A row of GET /v1/jobs. */
export interface JobSummary {
  readonly jobId: JobId;
  readonly name: string;
  readonly state: JobState;
  readonly startTime: number;
  readonly endTime: number | null;
  readonly durationMs: number;
  readonly restarts: number;
}

const PB_STATES: Readonly<Record<number, ExecutionState>> = {
  [pb.ExecutionState.DEPLOYING]: 'DEPLOYING',
  [pb.ExecutionState.INITIALIZING]: 'INITIALIZING',
  [pb.ExecutionState.RUNNING]: 'RUNNING',
  [pb.ExecutionState.FINISHED]: 'FINISHED',
  [pb.ExecutionState.CANCELING]: 'CANCELING',
  [pb.ExecutionState.CANCELED]: 'CANCELED',
  [pb.ExecutionState.FAILED]: 'FAILED',
};

/** Entries of the exception history kept per job (the oldest are dropped). */
const MAX_EXCEPTIONS = 64;
/** Records kept per collect sink and attempt; a collect sink is for small results. */
const MAX_COLLECTED = 1_000_000;

const zeroMetrics = (): ExecutionMetrics => ({
  recordsIn: 0,
  recordsOut: 0,
  busySeconds: 0,
  idleSeconds: 0,
  backpressuredSeconds: 0,
});

/** Parses a TaskManager's error_json into an EddyError; a garbled one is still reported. */
function parseTaskError(json: string, exec: Execution): EddyError {
  try {
    const s = JSON.parse(json) as SerializedError;
    if (typeof s.code === 'string' && typeof s.message === 'string') return EddyError.fromJSON(s);
  } catch {
    // fall through: report what we got
  }
  return new EddyError(
    'TASK_FAILED',
    `subtask ${exec.subtask} of vertex ${exec.vertexId} on ${exec.location.taskManagerId} failed` +
      (json === '' ? ' without an error' : `: ${json.slice(0, 2000)}`),
    { domain: 'internal', retryable: true },
  );
}

/** One job's lifecycle. */
export class JobMaster {
  readonly jobId: JobId;
  readonly graph: JobGraph;
  readonly bundleKey: string;
  readonly #submission: JobSubmission;
  readonly #ctx: JobMasterContext;
  readonly #log: Logger;
  #state: JobState = 'CREATED';
  #attempt = 0;
  #restarts = 0;
  readonly #startTime: number;
  #endTime: number | undefined;
  #failure: EddyError | undefined;
  readonly #exceptions: ExceptionEntry[] = [];
  #executions = new Map<ExecutionId, Execution>();
  #collected = new Map<string, unknown[]>();
  #waitingForSlots = false;
  #slotTimer: NodeJS.Timeout | undefined;
  readonly #checkpoints: CheckpointCoordinatorShell | undefined;
  #restoreFrom: CompletedCheckpoint | undefined;
  /** Whether the coordinator was told that every task of the current attempt runs. */
  #checkpointingActive = false;
  #restartTimer: NodeJS.Timeout | undefined;
  #stopTimer: NodeJS.Timeout | undefined;

  constructor(req: JobSubmissionRequest, ctx: JobMasterContext) {
    this.jobId = req.jobId;
    this.graph = req.graph;
    this.bundleKey = req.bundleKey;
    this.#submission = {
      args: [...req.args],
      defaultParallelism: req.defaultParallelism,
      graphHash: req.graph.hash,
      ...(req.workingDirectory === undefined ? {} : { workingDirectory: req.workingDirectory }),
    };
    this.#ctx = ctx;
    this.#log = ctx.logger.child({ [LogFields.jobId]: req.jobId, jobName: req.graph.jobName });
    this.#startTime = ctx.clock.now();
    this.#restoreFrom = req.restoreFrom;
    const cp = req.graph.checkpointing;
    this.#checkpoints =
      cp === undefined
        ? undefined
        : new CheckpointCoordinatorShell({
            jobId: req.jobId,
            config: cp,
            storageUri: cp.storage ?? ctx.defaultCheckpointDir,
            restoredCheckpointId: req.restoreFrom?.metadata.checkpointId,
            clock: ctx.clock,
            logger: this.#log,
            storage: (uri) => ctx.checkpointStorage(uri),
            trigger: (task, id, timestamp, kind, target, drain) =>
              this.#sendTrigger(task, id, timestamp, kind, target, drain),
            notifyComplete: (task, id) => this.#sendNotify(task, id),
            failJob: (message) =>
              this.#handleFailure(
                new EddyError('CHECKPOINT_FAILURES_EXCEEDED', message, {
                  domain: 'external',
                  retryable: true,
                }),
              ),
          });
  }

  /** Where checkpoints of this job go, when it has any. */
  get checkpointStorageUri(): string | undefined {
    return this.graph.checkpointing === undefined
      ? undefined
      : (this.graph.checkpointing.storage ?? this.#ctx.defaultCheckpointDir);
  }

  /** Checkpoint history for REST. */
  checkpointHistory(): readonly CheckpointStats[] {
    return this.#checkpoints?.history() ?? [];
  }

  /** Triggers a savepoint into `target`; resolves with its URI. */
  triggerSavepoint(target: string, drain = false): Promise<string> {
    if (this.#checkpoints === undefined) {
      return Promise.reject(
        new EddyError(
          'CHECKPOINTING_DISABLED',
          `job ${this.jobId} does not enable checkpointing, so it cannot take savepoints: call env.enableCheckpointing(...)`,
          {
            domain: 'user',
          },
        ),
      );
    }
    if (this.#state !== 'RUNNING' || !this.#checkpointingActive) {
      return Promise.reject(
        new EddyError(
          'JOB_NOT_RUNNING',
          `job ${this.jobId} is ${this.#state} with tasks not all running: a savepoint needs every task running`,
          {
            domain: 'user',
            retryable: true,
          },
        ),
      );
    }
    return this.#checkpoints.triggerSavepoint(target, drain);
  }

  /**
   * Stops the job with a savepoint. Without drain the job is canceled once the savepoint completes;
   * with drain its sources end event time before the savepoint and stop after it, so the job
   * finishes on its own.
   */
  async stopWithSavepoint(target: string, drain = false): Promise<string> {
    const path = await this.triggerSavepoint(target, drain);
    // The job may have finished meanwhile: then there is nothing left to stop.
    if (!drain && !isTerminal(this.#state)) this.cancel();
    return path;
  }

  acknowledgeCheckpoint(r: eddy.v1.CheckpointAck): boolean {
    if (
      u64(r.leaderEpoch) !== this.#ctx.leaderEpoch ||
      r.attempt !== this.#attempt ||
      this.#checkpoints === undefined
    )
      return false;
    let states: OperatorSubtaskStateHandles[];
    try {
      states = JSON.parse(r.stateJson) as OperatorSubtaskStateHandles[];
    } catch {
      return false;
    }
    this.#checkpoints.ack(r.executionId, u64(r.checkpointId), states, r.alignmentMs);
    return true;
  }

  declineCheckpoint(r: eddy.v1.CheckpointDecline): boolean {
    if (
      u64(r.leaderEpoch) !== this.#ctx.leaderEpoch ||
      r.attempt !== this.#attempt ||
      this.#checkpoints === undefined
    )
      return false;
    let message = r.errorJson;
    try {
      message = (JSON.parse(r.errorJson) as SerializedError).message;
    } catch {
      // keep the raw text
    }
    this.#checkpoints.decline(r.executionId, u64(r.checkpointId), message);
    return true;
  }

  #sendTrigger(
    task: string,
    id: number,
    timestamp: number,
    kind: 'checkpoint' | 'savepoint',
    target?: string,
    drain?: boolean,
  ): void {
    const exec = this.#executions.get(task as ExecutionId);
    const gateway = exec === undefined ? undefined : this.#ctx.gateway(exec.location.taskManagerId);
    const decline = (why: string): void => this.#checkpoints?.decline(task, id, why);
    if (gateway === undefined) return decline('the task is not running');
    gateway
      .triggerCheckpoint(
        pb.CheckpointTrigger.create({
          jobId: this.jobId,
          attempt: this.#attempt,
          executionId: task,
          checkpointId: id,
          timestamp,
          kind,
          target: target ?? '',
          drain: drain === true,
          leaderEpoch: this.#ctx.leaderEpoch,
        }),
        this.#ctx.rpcTimeoutMs,
      )
      .catch((err: unknown) => decline((err as Error).message));
  }

  #sendNotify(task: string, id: number): void {
    const exec = this.#executions.get(task as ExecutionId);
    const gateway = exec === undefined ? undefined : this.#ctx.gateway(exec.location.taskManagerId);
    gateway
      ?.notifyCheckpointComplete(
        pb.CheckpointNotification.create({
          jobId: this.jobId,
          attempt: this.#attempt,
          executionId: task,
          checkpointId: id,
          leaderEpoch: this.#ctx.leaderEpoch,
        }),
        this.#ctx.rpcTimeoutMs,
      )
      .catch((err: unknown) =>
        this.#log.warn(
          { err: (err as Error).message, checkpointId: id },
          'could not notify a task of a completed checkpoint',
        ),
      );
  }

  /** Tells the coordinator when every task of the attempt runs, and when that stops being true. */
  #updateCheckpointing(): void {
    const cp = this.#checkpoints;
    if (cp === undefined) return;
    const allRunning =
      this.#state === 'RUNNING' &&
      this.#executions.size > 0 &&
      [...this.#executions.values()].every((e) => e.state === 'RUNNING');
    if (allRunning && !this.#checkpointingActive) {
      this.#checkpointingActive = true;
      const sources = new Set(this.graph.vertices.filter((v) => v.inputs.length === 0).map((v) => v.id));
      const all = [...this.#executions.values()];
      cp.tasksRunning({
        tasksToTrigger: all.filter((e) => sources.has(e.vertexId)).map((e) => e.id),
        tasksToAck: all.map((e) => e.id),
      });
    } else if (!allRunning && this.#checkpointingActive) {
      this.#checkpointingActive = false;
      cp.tasksStopped(`job is ${this.#state}; not every task of attempt ${this.#attempt} is running`);
    }
  }

  get state(): JobState {
    return this.#state;
  }
  get attempt(): number {
    return this.#attempt;
  }
  get restarts(): number {
    return this.#restarts;
  }

  /** Starts scheduling the first attempt (after the checkpoint coordinator read its storage). */
  start(): void {
    this.#log.info({ slots: requiredSlots(this.graph) }, 'job submitted');
    if (this.#checkpoints === undefined) {
      this.#requestSlots();
      return;
    }
    this.#checkpoints.init().then(
      () => {
        if (this.#state === 'CREATED') this.#requestSlots();
      },
      (err: unknown) =>
        this.#fail(
          new EddyError(
            'CHECKPOINT_STORAGE_FAILED',
            `cannot use checkpoint storage ${this.checkpointStorageUri}: ${(err as Error).message}`,
            { domain: 'external' },
          ),
        ),
    );
  }

  // ---- scheduling ----

  #requestSlots(): void {
    this.#waitingForSlots = true;
    clearTimeout(this.#slotTimer);
    const attempt = this.#attempt;
    this.#slotTimer = setTimeout(() => {
      if (!this.#waitingForSlots || this.#attempt !== attempt) return;
      this.#waitingForSlots = false;
      const need = requiredSlots(this.graph);
      const { total, available } = this.#ctx.slotCounts();
      this.#handleFailure(
        new EddyError(
          'NO_RESOURCES',
          `job '${this.graph.jobName}' needs ${need} slots (its widest vertex has parallelism ${need}) but only ` +
            `${available} of ${total} slots were free within slot.request.timeout (${this.#ctx.slotRequestTimeoutMs} ms): ` +
            'start more TaskManagers, raise taskmanager.number-of-task-slots, or lower the parallelism',
          { domain: 'external', retryable: true },
        ),
      );
    }, this.#ctx.slotRequestTimeoutMs);
    this.#slotTimer.unref();
    this.slotsAvailable();
  }

  /** Called when slots may have become free: deploys when this job was waiting and now fits. */
  slotsAvailable(): void {
    if (!this.#waitingForSlots) return;
    const placement = this.#ctx.allocateSlots(this.jobId, requiredSlots(this.graph));
    if (placement === undefined) return;
    this.#waitingForSlots = false;
    clearTimeout(this.#slotTimer);
    this.#deploy(placement);
  }

  #deploy(placement: readonly TaskManagerLocation[]): void {
    const attempt = this.#attempt;
    const plain = buildDeploymentDescriptors({
      jobId: this.jobId,
      attempt,
      graph: this.graph,
      submission: this.#submission,
      placement,
    });
    // A restart restores from the latest completed checkpoint; the first attempt from the savepoint
    // it was submitted with, if any.
    const restoreFrom = this.#checkpoints?.latestCompleted() ?? this.#restoreFrom;
    const restore = restoreFrom === undefined ? undefined : restoreDeployment(restoreFrom);
    const cp = this.graph.checkpointing;
    const checkpointing =
      cp === undefined
        ? undefined
        : { storageUri: cp.storage ?? this.#ctx.defaultCheckpointDir, mode: cp.mode };
    const planned = plain.map((p) => ({
      ...p,
      descriptor: {
        ...p.descriptor,
        ...(checkpointing === undefined ? {} : { checkpointing }),
        ...(restore === undefined ? {} : { restore }),
      },
    }));
    if (restore !== undefined)
      this.#log.info(
        { checkpointId: restore.checkpointId, storage: restore.storageUri },
        'restoring from checkpoint',
      );
    this.#executions = new Map(
      planned.map((p) => [
        p.descriptor.executionId,
        {
          id: p.descriptor.executionId,
          vertexId: p.descriptor.vertexId,
          subtask: p.descriptor.subtaskIndex,
          location: p.location,
          state: 'DEPLOYING',
          metrics: zeroMetrics(),
        },
      ]),
    );
    this.#setState('RUNNING');
    this.#log.info({ [LogFields.attempt]: attempt, tasks: planned.length }, 'deploying job');
    for (const p of planned) {
      const d = p.descriptor;
      const gateway = this.#ctx.gateway(p.location.taskManagerId);
      const failed = (cause: unknown): void => {
        if (this.#attempt !== attempt || this.#state !== 'RUNNING') return;
        const msg = cause instanceof Error ? cause.message : String(cause);
        // Connection refused: the process is gone; do not wait for the heartbeat timeout to say so.
        // (Declaring it lost fails this attempt over through taskManagerLost.)
        if (/ECONNREFUSED/.test(msg) && this.#ctx.taskManagerUnreachable(p.location.taskManagerId, msg))
          return;
        this.#handleFailure(
          new EddyError(
            'TASK_DEPLOYMENT_FAILED',
            `could not deploy subtask ${d.subtaskIndex} of vertex ${d.vertexId} to TaskManager ` +
              `${p.location.taskManagerId} at ${p.location.address}: ${msg}`,
            // The cause is in the message: a non-Eddy cause does not survive EddyError.toJSON.
            { domain: 'external', retryable: true },
          ),
        );
      };
      if (gateway === undefined) {
        failed(new Error('the TaskManager is no longer registered'));
        return;
      }
      gateway
        .submitTask(
          pb.TaskDeployment.create({
            jobId: this.jobId,
            attempt,
            leaderEpoch: this.#ctx.leaderEpoch,
            executionId: d.executionId,
            bundleKey: this.bundleKey,
            descriptorJson: JSON.stringify(d),
          }),
          this.#ctx.rpcTimeoutMs,
        )
        .catch(failed);
    }
  }

  // ---- reports from TaskManagers ----

  /** Applies a TaskExecutionStateUpdate; false when it was fenced (stale attempt, epoch or execution). */
  updateTaskExecutionState(u: eddy.v1.TaskExecutionStateUpdate): boolean {
    if (u64(u.leaderEpoch) !== this.#ctx.leaderEpoch || u.attempt !== this.#attempt) return false;
    const exec = this.#executions.get(u.executionId as ExecutionId);
    const next = PB_STATES[u.state];
    if (exec === undefined || next === undefined) return false;
    if (!canExecutionTransition(exec.state, next)) return true;
    // While the job is being cancelled, a task failing because its producers went away (released
    // partitions) is part of the cancellation, as in Flink: it counts as CANCELED.
    exec.state = next === 'FAILED' && this.#state === 'CANCELLING' ? 'CANCELED' : next;
    this.#updateCheckpointing();
    switch (exec.state) {
      case 'FAILED': {
        const err = parseTaskError(u.errorJson, exec);
        this.#log.warn(
          {
            [LogFields.attempt]: u.attempt,
            [LogFields.vertexId]: exec.vertexId,
            [LogFields.subtask]: exec.subtask,
            err,
          },
          'subtask failed',
        );
        if (this.#state === 'RUNNING') this.#handleFailure(err);
        break;
      }
      case 'CANCELED':
        if (this.#state === 'RUNNING') {
          this.#handleFailure(
            new EddyError(
              'TASK_CANCELED',
              `subtask ${exec.subtask} of vertex ${exec.vertexId} was canceled by TaskManager ${exec.location.taskManagerId} ` +
                'although the job did not ask for it',
              { domain: 'external', retryable: true },
            ),
          );
        }
        break;
      case 'FINISHED':
        if (this.#state === 'RUNNING' && attemptOutcome(this.#states()) === 'finished') {
          this.#finalize('FINISHED');
          return true;
        }
        break;
      default:
        break;
    }
    this.#checkStopped();
    return true;
  }

  /** Appends records a collect sink reported; false when fenced. */
  reportCollected(req: eddy.v1.CollectedRecords): boolean {
    if (req.attempt !== this.#attempt || isTerminal(this.#state)) return false;
    let records: unknown;
    try {
      records = unpack(req.payload);
    } catch (err) {
      this.#log.warn({ sink: req.sinkUid, err }, 'dropped collected records that are not msgpack');
      return false;
    }
    if (!Array.isArray(records)) return false;
    let list = this.#collected.get(req.sinkUid);
    if (list === undefined) this.#collected.set(req.sinkUid, (list = []));
    const room = MAX_COLLECTED - list.length;
    if (records.length > room)
      this.#log.warn({ sink: req.sinkUid, limit: MAX_COLLECTED }, 'collect sink truncated');
    for (let i = 0; i < records.length && i < room; i++) list.push(records[i]);
    return true;
  }

  /** Applies a task metrics summary from a heartbeat. */
  updateMetrics(s: eddy.v1.TaskMetricsSummary.$Properties): void {
    const exec = this.#executions.get((s.executionId ?? '') as ExecutionId);
    if (exec === undefined) return;
    exec.metrics = {
      recordsIn: u64(s.recordsIn),
      recordsOut: u64(s.recordsOut),
      busySeconds: s.busySeconds ?? 0,
      idleSeconds: s.idleSeconds ?? 0,
      backpressuredSeconds: s.backpressuredSeconds ?? 0,
    };
  }

  /** A TaskManager is gone: its executions failed; fail over when the job was running on it. */
  taskManagerLost(tmId: TaskManagerId, address: string, reason: string): void {
    const lost: Execution[] = [];
    for (const e of this.#executions.values()) {
      if (e.location.taskManagerId === tmId && !isExecutionTerminal(e.state)) {
        e.state = 'FAILED';
        lost.push(e);
      }
    }
    if (lost.length === 0) return;
    if (this.#state === 'RUNNING') {
      const names = lost.map((e) => `${e.vertexId}#${e.subtask}`).join(', ');
      this.#handleFailure(
        new EddyError(
          'TASK_MANAGER_LOST',
          `TaskManager ${tmId} at ${address} was lost (${reason}); its subtasks ${names} failed`,
          { domain: 'external', retryable: true },
        ),
      );
      return;
    }
    this.#checkStopped();
  }

  // ---- failures, restarts, cancellation ----

  #handleFailure(err: EddyError): void {
    if (this.#state !== 'RUNNING' && this.#state !== 'CREATED' && this.#state !== 'RESTARTING') return;
    this.#exceptions.push({ timestamp: this.#ctx.clock.now(), attempt: this.#attempt, error: err.toJSON() });
    if (this.#exceptions.length > MAX_EXCEPTIONS) this.#exceptions.shift();
    const decision = decideRestart(this.#ctx.restartStrategy, err, this.#restarts, this.#ctx.random());
    if (!decision.restart) {
      this.#log.error({ [LogFields.attempt]: this.#attempt, err, reason: decision.reason }, 'job fails');
      const final = new EddyError(err.code, `${err.message} (not restarted: ${decision.reason})`, {
        domain: err.domain,
        retryable: err.retryable,
        ...(err.cause === undefined ? {} : { cause: err.cause }),
      });
      if (err.stack !== undefined) final.stack = err.stack;
      this.#fail(final);
      return;
    }
    this.#log.warn(
      { [LogFields.attempt]: this.#attempt, err, delayMs: decision.delayMs, restarts: this.#restarts + 1 },
      'restarting job',
    );
    this.#setState('RESTARTING');
    this.#waitingForSlots = false;
    clearTimeout(this.#slotTimer);
    void this.#cancelExecutions();
    this.#ctx.releaseSlots(this.jobId);
    this.#restarts++;
    this.#ctx.restarted(this.jobId);
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      if (this.#state !== 'RESTARTING') return;
      this.#attempt++;
      this.#executions = new Map();
      this.#collected = new Map();
      const restore = this.#checkpoints?.refreshLatest() ?? Promise.resolve();
      restore.then(
        () => {
          if (this.#state === 'RESTARTING') this.#requestSlots();
        },
        (err: unknown) => {
          if (this.#state === 'RESTARTING')
            this.#fail(EddyError.from(err, 'CORRUPTED_CHECKPOINT', 'external'));
        },
      );
    }, decision.delayMs);
    this.#restartTimer.unref();
  }

  #fail(err: EddyError): void {
    this.#failure = err;
    this.#setState('FAILING');
    this.#stopAll('FAILED');
  }

  /** Cancels the job; throws JOB_NOT_CANCELLABLE when it already ended. */
  cancel(): void {
    if (isTerminal(this.#state)) {
      throw new EddyError(
        'JOB_NOT_CANCELLABLE',
        `job ${this.jobId} is already ${this.#state}: only a job that has not ended can be canceled`,
        { domain: 'user' },
      );
    }
    if (this.#state === 'CANCELLING') return;
    this.#log.info('canceling job');
    this.#setState('CANCELLING');
    this.#stopAll('CANCELED');
  }

  #stopAll(target: 'FAILED' | 'CANCELED'): void {
    this.#waitingForSlots = false;
    clearTimeout(this.#slotTimer);
    clearTimeout(this.#restartTimer);
    void this.#cancelExecutions();
    if (this.#checkStopped()) return;
    clearTimeout(this.#stopTimer);
    this.#stopTimer = setTimeout(() => {
      if (this.#state !== 'CANCELLING' && this.#state !== 'FAILING') return;
      const pending = [...this.#executions.values()].filter((e) => !isExecutionTerminal(e.state));
      this.#log.warn(
        { pending: pending.map((e) => e.id), timeoutMs: this.#ctx.cancelTimeoutMs },
        'executions did not confirm cancellation in time; treating them as stopped',
      );
      this.#finalize(this.#state === 'CANCELLING' ? 'CANCELED' : target);
    }, this.#ctx.cancelTimeoutMs);
    this.#stopTimer.unref();
  }

  /** In CANCELLING/FAILING: finalizes once every execution stopped. True when it did. */
  #checkStopped(): boolean {
    if (this.#state !== 'CANCELLING' && this.#state !== 'FAILING') return false;
    if (attemptOutcome(this.#states()) === 'in-progress') return false;
    this.#finalize(this.#state === 'CANCELLING' ? 'CANCELED' : 'FAILED');
    return true;
  }

  /**
   * Sends CancelTask for every execution of the current attempt that has not stopped. Each call
   * handles its own failure, so the result never rejects; it resolves when all calls returned.
   */
  #cancelExecutions(): Promise<void> {
    const attempt = this.#attempt;
    const calls: Promise<void>[] = [];
    for (const e of this.#executions.values()) {
      if (isExecutionTerminal(e.state)) continue;
      const gateway = this.#ctx.gateway(e.location.taskManagerId);
      // Nobody is left to cancel: an execution whose TaskManager is gone has stopped.
      const gone = (): void => {
        if (this.#attempt !== attempt || isExecutionTerminal(e.state)) return;
        e.state = 'CANCELED';
        this.#checkStopped();
      };
      if (gateway === undefined) {
        e.state = 'CANCELED';
        continue;
      }
      calls.push(
        gateway
          .cancelTask(
            pb.CancelTaskRequest.create({
              jobId: this.jobId,
              attempt,
              executionId: e.id,
              leaderEpoch: this.#ctx.leaderEpoch,
            }),
            this.#ctx.rpcTimeoutMs,
          )
          .catch((err: unknown) => {
            this.#log.warn(
              { executionId: e.id, err },
              'CancelTask failed; treating the execution as stopped',
            );
            gone();
          }),
      );
    }
    return Promise.all(calls).then(() => undefined);
  }

  #finalize(target: 'FINISHED' | 'CANCELED' | 'FAILED'): void {
    clearTimeout(this.#slotTimer);
    clearTimeout(this.#restartTimer);
    clearTimeout(this.#stopTimer);
    this.#waitingForSlots = false;
    this.#setState(target);
    this.#endTime = this.#ctx.clock.now();
    this.#ctx.releaseSlots(this.jobId);
    this.#log.info(
      { [LogFields.attempt]: this.#attempt, durationMs: this.#endTime - this.#startTime },
      `job ${target}`,
    );
  }

  #setState(to: JobState): void {
    this.#state = transition(this.#state, to);
    this.#updateCheckpointing();
    if (isTerminal(to)) this.#checkpoints?.close();
  }

  #states(): Iterable<ExecutionState> {
    return [...this.#executions.values()].map((e) => e.state);
  }

  /**
   * Stops the job for a JobManager shutdown: cancels its live executions best-effort and waits for
   * the calls (each bounded by the RPC deadline). Timers are cleared; the state is left as it is.
   */
  async shutdown(): Promise<void> {
    clearTimeout(this.#slotTimer);
    clearTimeout(this.#restartTimer);
    clearTimeout(this.#stopTimer);
    this.#waitingForSlots = false;
    if (isTerminal(this.#state)) return;
    await this.#cancelExecutions();
  }

  // ---- views ----

  /** The row of GET /v1/jobs. */
  summary(): JobSummary {
    const end = this.#endTime ?? null;
    return {
      jobId: this.jobId,
      name: this.graph.jobName,
      state: this.#state,
      startTime: this.#startTime,
      endTime: end,
      durationMs: (end ?? this.#ctx.clock.now()) - this.#startTime,
      restarts: this.#restarts,
    };
  }

  /** The body of GET /v1/jobs/:id. */
  details(): object {
    const byVertexSubtask = new Map<string, Execution>();
    for (const e of this.#executions.values()) byVertexSubtask.set(`${e.vertexId}/${e.subtask}`, e);
    const s = this.summary();
    return {
      jobId: s.jobId,
      name: s.name,
      state: s.state,
      attempt: this.#attempt,
      restarts: this.#restarts,
      startTime: s.startTime,
      endTime: s.endTime,
      durationMs: s.durationMs,
      ...(this.#failure === undefined ? {} : { failure: this.#failure.toJSON() }),
      vertices: this.graph.vertices.map((v) => ({
        id: v.id,
        name: v.name,
        parallelism: v.parallelism,
        tasks: Array.from({ length: v.parallelism }, (_, subtask) => {
          const e = byVertexSubtask.get(`${v.id}/${subtask}`);
          return {
            subtask,
            state: e?.state ?? 'CREATED',
            taskManagerId: e?.location.taskManagerId ?? null,
            ...(e?.metrics ?? zeroMetrics()),
          };
        }),
      })),
    };
  }

  /** The exception history, oldest first. */
  exceptions(): readonly ExceptionEntry[] {
    return this.#exceptions;
  }

  /** What collect sink `sinkUid` reported in the current attempt. */
  collected(sinkUid: string): readonly unknown[] {
    return this.#collected.get(sinkUid) ?? [];
  }
}
