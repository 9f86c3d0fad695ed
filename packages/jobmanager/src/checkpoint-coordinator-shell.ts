// The I/O shell around the pure CheckpointCoordinator of one job: feeds it events (tasks running or
// stopped, ticks, acks, declines, metadata writes), carries out its actions in order (trigger RPCs,
// writing `_metadata` last, notifications, deleting discarded objects), keeps the latest completed
// checkpoint for recovery and the statistics for REST. Runs on the JobManager's event loop.
import {
  CheckpointCoordinator,
  checkpointDirectory,
  checkpointLocation,
  discardCheckpoint,
  findLatestCompletedCheckpoint,
  jobDirectory,
  objectHandlesOf,
  savepointLocation,
  sharedStateDirectory,
  SHARED_DIRECTORY_NAME,
  writeCheckpointMetadata,
  type CheckpointMetadata,
  type CheckpointStorage,
  type CoordinatorAction,
  type CoordinatorEvent,
  type OperatorSubtaskStateHandles,
} from '@eddy/checkpoint';
import type { CheckpointConfig } from '@eddy/api';
import { EddyError, type Clock, type JobId, type Logger } from '@eddy/common';
import type { RestoreDeployment, SubtaskStateReference } from '@eddy/runtime';

/** A completed checkpoint or savepoint, where it lives. */
export interface CompletedCheckpoint {
  readonly metadata: CheckpointMetadata;
  readonly storageUri: string;
  readonly directory: string;
}

/** One row of the checkpoint history in REST. */
export interface CheckpointStats {
  readonly id: number;
  readonly kind: 'checkpoint' | 'savepoint';
  status: 'in-progress' | 'completed' | 'failed';
  readonly triggerTime: number;
  durationMs?: number;
  /** The size of every object the checkpoint references (shared ones included). */
  stateSize?: number;
  /**
   * What this checkpoint uploaded: its own objects plus the shared objects the previous completed
   * checkpoint did not reference (Flink's "checkpointed data size"); equals stateSize when full.
   */
  checkpointedSize?: number;
  alignmentMs: number;
  failure?: string;
  path?: string;
}

/** How the shell reaches tasks and storage. */
export interface CheckpointShellContext {
  readonly jobId: JobId;
  readonly config: CheckpointConfig;
  readonly storageUri: string;
  readonly clock: Clock;
  readonly logger: Logger;
  storage(uri: string): CheckpointStorage;
  trigger(
    task: string,
    checkpointId: number,
    timestamp: number,
    kind: 'checkpoint' | 'savepoint',
    target?: string,
    drain?: boolean,
  ): void;
  notifyComplete(task: string, checkpointId: number): void;
  failJob(message: string): void;
  /**
   * The id of the savepoint or checkpoint the job starts from: new ids continue after it, so that
   * what two-phase-commit sinks name by checkpoint id never collides with the earlier run's.
   */
  readonly restoredCheckpointId?: number | undefined;
}

/**
 * Turns a completed checkpoint into what a redeployed subtask restores from: per old subtask its own
 * object and the shared objects (incremental key groups under `<jobId>/shared/`) it references.
 */
export function restoreDeployment(c: CompletedCheckpoint): RestoreDeployment {
  const operators: Record<string, (SubtaskStateReference | null)[]> = {};
  let anyShared = false;
  for (const op of c.metadata.operators) {
    const refs: (SubtaskStateReference | null)[] = [];
    for (const s of op.subtasks) {
      const own = s.objects.find((o) => o.shared !== true);
      const shared = s.objects
        .filter((o) => o.shared === true)
        .map((o) => ({ path: o.path, size: o.size, sha256: o.sha256 }));
      anyShared ||= shared.length > 0;
      refs[s.subtask] =
        own === undefined
          ? null
          : {
              path: own.path,
              size: own.size,
              sha256: own.sha256,
              ...(shared.length === 0 ? {} : { shared }),
            };
    }
    operators[op.operatorUid] = Array.from(refs, (r) => r ?? null);
  }
  return {
    storageUri: c.storageUri,
    directory: c.directory,
    checkpointId: c.metadata.checkpointId,
    operators,
    // Shared objects live beside the job's checkpoints; a savepoint never has any.
    ...(anyShared && c.directory !== '' ? { sharedDirectory: sharedStateDirectory(c.metadata.jobId) } : {}),
  };
}

/** The coordinator of one job, with its I/O. */
export class CheckpointCoordinatorShell {
  readonly #ctx: CheckpointShellContext;
  #coordinator!: CheckpointCoordinator;
  #timer: NodeJS.Timeout | undefined;
  #latest: CompletedCheckpoint | undefined;
  readonly #history: CheckpointStats[] = [];
  readonly #alignment = new Map<number, number>();
  /** Savepoint targets whose trigger asks sources to drain (stop with drain). */
  readonly #drains = new Set<string>();
  readonly #savepointWaiters = new Map<
    string,
    { resolve: (path: string) => void; reject: (e: EddyError) => void }
  >();
  #closed = false;
  /** Shared paths (job-relative) of the latest completed checkpoint, for checkpointedSize. */
  #lastShared = new Set<string>();
  /**
   * Shared objects the coordinator released, by job-relative path -> the id of the latest completed
   * checkpoint when they were released. Deleting them waits for one more checkpoint to complete:
   * a task that has not yet heard that its baseline was subsumed may still ack a reference to one
   * (its ack re-registers the path and takes it off this list).
   */
  readonly #deferredSharedDeletes = new Map<string, number>();
  #lastCompletedId = 0;

  constructor(ctx: CheckpointShellContext) {
    this.#ctx = ctx;
  }

  /** Seeds ids (they never repeat) and the latest completed checkpoint from storage. */
  async init(): Promise<void> {
    const c = this.#ctx.config;
    const storage = this.#ctx.storage(this.#ctx.storageUri);
    const found = await findLatestCompletedCheckpoint(storage, this.#ctx.jobId).catch(() => undefined);
    this.#coordinator = new CheckpointCoordinator(
      {
        jobId: this.#ctx.jobId,
        checkpointInterval: c.interval,
        checkpointTimeout: c.timeout,
        minPauseBetweenCheckpoints: c.minPause,
        maxConcurrentCheckpoints: c.maxConcurrent,
        tolerableCheckpointFailures: c.tolerableFailures,
        retainedCheckpoints: c.retained,
      },
      {
        highestCheckpointId: Math.max(found?.highestCheckpointId ?? 0, this.#ctx.restoredCheckpointId ?? 0),
        ...(found?.checkpoint === undefined ? {} : { completed: [found.checkpoint.metadata] }),
      },
    );
    if (found?.checkpoint !== undefined) {
      this.#latest = {
        metadata: found.checkpoint.metadata,
        storageUri: this.#ctx.storageUri,
        directory: found.checkpoint.location.directory,
      };
    }
  }

  /**
   * Before a restart: re-reads and verifies (size and SHA-256 of every object) the completed
   * checkpoints in storage and keeps the newest intact one, skipping corrupted ones. Throws a
   * CORRUPTED_CHECKPOINT error when checkpoints existed but none is intact (restoring nothing would
   * replay committed output).
   */
  async refreshLatest(): Promise<void> {
    const had = this.#latest;
    if (had === undefined || had.directory === '') return; // nothing yet, or a savepoint
    const found = await findLatestCompletedCheckpoint(
      this.#ctx.storage(this.#ctx.storageUri),
      this.#ctx.jobId,
    );
    for (const s of found.skipped) {
      this.#ctx.logger.warn(
        { checkpointId: s.checkpointId, reason: s.reason, err: s.error.message },
        'skipping a checkpoint that cannot be restored',
      );
    }
    if (found.checkpoint === undefined) {
      const why = found.skipped[0]?.error.message ?? 'no completed checkpoint is left in storage';
      throw new EddyError(
        'CORRUPTED_CHECKPOINT',
        `cannot restore job ${this.#ctx.jobId}: ${why}; no older retained checkpoint is intact (retain more with enableCheckpointing(..., { retained: N }), or restart from a savepoint)`,
        { domain: 'external', retryable: false },
      );
    }
    this.#latest = {
      metadata: found.checkpoint.metadata,
      storageUri: this.#ctx.storageUri,
      directory: found.checkpoint.location.directory,
    };
    if (found.checkpoint.metadata.checkpointId !== had.metadata.checkpointId) {
      this.#ctx.logger.warn(
        { from: had.metadata.checkpointId, to: found.checkpoint.metadata.checkpointId },
        'restoring from an older checkpoint',
      );
    }
  }

  /** The checkpoint a restart restores from. */
  latestCompleted(): CompletedCheckpoint | undefined {
    return this.#latest;
  }

  history(): readonly CheckpointStats[] {
    return this.#history;
  }

  tasksRunning(plan: { tasksToTrigger: string[]; tasksToAck: string[] }): void {
    this.#handle({ type: 'tasks-running', time: this.#ctx.clock.now(), plan });
  }
  tasksStopped(message: string): void {
    // Restored tasks upload everything again in their first checkpoint.
    this.#lastShared = new Set();
    this.#handle({ type: 'tasks-stopped', time: this.#ctx.clock.now(), message });
  }
  ack(task: string, checkpointId: number, states: OperatorSubtaskStateHandles[], alignmentMs: number): void {
    this.#alignment.set(checkpointId, Math.max(this.#alignment.get(checkpointId) ?? 0, alignmentMs));
    for (const st of states)
      for (const o of st.objects)
        if (o.shared === true) this.#deferredSharedDeletes.delete(`${SHARED_DIRECTORY_NAME}/${o.path}`);
    this.#handle({ type: 'ack', time: this.#ctx.clock.now(), checkpointId, task, states });
  }
  decline(task: string, checkpointId: number, message: string): void {
    this.#handle({ type: 'decline', time: this.#ctx.clock.now(), checkpointId, task, message });
  }

  /** Triggers a savepoint to `target`; resolves with its location once complete. */
  triggerSavepoint(target: string, drain = false): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#savepointWaiters.set(target, { resolve, reject });
      if (drain) this.#drains.add(target);
      this.#handle({ type: 'trigger-savepoint', time: this.#ctx.clock.now(), target });
    });
  }

  #handle(event: CoordinatorEvent): void {
    if (this.#closed) return;
    let actions: CoordinatorAction[];
    try {
      actions = this.#coordinator.handle(event);
    } catch (err) {
      this.#ctx.logger.error({ err, event: event.type }, 'checkpoint coordinator failed');
      return;
    }
    for (const a of actions) this.#run(a);
    this.#schedule();
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    const at = this.#coordinator.nextWakeUp();
    if (at === undefined || this.#closed) return;
    this.#timer = setTimeout(
      () => this.#handle({ type: 'tick', time: this.#ctx.clock.now() }),
      Math.max(0, at - this.#ctx.clock.now()),
    );
    this.#timer.unref();
  }

  #stats(id: number): CheckpointStats | undefined {
    return this.#history.find((h) => h.id === id);
  }

  #run(a: CoordinatorAction): void {
    const log = this.#ctx.logger;
    switch (a.type) {
      case 'trigger-checkpoint':
        this.#history.push({
          id: a.checkpointId,
          kind: a.kind,
          status: 'in-progress',
          triggerTime: a.timestamp,
          alignmentMs: 0,
        });
        if (this.#history.length > 100) this.#history.shift();
        for (const t of a.tasks) {
          const drain = a.target !== undefined && this.#drains.has(a.target);
          this.#ctx.trigger(t, a.checkpointId, a.timestamp, a.kind, a.target, drain);
        }
        if (a.target !== undefined) this.#drains.delete(a.target);
        return;
      case 'write-metadata': {
        const location =
          a.kind === 'savepoint'
            ? savepointLocation(this.#ctx.storage(a.target!))
            : checkpointLocation(this.#ctx.storage(this.#ctx.storageUri), this.#ctx.jobId, a.checkpointId);
        writeCheckpointMetadata(location, a.metadata).then(
          () =>
            this.#handle({
              type: 'metadata-written',
              time: this.#ctx.clock.now(),
              checkpointId: a.checkpointId,
            }),
          (err: unknown) =>
            this.#handle({
              type: 'metadata-failed',
              time: this.#ctx.clock.now(),
              checkpointId: a.checkpointId,
              message: (err as Error).message,
            }),
        );
        return;
      }
      case 'checkpoint-completed': {
        const savepoint = a.kind === 'savepoint';
        const completed: CompletedCheckpoint = {
          metadata: a.metadata,
          storageUri: savepoint ? a.target! : this.#ctx.storageUri,
          directory: savepoint ? '' : checkpointDirectory(this.#ctx.jobId, a.checkpointId),
        };
        // A savepoint is a valid restore point too: the newest of either wins.
        this.#latest = completed;
        const s = this.#stats(a.checkpointId);
        let checkpointedSize = 0;
        const shared = new Set<string>();
        for (const { handle } of objectHandlesOf(a.metadata)) {
          const path = `${SHARED_DIRECTORY_NAME}/${handle.path}`;
          if (handle.shared === true) shared.add(path);
          if (handle.shared !== true || !this.#lastShared.has(path)) checkpointedSize += handle.size;
        }
        if (!savepoint) {
          this.#lastShared = shared;
          this.#lastCompletedId = a.checkpointId;
          this.#deleteDeferred(a.checkpointId);
        }
        if (s !== undefined) {
          s.status = 'completed';
          s.durationMs = a.durationMs;
          s.stateSize = a.stateSize;
          s.checkpointedSize = checkpointedSize;
          s.alignmentMs = this.#alignment.get(a.checkpointId) ?? 0;
          s.path = `${completed.storageUri}/${completed.directory}`;
        }
        this.#alignment.delete(a.checkpointId);
        log.info(
          { checkpointId: a.checkpointId, kind: a.kind, durationMs: a.durationMs, stateSize: a.stateSize },
          'checkpoint completed',
        );
        if (savepoint) {
          this.#savepointWaiters.get(a.target!)?.resolve(completed.storageUri);
          this.#savepointWaiters.delete(a.target!);
        }
        return;
      }
      case 'notify-checkpoint-complete':
        for (const t of a.tasks) this.#ctx.notifyComplete(t, a.checkpointId);
        return;
      case 'checkpoint-aborted': {
        const s = this.#stats(a.checkpointId);
        if (s !== undefined) {
          s.status = 'failed';
          s.failure = `${a.reason}: ${a.message}`;
        }
        this.#alignment.delete(a.checkpointId);
        log.warn(
          { checkpointId: a.checkpointId, reason: a.reason, message: a.message },
          'checkpoint aborted',
        );
        if (a.discard !== undefined) this.#discard(a.discard);
        if (a.kind === 'savepoint' && a.target !== undefined) {
          this.#savepointWaiters
            .get(a.target)
            ?.reject(
              new EddyError(
                'SAVEPOINT_FAILED',
                `savepoint to ${a.target} failed: ${a.reason}: ${a.message}`,
                { domain: 'external', retryable: true },
              ),
            );
          this.#savepointWaiters.delete(a.target);
        }
        return;
      }
      case 'discard-checkpoint':
        this.#discard(a.discard);
        return;
      case 'trigger-rejected':
        if (a.target !== undefined) {
          this.#savepointWaiters
            .get(a.target)
            ?.reject(
              new EddyError(
                'SAVEPOINT_REJECTED',
                `savepoint to ${a.target} was not triggered: ${a.message}`,
                { domain: 'user' },
              ),
            );
          this.#savepointWaiters.delete(a.target);
        }
        return;
      case 'fail-job':
        this.#ctx.failJob(a.message);
        return;
      case 'message-ignored':
        if (a.discard !== undefined) this.#discard(a.discard);
        return;
    }
  }

  #discard(discard: Parameters<typeof discardCheckpoint>[2]): void {
    const prefix = `${SHARED_DIRECTORY_NAME}/`;
    for (const p of discard.objects)
      if (p.startsWith(prefix)) this.#deferredSharedDeletes.set(p, this.#lastCompletedId);
    const own = { ...discard, objects: discard.objects.filter((p) => !p.startsWith(prefix)) };
    discardCheckpoint(this.#ctx.storage(this.#ctx.storageUri), this.#ctx.jobId, own).catch((err: unknown) =>
      this.#ctx.logger.warn(
        { err: (err as Error).message, checkpointId: discard.checkpointId },
        'could not delete a discarded checkpoint',
      ),
    );
  }

  /** Deletes the shared objects released before checkpoint `completedId` completed and not referenced since. */
  #deleteDeferred(completedId: number): void {
    const paths: string[] = [];
    for (const [p, at] of this.#deferredSharedDeletes) {
      if (at < completedId) {
        paths.push(jobDirectory(this.#ctx.jobId) + p);
        this.#deferredSharedDeletes.delete(p);
      }
    }
    if (paths.length === 0) return;
    this.#ctx
      .storage(this.#ctx.storageUri)
      .delete(paths)
      .catch((err: unknown) =>
        this.#ctx.logger.warn(
          { err: (err as Error).message, objects: paths.length },
          'could not delete shared objects',
        ),
      );
  }

  /** Stops timers; pending savepoints fail. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const [target, w] of this.#savepointWaiters) {
      w.reject(
        new EddyError('SAVEPOINT_FAILED', `savepoint to ${target} failed: the job stopped`, {
          domain: 'external',
        }),
      );
    }
    this.#savepointWaiters.clear();
  }
}
