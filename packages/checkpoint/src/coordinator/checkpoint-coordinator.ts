// The CheckpointCoordinator's decisions, as Flink's CheckpointCoordinator and PendingCheckpoint make
// them, but pure: no I/O and no timers. The JobMaster feeds events (each carrying its time) into
// `handle` and carries out the returned actions in order (send triggers, write `_metadata`, send
// notifications, delete objects), reporting I/O outcomes back as events. `nextWakeUp()` tells it when
// to send the next `tick`. Called from the JobMaster's single thread only.
//
// Invariants: checkpoint ids strictly increase (also across JobManager restarts, via the seed); a
// checkpoint completes only after every task acked it and its `_metadata` is written, and at most
// once; notifyCheckpointComplete follows completion; an aborted checkpoint never completes; an object
// is deleted only when no retained or pending checkpoint references it.
import { invariant, type JobId } from '@eddy/common';
import { checkObjectPath } from '../storage/checkpoint-storage.ts';
import { checkpointDirectoryName, SHARED_DIRECTORY_NAME } from '../metadata/checkpoint-layout.ts';
import {
  buildCheckpointMetadata,
  objectHandlesOf,
  type CheckpointKind,
  type CheckpointMetadata,
  type JsonValue,
  type OperatorSubtaskStateHandles,
} from '../metadata/checkpoint-metadata.ts';
import type { CheckpointDiscard } from '../metadata/checkpoint-store.ts';
import { SharedStateRegistry } from './shared-state-registry.ts';

/** A task as the coordinator knows it: an execution id or any stable string per task attempt. */
export type TaskKey = string;

/** Checkpointing settings (Flink's CheckpointConfig); times in milliseconds. */
export interface CheckpointCoordinatorConfig {
  readonly jobId: JobId;
  /** Periodic interval; 0 or Infinity disables periodic checkpoints (savepoints still work). */
  readonly checkpointInterval: number;
  /** A pending checkpoint not acked by every task within this time expires. Default 10 minutes. */
  readonly checkpointTimeout?: number;
  /** Minimum time from the completion of one checkpoint to the trigger of the next. Default 0. */
  readonly minPauseBetweenCheckpoints?: number;
  /** Pending periodic checkpoints at once. Default 1. */
  readonly maxConcurrentCheckpoints?: number;
  /** Consecutive failed checkpoints tolerated before the job fails. Default 0. */
  readonly tolerableCheckpointFailures?: number;
  /** Completed checkpoints retained. Default 1. */
  readonly retainedCheckpoints?: number;
}

/** State carried over from a previous JobManager: ids continue after `highestCheckpointId`. */
export interface CheckpointCoordinatorSeed {
  /** The highest id found in storage (complete or not); 0 when none. */
  readonly highestCheckpointId?: number;
  /** Retained completed checkpoints, oldest first, so that their objects stay referenced. */
  readonly completed?: readonly CheckpointMetadata[];
}

/** Which tasks take part in checkpoints of the current execution attempt. */
export interface CheckpointPlan {
  /** Sources: they receive the trigger. */
  readonly tasksToTrigger: readonly TaskKey[];
  /** Every task: each must ack. */
  readonly tasksToAck: readonly TaskKey[];
  /** Tasks that receive notifyCheckpointComplete; defaults to tasksToAck. */
  readonly tasksToCommit?: readonly TaskKey[];
}

/** An input of the coordinator. */
export type CoordinatorEvent =
  | { readonly type: 'tasks-running'; readonly time: number; readonly plan: CheckpointPlan }
  | { readonly type: 'tasks-stopped'; readonly time: number; readonly message: string }
  | { readonly type: 'tick'; readonly time: number }
  | { readonly type: 'trigger-savepoint'; readonly time: number; readonly target: string }
  | {
      readonly type: 'ack';
      readonly time: number;
      readonly checkpointId: number;
      readonly task: TaskKey;
      readonly states: readonly OperatorSubtaskStateHandles[];
    }
  | {
      readonly type: 'decline';
      readonly time: number;
      readonly checkpointId: number;
      readonly task: TaskKey;
      readonly message: string;
    }
  | { readonly type: 'metadata-written'; readonly time: number; readonly checkpointId: number }
  | {
      readonly type: 'metadata-failed';
      readonly time: number;
      readonly checkpointId: number;
      readonly message: string;
    };

/** Why a checkpoint was aborted. */
export type CheckpointAbortReason =
  'expired' | 'declined' | 'invalid-ack' | 'subsumed' | 'tasks-stopped' | 'metadata-write-failed';

/** Why a message was ignored. */
export type IgnoredReason = 'unknown-checkpoint' | 'late' | 'unknown-task' | 'duplicate-ack' | 'job-failed';

/** An output of the coordinator, to be carried out in order. */
export type CoordinatorAction =
  | {
      readonly type: 'trigger-checkpoint';
      readonly checkpointId: number;
      readonly kind: CheckpointKind;
      readonly timestamp: number;
      readonly tasks: readonly TaskKey[];
      /** The savepoint's directory URI, for savepoints. */
      readonly target?: string;
    }
  | {
      /** Write `_metadata` (to the checkpoint directory, or the savepoint target), then report back. */
      readonly type: 'write-metadata';
      readonly checkpointId: number;
      readonly kind: CheckpointKind;
      readonly metadata: CheckpointMetadata;
      readonly target?: string;
    }
  | {
      /** Record it as the latest completed checkpoint (stats, REST, recovery). */
      readonly type: 'checkpoint-completed';
      readonly checkpointId: number;
      readonly kind: CheckpointKind;
      readonly metadata: CheckpointMetadata;
      readonly durationMs: number;
      readonly stateSize: number;
      readonly target?: string;
    }
  | {
      readonly type: 'notify-checkpoint-complete';
      readonly checkpointId: number;
      readonly tasks: readonly TaskKey[];
    }
  | {
      readonly type: 'checkpoint-aborted';
      readonly checkpointId: number;
      readonly kind: CheckpointKind;
      readonly reason: CheckpointAbortReason;
      readonly message: string;
      /** Tasks to send notifyCheckpointAborted. */
      readonly tasks: readonly TaskKey[];
      /** What to delete (checkpoints); for a savepoint the shell cleans its target. */
      readonly discard?: CheckpointDiscard;
      readonly target?: string;
    }
  | { readonly type: 'discard-checkpoint'; readonly discard: CheckpointDiscard }
  | {
      readonly type: 'trigger-rejected';
      readonly kind: CheckpointKind;
      readonly message: string;
      readonly target?: string;
    }
  | { readonly type: 'fail-job'; readonly message: string }
  | {
      readonly type: 'message-ignored';
      readonly event: 'ack' | 'decline' | 'metadata-written' | 'metadata-failed';
      readonly checkpointId: number;
      readonly task?: TaskKey;
      readonly reason: IgnoredReason;
      /** Objects the message brought that nothing references (delete them); may be empty. */
      readonly discard?: CheckpointDiscard;
    };

interface PendingCheckpoint {
  readonly id: number;
  readonly kind: CheckpointKind;
  readonly timestamp: number;
  readonly target: string | undefined;
  readonly notYetAcked: Set<TaskKey>;
  readonly tasksToAck: ReadonlySet<TaskKey>;
  readonly tasksToCommit: readonly TaskKey[];
  readonly states: OperatorSubtaskStateHandles[];
  /** Job-relative paths registered for this checkpoint (checkpoints only). */
  readonly objects: string[];
  status: 'collecting' | 'finalizing';
}

interface RetainedCheckpoint {
  readonly id: number;
  readonly objects: readonly string[];
}

/** A read-only view of the coordinator, for REST and metrics. */
export interface CheckpointCoordinatorSnapshot {
  readonly nextCheckpointId: number;
  readonly pending: readonly {
    readonly checkpointId: number;
    readonly kind: CheckpointKind;
    readonly timestamp: number;
    readonly acknowledged: number;
    readonly total: number;
    readonly status: 'collecting' | 'finalizing';
  }[];
  readonly retained: readonly number[];
  readonly consecutiveFailures: number;
  readonly jobFailing: boolean;
}

/** Pure checkpoint decisions of one job (see the file comment). */
export class CheckpointCoordinator {
  readonly #jobId: JobId;
  readonly #interval: number;
  readonly #timeout: number;
  readonly #minPause: number;
  readonly #maxConcurrent: number;
  readonly #tolerable: number;
  readonly #retain: number;
  readonly #pending = new Map<number, PendingCheckpoint>();
  readonly #retained: RetainedCheckpoint[] = [];
  readonly #registry = new SharedStateRegistry();
  #nextId: number;
  #plan: CheckpointPlan | undefined;
  #nextTriggerTime = Infinity;
  #lastCompletionTime = -Infinity;
  #consecutiveFailures = 0;
  #jobFailing = false;

  constructor(config: CheckpointCoordinatorConfig, seed: CheckpointCoordinatorSeed = {}) {
    this.#jobId = config.jobId;
    this.#interval = config.checkpointInterval > 0 ? config.checkpointInterval : Infinity;
    this.#timeout = config.checkpointTimeout ?? 10 * 60_000;
    this.#minPause = config.minPauseBetweenCheckpoints ?? 0;
    this.#maxConcurrent = Math.max(1, config.maxConcurrentCheckpoints ?? 1);
    this.#tolerable = Math.max(0, config.tolerableCheckpointFailures ?? 0);
    this.#retain = Math.max(1, config.retainedCheckpoints ?? 1);
    invariant(this.#timeout > 0, 'checkpoint timeout must be positive');
    let highest = seed.highestCheckpointId ?? 0;
    for (const m of seed.completed ?? []) {
      invariant(m.jobId === config.jobId, `seed checkpoint ${m.checkpointId} belongs to job ${m.jobId}`);
      const last = this.#retained.at(-1);
      invariant(last === undefined || last.id < m.checkpointId, 'seed checkpoints must be oldest first');
      const objects = jobRelativePaths(m.checkpointId, statesOf(m));
      this.#registry.register(objects);
      this.#retained.push({ id: m.checkpointId, objects });
      highest = Math.max(highest, m.checkpointId);
    }
    this.#nextId = highest + 1;
  }

  /** Applies one event; returns the actions to carry out, in order. */
  handle(event: CoordinatorEvent): CoordinatorAction[] {
    const out: CoordinatorAction[] = [];
    this.#expire(event.time, out);
    switch (event.type) {
      case 'tasks-running':
        this.#plan = event.plan;
        this.#jobFailing = false;
        this.#nextTriggerTime = event.time + this.#interval;
        break;
      case 'tasks-stopped':
        this.#plan = undefined;
        this.#nextTriggerTime = Infinity;
        for (const p of [...this.#pending.values()]) {
          this.#abort(p, 'tasks-stopped', event.message, out);
        }
        break;
      case 'tick':
        break;
      case 'trigger-savepoint':
        if (this.#plan === undefined || this.#jobFailing) {
          out.push({
            type: 'trigger-rejected',
            kind: 'savepoint',
            target: event.target,
            message: 'not all tasks of the job are running; retry the savepoint once the job is RUNNING',
          });
        } else {
          this.#trigger('savepoint', event.time, event.target, out);
        }
        break;
      case 'ack':
        this.#ack(event, out);
        break;
      case 'decline': {
        const p = this.#pending.get(event.checkpointId);
        const ignored = this.#ignoredReason(event.checkpointId, p, event.task);
        if (ignored !== undefined || p === undefined) {
          out.push({
            type: 'message-ignored',
            event: 'decline',
            checkpointId: event.checkpointId,
            task: event.task,
            reason: ignored ?? 'late',
          });
        } else {
          this.#abort(p, 'declined', `task ${event.task} declined: ${event.message}`, out);
        }
        break;
      }
      case 'metadata-written':
        this.#metadataWritten(event.checkpointId, event.time, out);
        break;
      case 'metadata-failed': {
        const p = this.#pending.get(event.checkpointId);
        if (p === undefined || p.status !== 'finalizing') {
          out.push({
            type: 'message-ignored',
            event: 'metadata-failed',
            checkpointId: event.checkpointId,
            reason: 'late',
          });
        } else {
          this.#abort(p, 'metadata-write-failed', `writing _metadata failed: ${event.message}`, out);
        }
        break;
      }
    }
    this.#maybeTriggerPeriodic(event.time, out);
    return out;
  }

  /** When the next `tick` is due (a trigger or a timeout), or undefined when nothing is scheduled. */
  nextWakeUp(): number | undefined {
    let t = Infinity;
    if (this.#plan !== undefined && !this.#jobFailing && this.#periodicPending() < this.#maxConcurrent) {
      t = Math.max(this.#nextTriggerTime, this.#lastCompletionTime + this.#minPause);
    }
    for (const p of this.#pending.values()) {
      if (p.status === 'collecting') t = Math.min(t, p.timestamp + this.#timeout);
    }
    return Number.isFinite(t) ? t : undefined;
  }

  /** The coordinator's state, for REST and metrics. */
  snapshot(): CheckpointCoordinatorSnapshot {
    return {
      nextCheckpointId: this.#nextId,
      pending: [...this.#pending.values()].map((p) => ({
        checkpointId: p.id,
        kind: p.kind,
        timestamp: p.timestamp,
        acknowledged: p.tasksToAck.size - p.notYetAcked.size,
        total: p.tasksToAck.size,
        status: p.status,
      })),
      retained: this.#retained.map((r) => r.id),
      consecutiveFailures: this.#consecutiveFailures,
      jobFailing: this.#jobFailing,
    };
  }

  #expire(time: number, out: CoordinatorAction[]): void {
    for (const p of [...this.#pending.values()]) {
      // A finalizing checkpoint has every ack; its `_metadata` write reports its own failure.
      if (p.status === 'collecting' && time >= p.timestamp + this.#timeout) {
        this.#abort(
          p,
          'expired',
          `not acknowledged by every task within ${this.#timeout} ms (missing: ${[...p.notYetAcked].slice(0, 5).join(', ')})`,
          out,
        );
      }
    }
  }

  #periodicPending(): number {
    let n = 0;
    for (const p of this.#pending.values()) if (p.kind === 'checkpoint') n++;
    return n;
  }

  #maybeTriggerPeriodic(time: number, out: CoordinatorAction[]): void {
    if (this.#plan === undefined || this.#jobFailing) return;
    if (this.#periodicPending() >= this.#maxConcurrent) return;
    if (time < this.#nextTriggerTime || time < this.#lastCompletionTime + this.#minPause) return;
    this.#trigger('checkpoint', time, undefined, out);
    this.#nextTriggerTime = time + this.#interval;
  }

  #trigger(kind: CheckpointKind, time: number, target: string | undefined, out: CoordinatorAction[]): void {
    const plan = this.#plan;
    invariant(plan !== undefined, 'trigger without a plan');
    const id = this.#nextId++;
    const tasksToAck = new Set(plan.tasksToAck);
    this.#pending.set(id, {
      id,
      kind,
      timestamp: time,
      target,
      notYetAcked: new Set(tasksToAck),
      tasksToAck,
      tasksToCommit: plan.tasksToCommit ?? plan.tasksToAck,
      states: [],
      objects: [],
      status: 'collecting',
    });
    out.push({
      type: 'trigger-checkpoint',
      checkpointId: id,
      kind,
      timestamp: time,
      tasks: plan.tasksToTrigger,
      ...(target === undefined ? {} : { target }),
    });
    // A job without tasks to ack completes at once.
    if (tasksToAck.size === 0) this.#finalize(this.#pending.get(id)!, out);
  }

  #ignoredReason(id: number, p: PendingCheckpoint | undefined, task: TaskKey): IgnoredReason | undefined {
    if (id >= this.#nextId || id < 1) return 'unknown-checkpoint';
    if (p === undefined) return 'late';
    if (!p.tasksToAck.has(task)) return 'unknown-task';
    if (!p.notYetAcked.has(task)) return 'duplicate-ack';
    return undefined;
  }

  #ack(event: Extract<CoordinatorEvent, { type: 'ack' }>, out: CoordinatorAction[]): void {
    const p = this.#pending.get(event.checkpointId);
    const ignored = this.#ignoredReason(event.checkpointId, p, event.task);
    if (ignored !== undefined || p === undefined) {
      const reason = ignored ?? 'late';
      // State that arrives for an aborted or subsumed checkpoint is garbage unless something else
      // references it (a shared object reused by a retained checkpoint).
      let discard: CheckpointDiscard | undefined;
      if (reason === 'late') {
        let paths: string[] = [];
        try {
          paths = jobRelativePaths(event.checkpointId, event.states);
        } catch {
          // Invalid paths: delete nothing a broken task named.
        }
        const objects = [...new Set(paths)].filter((x) => !this.#registry.isReferenced(x));
        if (objects.length > 0)
          discard = { checkpointId: event.checkpointId, objects, deleteDirectory: false };
      }
      out.push({
        type: 'message-ignored',
        event: 'ack',
        checkpointId: event.checkpointId,
        task: event.task,
        reason,
        ...(discard === undefined ? {} : { discard }),
      });
      return;
    }
    if (p.kind === 'checkpoint') {
      let paths: string[];
      try {
        paths = jobRelativePaths(p.id, event.states);
      } catch (err) {
        this.#abort(
          p,
          'invalid-ack',
          `task ${event.task} acknowledged invalid state handles: ${(err as Error).message}`,
          out,
        );
        return;
      }
      this.#registry.register(paths);
      p.objects.push(...paths);
    } else {
      for (const s of event.states) {
        for (const h of s.objects) {
          if (h.shared === true) {
            this.#abort(
              p,
              'invalid-ack',
              `task ${event.task} acknowledged a shared object '${h.path}' for a savepoint, which must be self-contained`,
              out,
            );
            return;
          }
          try {
            checkObjectPath(h.path);
          } catch (err) {
            this.#abort(p, 'invalid-ack', `task ${event.task}: ${(err as Error).message}`, out);
            return;
          }
        }
      }
    }
    p.notYetAcked.delete(event.task);
    p.states.push(...event.states);
    if (p.notYetAcked.size === 0) this.#finalize(p, out);
  }

  #finalize(p: PendingCheckpoint, out: CoordinatorAction[]): void {
    p.status = 'finalizing';
    out.push({
      type: 'write-metadata',
      checkpointId: p.id,
      kind: p.kind,
      metadata: this.#metadataOf(p),
      ...(p.target === undefined ? {} : { target: p.target }),
    });
  }

  #metadataOf(p: PendingCheckpoint, properties?: JsonValue): CheckpointMetadata {
    return buildCheckpointMetadata({
      kind: p.kind,
      jobId: this.#jobId,
      checkpointId: p.id,
      timestamp: p.timestamp,
      states: p.states,
      ...(properties === undefined ? {} : { properties }),
    });
  }

  #metadataWritten(id: number, time: number, out: CoordinatorAction[]): void {
    const p = this.#pending.get(id);
    if (p === undefined || p.status !== 'finalizing') {
      // The checkpoint was aborted (subsumed, tasks stopped) while its `_metadata` was being
      // written: that `_metadata` must go, or a restore would see an aborted checkpoint as complete.
      const isRetained = this.#retained.some((r) => r.id === id);
      out.push({
        type: 'message-ignored',
        event: 'metadata-written',
        checkpointId: id,
        reason: id >= this.#nextId ? 'unknown-checkpoint' : 'late',
        ...(isRetained || id >= this.#nextId || p !== undefined
          ? {}
          : {
              discard: {
                checkpointId: id,
                objects: [],
                deleteDirectory: !this.#registry.isReferencedUnder(`${checkpointDirectoryName(id)}/`),
              },
            }),
      });
      return;
    }
    this.#pending.delete(id);
    const metadata = this.#metadataOf(p);
    let stateSize = 0;
    for (const { handle } of objectHandlesOf(metadata)) stateSize += handle.size;
    out.push({
      type: 'checkpoint-completed',
      checkpointId: id,
      kind: p.kind,
      metadata,
      durationMs: time - p.timestamp,
      stateSize,
      ...(p.target === undefined ? {} : { target: p.target }),
    });
    this.#lastCompletionTime = time;
    if (p.kind === 'checkpoint') {
      this.#consecutiveFailures = 0;
      // Completing n subsumes every pending checkpoint before n (savepoints are never subsumed).
      for (const older of [...this.#pending.values()]) {
        if (older.id < id && older.kind === 'checkpoint') {
          this.#abort(older, 'subsumed', `subsumed by completed checkpoint ${id}`, out);
        }
      }
      this.#retained.push({ id, objects: p.objects });
    }
    out.push({ type: 'notify-checkpoint-complete', checkpointId: id, tasks: p.tasksToCommit });
    while (this.#retained.length > this.#retain) {
      const oldest = this.#retained.shift()!;
      out.push({ type: 'discard-checkpoint', discard: this.#release(oldest.id, oldest.objects) });
    }
  }

  #release(id: number, objects: readonly string[]): CheckpointDiscard {
    const freed = this.#registry.release(objects);
    return {
      checkpointId: id,
      objects: freed,
      deleteDirectory: !this.#registry.isReferencedUnder(`${checkpointDirectoryName(id)}/`),
    };
  }

  #abort(
    p: PendingCheckpoint,
    reason: CheckpointAbortReason,
    message: string,
    out: CoordinatorAction[],
  ): void {
    this.#pending.delete(p.id);
    out.push({
      type: 'checkpoint-aborted',
      checkpointId: p.id,
      kind: p.kind,
      reason,
      message: `${p.kind} ${p.id} aborted: ${message}`,
      tasks: [...p.tasksToAck],
      ...(p.kind === 'checkpoint' ? { discard: this.#release(p.id, p.objects) } : {}),
      ...(p.target === undefined ? {} : { target: p.target }),
    });
    // Flink's CheckpointFailureManager: only failures of the checkpoint itself count; subsumption and
    // job failover do not, nor do savepoints (the user sees their failure directly).
    const counts =
      p.kind === 'checkpoint' &&
      (reason === 'expired' ||
        reason === 'declined' ||
        reason === 'invalid-ack' ||
        reason === 'metadata-write-failed');
    if (counts && !this.#jobFailing) {
      this.#consecutiveFailures++;
      if (this.#consecutiveFailures > this.#tolerable) {
        this.#jobFailing = true;
        this.#consecutiveFailures = 0;
        out.push({
          type: 'fail-job',
          message: `exceeded the tolerable checkpoint failures (${this.#tolerable}); last: ${p.kind} ${p.id} ${message}; raise execution.checkpointing.tolerable-failed-checkpoints or fix the cause`,
        });
      }
    }
  }
}

/** The states of a checkpoint's metadata as acks would carry them. */
function statesOf(m: CheckpointMetadata): OperatorSubtaskStateHandles[] {
  const out: OperatorSubtaskStateHandles[] = [];
  for (const op of m.operators)
    for (const st of op.subtasks) out.push({ operatorUid: op.operatorUid, ...st });
  return out;
}

/** Job-relative paths (`chk-<n>/...` or `shared/...`) of the objects in `states`; throws on invalid paths. */
export function jobRelativePaths(
  checkpointId: number,
  states: readonly OperatorSubtaskStateHandles[],
): string[] {
  const out: string[] = [];
  const own = `${checkpointDirectoryName(checkpointId)}/`;
  for (const s of states) {
    for (const h of s.objects) {
      checkObjectPath(h.path);
      out.push(h.shared === true ? `${SHARED_DIRECTORY_NAME}/${h.path}` : own + h.path);
    }
  }
  return out;
}
