// What one operator subtask contributes to a checkpoint, and how a restore hands state back to the
// subtasks of a possibly different parallelism. Canonical and backend-independent: keyed state by
// key group, timers with their key groups, operator list state with its redistribution mode, and
// the opaque positions of source readers and sink writers.
import type { KeyedStateSnapshot } from '@eddy/state';

/** A timer in a snapshot: [timer service index, domain, time, key, key group, namespace]. */
export type TimerSnapshotEntry = readonly [number, 'event' | 'processing', number, unknown, number, unknown];

/**
 * The incremental part of a keyed snapshot (LevelDB backend): `keyed` then holds only the key groups
 * that changed since the baseline, and these fields say what the rest is. The baseline is the last
 * checkpoint that completed with an incremental snapshot of this operator.
 */
export interface IncrementalKeyedState {
  /** The completed checkpoint whose key-group objects `unchanged` refers to; 0 for none (all in `keyed`). */
  readonly baseCheckpointId: number;
  /** Key groups whose content equals the baseline's. */
  readonly unchanged: readonly number[];
  /** The SHA-256 (hex) of every key group that holds state, changed or not. */
  readonly digests: ReadonlyMap<number, string>;
  /**
   * Called by whoever uploads the snapshot once every key group of it is a shared object of the
   * checkpoint: when the checkpoint then completes, this snapshot becomes the operator's baseline.
   * Never called for savepoints, whose objects later checkpoints cannot reference.
   */
  readonly becomeBaselineOnCompletion: () => void;
}

/** One operator subtask's state at a checkpoint. */
export interface OperatorSnapshot {
  readonly keyed?: KeyedStateSnapshot;
  /** Present when `keyed` is incremental (see IncrementalKeyedState). */
  readonly incremental?: IncrementalKeyedState;
  readonly timers?: readonly TimerSnapshotEntry[];
  /** Operator list state by name: split (round-robin on restore) or union (everyone gets all). */
  readonly operatorState?: Readonly<
    Record<string, { readonly mode: 'split' | 'union'; readonly items: readonly unknown[] }>
  >;
  /** A source reader's position. */
  readonly reader?: unknown;
  /** A sink writer's state (e.g. its pre-committed transaction). */
  readonly writer?: unknown;
  /** Broadcast state by name (the same on every subtask). */
  readonly broadcast?: Readonly<Record<string, readonly (readonly [unknown, unknown])[]>>;
}

/** What an operator subtask restores from. */
export interface OperatorRestore {
  /** Every old subtask's keyed state; the backend keeps its own key groups. */
  readonly keyed: readonly KeyedStateSnapshot[];
  /** Timers in this subtask's key groups. */
  readonly timers: readonly TimerSnapshotEntry[];
  /** Operator list state for this subtask after redistribution. */
  readonly operatorState: Readonly<Record<string, readonly unknown[]>>;
  /** Reader and writer states of every old subtask, in subtask order, and this subtask's own. */
  readonly readerStates: readonly unknown[];
  readonly readerState: unknown;
  readonly writerStates: readonly unknown[];
  readonly writerState: unknown;
  /** Broadcast state: every subtask had the same, any old subtask's copy serves. */
  readonly broadcast: Readonly<Record<string, readonly (readonly [unknown, unknown])[]>> | undefined;
}

/**
 * Redistributes the snapshots of one operator (old subtasks `snapshots[i]`) to subtask `index` of
 * `parallelism`, as Flink does: keyed state by key group (filtered by the backend), split list state
 * round-robin, union list state to everyone, reader/writer states by index when the parallelism is
 * unchanged (and all of them for readers that can redistribute).
 */
export function assignRestore(
  snapshots: readonly (OperatorSnapshot | undefined)[],
  index: number,
  parallelism: number,
  keyGroupRange: { readonly start: number; readonly end: number } | undefined,
): OperatorRestore {
  const keyed: KeyedStateSnapshot[] = [];
  const timers: TimerSnapshotEntry[] = [];
  const split = new Map<string, unknown[]>();
  const union = new Map<string, unknown[]>();
  for (const s of snapshots) {
    if (s === undefined) continue;
    if (s.keyed !== undefined) keyed.push(s.keyed);
    for (const t of s.timers ?? []) {
      if (keyGroupRange === undefined || (t[4] >= keyGroupRange.start && t[4] <= keyGroupRange.end))
        timers.push(t);
    }
    for (const [name, st] of Object.entries(s.operatorState ?? {})) {
      const target = st.mode === 'union' ? union : split;
      const list = target.get(name) ?? [];
      for (const item of st.items) list.push(item);
      target.set(name, list);
    }
  }
  const operatorState: Record<string, unknown[]> = {};
  for (const [name, items] of split) operatorState[name] = items.filter((_x, i) => i % parallelism === index);
  for (const [name, items] of union) operatorState[name] = items;
  const sameParallelism = snapshots.length === parallelism;
  return {
    keyed,
    timers,
    operatorState,
    readerStates: snapshots.map((s) => s?.reader),
    readerState: sameParallelism ? snapshots[index]?.reader : undefined,
    writerStates: snapshots.map((s) => s?.writer),
    writerState: sameParallelism ? snapshots[index]?.writer : undefined,
    broadcast: snapshots.find((s) => s?.broadcast !== undefined)?.broadcast,
  };
}
