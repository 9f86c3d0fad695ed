// The broadcast state pattern: one stream (rules, configuration) is broadcast to every parallel
// instance of an operator and stored there in broadcast state, a map per descriptor per subtask;
// the other stream (events, keyed or not) is processed against it. Only the broadcast side may
// write broadcast state: every instance sees the same broadcast elements in the same order, so
// every instance keeps the same state; the event side reads it only. Input 1 (the events) reaches
// the operator as input 0, the broadcast stream as input 1.
import { userError } from '@eddy/common';
import type { DataStream } from './data-stream.ts';
import type { Collector, RichFunction, RuntimeContext, TimerService } from './functions.ts';
import type { OutputTag } from './output-tag.ts';
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  ValueState,
  ValueStateDescriptor,
} from './state.ts';
import { keyByOf, requireMethods } from './connected-streams.ts';

/** Broadcast state as the event side sees it: read only. */
export interface ReadOnlyBroadcastState<K, V> {
  get(key: K): V | undefined;
  contains(key: K): boolean;
  /** The entries; do not mutate the values. */
  immutableEntries(): IterableIterator<readonly [K, V]>;
  /** Number of entries. */
  size(): number;
}

/** Broadcast state as the broadcast side sees it. */
export interface BroadcastState<K, V> extends ReadOnlyBroadcastState<K, V> {
  put(key: K, value: V): void;
  putAll(entries: Iterable<readonly [K, V]>): void;
  remove(key: K): void;
  clear(): void;
  entries(): IterableIterator<[K, V]>;
}

/** What both sides of a broadcast process function can do. */
interface BroadcastBaseContext {
  /** The runtime context of the subtask. */
  readonly runtime: RuntimeContext;
  /** The timestamp of the current record, or undefined when the stream has none. */
  timestamp(): number | undefined;
  currentProcessingTime(): number;
  /** The operator's current event-time watermark. */
  currentWatermark(): number;
  /** Emits `value` to the side output `tag`. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** Context of processElement (the event side): broadcast state is read only. */
export interface BroadcastProcessReadOnlyContext extends BroadcastBaseContext {
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V>;
}

/** Context of processBroadcastElement: broadcast state is writable. */
export interface BroadcastProcessContext extends BroadcastBaseContext {
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
}

/** Processes a non-keyed stream against broadcast state (Flink's BroadcastProcessFunction). */
export interface BroadcastProcessFunction<IN1, IN2, OUT> extends RichFunction {
  processElement(value: IN1, ctx: BroadcastProcessReadOnlyContext, out: Collector<OUT>): void;
  processBroadcastElement(value: IN2, ctx: BroadcastProcessContext, out: Collector<OUT>): void;
}

/** Context of KeyedBroadcastProcessFunction.processElement: the current key and timers. */
export interface KeyedBroadcastProcessReadOnlyContext<K> extends BroadcastProcessReadOnlyContext {
  getCurrentKey(): K;
  timerService(): TimerService;
}

/** Context of KeyedBroadcastProcessFunction.onTimer. */
export interface KeyedBroadcastOnTimerContext<K> extends KeyedBroadcastProcessReadOnlyContext<K> {
  timeDomain(): 'event-time' | 'processing-time';
}

/** Called per key by applyToKeyedState, with the state of that key. */
export type KeyedStateFunction<K, S> = (key: K, state: S) => void;

/** Context of KeyedBroadcastProcessFunction.processBroadcastElement. */
export interface KeyedBroadcastProcessContext<K> extends BroadcastProcessContext {
  /**
   * Calls `fn` for every key of this subtask that has state under `descriptor`, with that key's
   * state (e.g. to update every key when a rule changes).
   */
  applyToKeyedState<T>(descriptor: ValueStateDescriptor<T>, fn: KeyedStateFunction<K, ValueState<T>>): void;
  applyToKeyedState<T>(descriptor: ListStateDescriptor<T>, fn: KeyedStateFunction<K, ListState<T>>): void;
  applyToKeyedState<UK, UV>(
    descriptor: MapStateDescriptor<UK, UV>,
    fn: KeyedStateFunction<K, MapState<UK, UV>>,
  ): void;
  applyToKeyedState<T>(
    descriptor: ReducingStateDescriptor<T>,
    fn: KeyedStateFunction<K, ReducingState<T>>,
  ): void;
  applyToKeyedState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
    fn: KeyedStateFunction<K, AggregatingState<IN, OUT>>,
  ): void;
}

/**
 * Processes a keyed stream against broadcast state (Flink's KeyedBroadcastProcessFunction): keyed
 * state and timers on the event side, applyToKeyedState on the broadcast side.
 */
export interface KeyedBroadcastProcessFunction<K, IN1, IN2, OUT> extends RichFunction {
  processElement(value: IN1, ctx: KeyedBroadcastProcessReadOnlyContext<K>, out: Collector<OUT>): void;
  processBroadcastElement(value: IN2, ctx: KeyedBroadcastProcessContext<K>, out: Collector<OUT>): void;
  /** A timer registered for the current key fired. */
  onTimer?(timestamp: number, ctx: KeyedBroadcastOnTimerContext<K>, out: Collector<OUT>): void;
}

/** A stream broadcast to every instance of the operator it is connected to, with its state descriptors. */
export class BroadcastStream<T> {
  readonly #stream: DataStream<T>;
  readonly #descriptors: readonly MapStateDescriptor<unknown, unknown>[];

  /** `stream` must already be partitioned with the broadcast partitioner. */
  constructor(stream: DataStream<T>, descriptors: readonly MapStateDescriptor<unknown, unknown>[]) {
    const names = new Set<string>();
    for (const d of descriptors) {
      if (d.kind !== 'map') {
        throw userError(
          'JOB_BROADCAST_STATE',
          `broadcast state '${d.name}' must be declared with StateDescriptors.map(...)`,
        );
      }
      if (names.has(d.name)) {
        throw userError('JOB_BROADCAST_STATE', `broadcast state '${d.name}' is declared twice`);
      }
      names.add(d.name);
    }
    this.#stream = stream;
    this.#descriptors = descriptors;
  }
  /** The broadcast-partitioned stream. */
  getStream(): DataStream<T> {
    return this.#stream;
  }
  /** The broadcast state descriptors. */
  getDescriptors(): readonly MapStateDescriptor<unknown, unknown>[] {
    return this.#descriptors;
  }
}

/** What the broadcast process operators get (in TwoInputTransformation.fn). */
export interface BroadcastProcessSpec {
  readonly function:
    | BroadcastProcessFunction<unknown, unknown, unknown>
    | KeyedBroadcastProcessFunction<unknown, unknown, unknown, unknown>;
  readonly descriptors: readonly MapStateDescriptor<unknown, unknown>[];
}

/**
 * A (keyed or non-keyed) stream connected to a BroadcastStream. `K` is the key type when the first
 * input is a KeyedStream.
 */
export class BroadcastConnectedStream<IN1, IN2, K = never> {
  readonly #first: DataStream<IN1>;
  readonly #broadcast: BroadcastStream<IN2>;

  constructor(first: DataStream<IN1>, broadcast: BroadcastStream<IN2>) {
    if (first.env !== broadcast.getStream().env) {
      throw userError('JOB_ENVIRONMENT', 'connect: both streams must come from the same environment');
    }
    this.#first = first;
    this.#broadcast = broadcast;
  }

  /** Input 1 (the non-broadcast stream). */
  getFirstInput(): DataStream<IN1> {
    return this.#first;
  }
  /** Input 2 (the broadcast stream). */
  getSecondInput(): BroadcastStream<IN2> {
    return this.#broadcast;
  }

  /**
   * Processes the first input against broadcast state. A KeyedBroadcastProcessFunction needs a keyed
   * first input (`keyedStream.connect(broadcastStream)`).
   */
  process<O>(fn: KeyedBroadcastProcessFunction<K, IN1, IN2, O>): DataStream<O>;
  process<O>(fn: BroadcastProcessFunction<IN1, IN2, O>): DataStream<O>;
  process<O>(
    fn: BroadcastProcessFunction<IN1, IN2, O> | KeyedBroadcastProcessFunction<K, IN1, IN2, O>,
  ): DataStream<O> {
    requireMethods(fn, ['processElement', 'processBroadcastElement'], 'connect(broadcastStream).process()');
    const keyedBy1 = keyByOf(this.#first as DataStream<unknown>);
    const descriptors = this.#broadcast.getDescriptors();
    const spec: BroadcastProcessSpec = {
      function: fn,
      descriptors,
    };
    return this.#first.addTwoInputOperator<O>({
      input2: this.#broadcast.getStream().getTransformation(),
      kind: keyedBy1 === undefined ? 'broadcast-process' : 'keyed-broadcast-process',
      name: keyedBy1 === undefined ? 'Broadcast Process' : 'Keyed Broadcast Process',
      fn: spec,
      config: { broadcastStates: descriptors.map((d) => d.name) },
      keyedBy1,
      keyedBy2: undefined,
    });
  }
}
