// The keyed state backend contract shared by the heap and LevelDB backends, and Eddy's canonical
// snapshot form: state by key group as plain entries, independent of the backend that wrote it, so
// a savepoint taken on one backend restores into the other and key groups can move between
// subtasks on rescale (DESIGN.md sections 6 and 7).
import type { StateDescriptor } from '@eddy/api';
import type { KeyGroupRange } from './key-group.ts';

/** A map key for a key or namespace (primitives as they are, objects as canonical JSON). */
export type NormalizedKey = string | number | boolean | bigint | null | undefined;

/**
 * A state handle as operators use it: the user-facing methods on the current key, plus a namespace
 * the owner can switch (Flink's InternalKvState).
 */
export interface InternalKvState {
  readonly descriptor: StateDescriptor;
  setCurrentNamespace(namespace: unknown): void;
  /** Merges the values of `sources` namespaces into `target` and clears the sources (merging windows). */
  mergeNamespaces(target: unknown, sources: readonly unknown[]): void;
  clear(): void;
}

/**
 * One state entry in canonical form: [state name, key, namespace, value]. Values by state kind:
 * value -> the value; list -> array; map -> array of [mapKey, mapValue]; reducing -> the reduced
 * value; aggregating -> the accumulator. A state with TTL (StateMeta `ttl: true`) keeps each value's
 * last-update time (ms) beside it: value, reducing, aggregating -> [value, ts]; list -> array of
 * [element, ts]; map -> array of [mapKey, mapValue, ts].
 */
export type StateEntry = readonly [string, unknown, unknown, unknown];

/** The canonical state of one key group. */
export interface KeyGroupSnapshot {
  readonly keyGroup: number;
  readonly entries: readonly StateEntry[];
}

/** How a snapshot declares a state: its kind, or for a state with TTL, its kind and `ttl: true`. */
export type StateMeta =
  StateDescriptor['kind'] | { readonly kind: StateDescriptor['kind']; readonly ttl: true };

/** The declaration of a state in a snapshot (a state without one reads as value state). */
export function stateMeta(kind: StateDescriptor['kind'], ttl: boolean): StateMeta {
  return ttl ? { kind, ttl: true } : kind;
}

/** The kind and TTL flag of a snapshot's state declaration. */
export function parseStateMeta(meta: StateMeta | undefined): {
  kind: StateDescriptor['kind'];
  ttl: boolean;
} {
  if (meta === undefined) return { kind: 'value', ttl: false };
  return typeof meta === 'string' ? { kind: meta, ttl: false } : { kind: meta.kind, ttl: meta.ttl };
}

/** Keyed state of one backend, as taken at a checkpoint. */
export interface KeyedStateSnapshot {
  readonly maxParallelism: number;
  /** Only key groups that hold state. */
  readonly keyGroups: readonly KeyGroupSnapshot[];
  /** State declarations by name, so a restore can check them and read the entries. */
  readonly states: Readonly<Record<string, StateMeta>>;
}

/** A (key, namespace) whose state an operator is about to use. */
export interface PrefetchEntry {
  readonly key: unknown;
  readonly namespace?: unknown;
}

/** What every keyed state backend provides to operators. Used only from the task's mailbox. */
export interface KeyedStateBackend {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** Sets the key the next state accesses and timer registrations are for. */
  setCurrentKey(key: unknown): void;
  getCurrentKey(): unknown;
  getCurrentNormalizedKey(): NormalizedKey;
  getCurrentKeyGroup(): number;
  /** A state handle for `descriptor`, in the void namespace until the owner sets another. */
  getOrCreateKeyedState<S>(descriptor: StateDescriptor): S & InternalKvState;
  /** Every key with state in `stateName` under `namespace`. */
  keys(stateName: string, namespace?: unknown): IterableIterator<unknown>;
  /**
   * Makes the state of these (key, namespace) pairs readable synchronously, for every state declared
   * so far (a backend off the heap loads them with one batched read; the heap backend does nothing).
   * Operators call it before a batch and before firing timers; `namespace` defaults to the void
   * namespace of plain keyed state.
   */
  prefetch(entries: readonly PrefetchEntry[]): void | Promise<void>;
  /**
   * Captures the state in canonical form. The capture is consistent at the moment of the call; the
   * result may be serialized and uploaded while processing continues.
   */
  snapshot(): KeyedStateSnapshot | Promise<KeyedStateSnapshot>;
  /** Loads snapshots (of any backend, any parallelism), keeping key groups in this backend's range. */
  restore(snapshots: readonly KeyedStateSnapshot[]): void | Promise<void>;
  /** Releases resources. Idempotent. */
  close(): void | Promise<void>;
}
