// Keyed state: descriptors declare state, a backend provides it scoped to the current key (and
// namespace, e.g. a window). Access is synchronous: backends that keep state off the heap prefetch a
// batch's keys before the batch runs (DESIGN.md section 6).

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

interface DescriptorBase<K extends string> {
  readonly kind: K;
  /** Unique per operator. */
  readonly name: string;
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

/** Descriptor constructors, as `new ValueStateDescriptor(...)` reads in Flink. */
export const StateDescriptors = {
  value<T>(name: string, defaultValue?: T): ValueStateDescriptor<T> {
    return defaultValue === undefined ? { kind: 'value', name } : { kind: 'value', name, defaultValue };
  },
  list<T>(name: string): ListStateDescriptor<T> {
    return { kind: 'list', name };
  },
  map<UK, UV>(name: string): MapStateDescriptor<UK, UV> {
    return { kind: 'map', name };
  },
  reducing<T>(name: string, reduce: (a: T, b: T) => T): ReducingStateDescriptor<T> {
    return { kind: 'reducing', name, reduce };
  },
  aggregating<IN, ACC, OUT>(
    name: string,
    aggregate: AggregateFunction<IN, ACC, OUT>,
  ): AggregatingStateDescriptor<IN, ACC, OUT> {
    return { kind: 'aggregating', name, aggregate };
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
