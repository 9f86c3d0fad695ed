// Keyed state: descriptors declare state, a backend provides it scoped to the current key (and
// namespace, e.g. a window). Access is synchronous: backends that keep state off the heap prefetch a
// batch's keys before the batch runs (DESIGN.md section 6). Any keyed state may have a time-to-live
// (Flink's StateTtlConfig): the backend stamps each value with its last update and treats values
// older than the TTL as absent.
import { EddyError } from '@eddy/common';

/** Combines values of the same key incrementally: accumulator in, result out. */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  /** Merges two accumulators (session windows merge). */
  merge(a: ACC, b: ACC): ACC;
}

/** One value per key. */
export interface ValueState<T> {
  /** The value, or the descriptor's default when none was set. */
  value(): T | undefined;
  update(value: T): void;
  clear(): void;
}

/** A list per key. */
export interface ListState<T> {
  /** The elements (empty when none); do not mutate the returned array. */
  get(): readonly T[];
  add(value: T): void;
  addAll(values: readonly T[]): void;
  update(values: readonly T[]): void;
  clear(): void;
}

/** A map per key. */
export interface MapState<UK, UV> {
  get(key: UK): UV | undefined;
  put(key: UK, value: UV): void;
  putAll(entries: Iterable<readonly [UK, UV]>): void;
  remove(key: UK): void;
  contains(key: UK): boolean;
  entries(): IterableIterator<[UK, UV]>;
  keys(): IterableIterator<UK>;
  values(): IterableIterator<UV>;
  isEmpty(): boolean;
  clear(): void;
}

/** A value per key folded with a reduce function on every add. */
export interface ReducingState<T> {
  get(): T | undefined;
  add(value: T): void;
  clear(): void;
}

/** An accumulator per key fed through an AggregateFunction. */
export interface AggregatingState<IN, OUT> {
  get(): OUT | undefined;
  add(value: IN): void;
  clear(): void;
}

/**
 * Time-to-live of keyed state (Flink's StateTtlConfig), in processing time. Each value (each element
 * of a list, each entry of a map) carries the time of its last update; once `ttlMs` has passed since,
 * it is expired: it reads as absent, is removed when accessed, and is left out of snapshots. A
 * snapshot keeps the timestamps, so expiry continues across a restore.
 */
export interface StateTtlConfig {
  /** How long a value lives after its last update, in milliseconds (> 0). */
  readonly ttlMs: number;
  /** Which accesses restart the clock: creation and writes (default), or reads too. */
  readonly updateType: 'on-create-and-write' | 'on-read-and-write';
  /** Whether a read may still see an expired value that was not removed yet (once; it is removed then). */
  readonly visibility: 'never-return-expired' | 'return-expired-if-not-cleaned-up';
}

/** A TTL as callers give it: `ttlMs`, and optionally the update type and visibility. */
export interface StateTtlOptions {
  readonly ttlMs: number;
  /** Default 'on-create-and-write'. */
  readonly updateType?: StateTtlConfig['updateType'];
  /** Default 'never-return-expired'. */
  readonly visibility?: StateTtlConfig['visibility'];
}

/** Optional settings of a state descriptor. */
export interface StateDescriptorOptions {
  /** Enables TTL for the state; without it values live until cleared. */
  readonly ttl?: StateTtlOptions;
}

interface DescriptorBase<K extends string> {
  readonly kind: K;
  /** Unique per operator. */
  readonly name: string;
  /** The state's time-to-live; absent when values never expire. */
  readonly ttl?: StateTtlConfig;
}

/** Declares a ValueState. */
export interface ValueStateDescriptor<T> extends DescriptorBase<'value'> {
  readonly defaultValue?: T;
}
/** Declares a ListState. */
export type ListStateDescriptor<T> = DescriptorBase<'list'> & { readonly __type?: T };
/** Declares a MapState. */
export type MapStateDescriptor<UK, UV> = DescriptorBase<'map'> & { readonly __type?: [UK, UV] };
/** Declares a ReducingState. */
export interface ReducingStateDescriptor<T> extends DescriptorBase<'reducing'> {
  // Method syntax on purpose: descriptors of any T are StateDescriptors.
  reduce(a: T, b: T): T;
}
/** Declares an AggregatingState. */
export interface AggregatingStateDescriptor<IN, ACC, OUT> extends DescriptorBase<'aggregating'> {
  readonly aggregate: AggregateFunction<IN, ACC, OUT>;
}

/** Any state descriptor. */
export type StateDescriptor =
  | ValueStateDescriptor<unknown>
  | ListStateDescriptor<unknown>
  | MapStateDescriptor<unknown, unknown>
  | ReducingStateDescriptor<unknown>
  | AggregatingStateDescriptor<unknown, unknown, unknown>;

const UPDATE_TYPES: readonly StateTtlConfig['updateType'][] = ['on-create-and-write', 'on-read-and-write'];
const VISIBILITIES: readonly StateTtlConfig['visibility'][] = [
  'never-return-expired',
  'return-expired-if-not-cleaned-up',
];

/** Checks a TTL and fills in the defaults; `name` is the state's, for the error message. */
function resolveTtl(name: string, ttl: StateTtlOptions): StateTtlConfig {
  const invalid = (what: string): EddyError =>
    new EddyError('INVALID_STATE_TTL', `the TTL of state '${name}' is invalid: ${what}`, { domain: 'user' });
  if (typeof ttl.ttlMs !== 'number' || !Number.isFinite(ttl.ttlMs) || ttl.ttlMs <= 0)
    throw invalid(`ttlMs must be a positive number of milliseconds, got ${String(ttl.ttlMs)}`);
  const updateType = ttl.updateType ?? 'on-create-and-write';
  if (!UPDATE_TYPES.includes(updateType))
    throw invalid(`updateType must be one of ${UPDATE_TYPES.join(', ')}, got ${String(updateType)}`);
  const visibility = ttl.visibility ?? 'never-return-expired';
  if (!VISIBILITIES.includes(visibility))
    throw invalid(`visibility must be one of ${VISIBILITIES.join(', ')}, got ${String(visibility)}`);
  return { ttlMs: ttl.ttlMs, updateType, visibility };
}

/** `base` with the options applied (the same object when there are none, as before TTL existed). */
function withOptions<D extends StateDescriptor>(base: D, options: StateDescriptorOptions | undefined): D {
  return options?.ttl === undefined ? base : withTtl(base, options.ttl);
}

/**
 * A copy of `descriptor` whose state has time-to-live `ttl` (Flink's `enableTimeToLive`). The same
 * as passing `{ ttl }` to a StateDescriptors constructor.
 */
export function withTtl<D extends StateDescriptor>(descriptor: D, ttl: StateTtlOptions): D {
  return { ...descriptor, ttl: resolveTtl(descriptor.name, ttl) };
}

/** Descriptor constructors, as `new ValueStateDescriptor(...)` reads in Flink. */
export const StateDescriptors = {
  value<T>(name: string, defaultValue?: T, options?: StateDescriptorOptions): ValueStateDescriptor<T> {
    const d: ValueStateDescriptor<T> =
      defaultValue === undefined ? { kind: 'value', name } : { kind: 'value', name, defaultValue };
    return withOptions(d, options);
  },
  list<T>(name: string, options?: StateDescriptorOptions): ListStateDescriptor<T> {
    return withOptions<ListStateDescriptor<T>>({ kind: 'list', name }, options);
  },
  map<UK, UV>(name: string, options?: StateDescriptorOptions): MapStateDescriptor<UK, UV> {
    return withOptions<MapStateDescriptor<UK, UV>>({ kind: 'map', name }, options);
  },
  reducing<T>(
    name: string,
    reduce: (a: T, b: T) => T,
    options?: StateDescriptorOptions,
  ): ReducingStateDescriptor<T> {
    const d: ReducingStateDescriptor<T> = { kind: 'reducing', name, reduce };
    return withOptions(d, options);
  },
  aggregating<IN, ACC, OUT>(
    name: string,
    aggregate: AggregateFunction<IN, ACC, OUT>,
    options?: StateDescriptorOptions,
  ): AggregatingStateDescriptor<IN, ACC, OUT> {
    const d: AggregatingStateDescriptor<IN, ACC, OUT> = { kind: 'aggregating', name, aggregate };
    return withOptions(d, options);
  },
} as const;

/** Where user functions get keyed state (RuntimeContext implements it on keyed streams). */
export interface KeyedStateStore {
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT>;
}
