// Checkpointing as a job declares it, and the hooks user functions implement to take part:
// operator (non-keyed) list state and checkpoint notifications (DESIGN.md section 7).
import type { ListState, ListStateDescriptor } from './state.ts';

/** EXACTLY_ONCE aligns barriers; AT_LEAST_ONCE does not (records after a barrier may be replayed). */
export type CheckpointingMode = 'exactly-once' | 'at-least-once';

/** Checkpoint settings of a job (Flink's CheckpointConfig). */
export interface CheckpointConfig {
  /** Milliseconds between checkpoint triggers. */
  readonly interval: number;
  readonly mode: CheckpointingMode;
  /** A checkpoint not complete after this many ms is aborted. */
  readonly timeout: number;
  /** Least ms between the end of one checkpoint and the start of the next. */
  readonly minPause: number;
  readonly maxConcurrent: number;
  /** Failed checkpoints tolerated in a row before the job fails. */
  readonly tolerableFailures: number;
  /** Completed checkpoints kept (older ones are deleted). */
  readonly retained: number;
  /** Checkpoint storage (file:///dir or s3://bucket/prefix); the cluster's state.checkpoints.dir when absent. */
  readonly storage?: string;
}

/** Defaults of the optional settings. */
export const DEFAULT_CHECKPOINT_CONFIG: Omit<CheckpointConfig, 'interval'> = {
  mode: 'exactly-once',
  timeout: 60_000,
  minPause: 0,
  maxConcurrent: 1,
  tolerableFailures: 0,
  retained: 1,
};

/** Non-keyed state of an operator subtask, redistributed on rescale. */
export interface OperatorStateStore {
  /** Split redistribution: on restore each subtask gets a round-robin share of all entries. */
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  /** Union redistribution: on restore every subtask gets every entry (e.g. source offsets). */
  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
}

/** What initializeState receives. */
export interface FunctionInitializationContext {
  /** True when the job restored from a checkpoint or savepoint. */
  isRestored(): boolean;
  getOperatorStateStore(): OperatorStateStore;
}

/** What snapshotState receives. */
export interface FunctionSnapshotContext {
  readonly checkpointId: number;
}

/**
 * A function with operator state (Flink's CheckpointedFunction): `initializeState` runs before
 * `open`, `snapshotState` at every checkpoint, synchronously, before the barrier moves on.
 */
export interface CheckpointedFunction {
  initializeState(ctx: FunctionInitializationContext): void;
  snapshotState(ctx: FunctionSnapshotContext): void;
}

/** Told when a checkpoint completed (its metadata is durable) or was aborted. */
export interface CheckpointListener {
  notifyCheckpointComplete(checkpointId: number): void | Promise<void>;
  notifyCheckpointAborted?(checkpointId: number): void;
}

/** Whether `f` implements CheckpointedFunction. */
export function isCheckpointedFunction(f: unknown): f is CheckpointedFunction {
  return (
    f !== null &&
    typeof f === 'object' &&
    typeof (f as CheckpointedFunction).initializeState === 'function' &&
    typeof (f as CheckpointedFunction).snapshotState === 'function'
  );
}

/** Whether `f` implements CheckpointListener. */
export function isCheckpointListener(f: unknown): f is CheckpointListener {
  return (
    f !== null &&
    typeof f === 'object' &&
    typeof (f as CheckpointListener).notifyCheckpointComplete === 'function'
  );
}
