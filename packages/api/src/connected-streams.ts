// ConnectedStreams: two streams of possibly different types processed by one operator that sees both
// (`a.connect(b)`), which may share state between them. Input 1 (`a`) reaches the operator as input
// 0, input 2 (`b`) as input 1. When both inputs are keyed, the operator is keyed: both edges are
// hash-partitioned with the same key groups, so equal keys of either input meet in one subtask.
import { userError } from '@eddy/common';
import type { DataStream, KeyedStream } from './data-stream.ts';
import type {
  CoFlatMapFunction,
  CoMapFunction,
  CoProcessFunction,
  KeyedCoProcessFunction,
} from './co-functions.ts';
import type { KeySelector } from './functions.ts';
import type { PartitionTransformation } from './transformation.ts';

/** The keyBy transformation of `stream` when it is a KeyedStream. */
export function keyByOf(stream: DataStream<unknown>): PartitionTransformation | undefined {
  const k = stream as Partial<Pick<KeyedStream<unknown, unknown>, 'getKeyByTransformation'>>;
  return typeof k.getKeyByTransformation === 'function' ? k.getKeyByTransformation() : undefined;
}

/** Throws a user error unless `fn` is an object with every method in `methods`. */
export function requireMethods(fn: unknown, methods: readonly string[], where: string): void {
  const missing =
    fn === null || typeof fn !== 'object'
      ? methods
      : methods.filter((m) => typeof (fn as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) {
    throw userError(
      'JOB_FUNCTION',
      `${where} expects an object with the methods ${methods.join(', ')}; missing: ${missing.join(', ')}`,
    );
  }
}

/** Two streams connected to one operator (Flink's ConnectedStreams). */
export class ConnectedStreams<IN1, IN2> {
  readonly #first: DataStream<IN1>;
  readonly #second: DataStream<IN2>;

  constructor(first: DataStream<IN1>, second: DataStream<IN2>) {
    if (first.env !== second.env) {
      throw userError('JOB_ENVIRONMENT', 'connect: both streams must come from the same environment');
    }
    this.#first = first;
    this.#second = second;
  }

  /** Input 1 (the stream `connect` was called on). */
  getFirstInput(): DataStream<IN1> {
    return this.#first;
  }
  /** Input 2 (the argument of `connect`). */
  getSecondInput(): DataStream<IN2> {
    return this.#second;
  }

  /** map1 for records of input 1, map2 for records of input 2; both emit into one stream. */
  map<O>(fn: CoMapFunction<IN1, IN2, O>): DataStream<O> {
    requireMethods(fn, ['map1', 'map2'], 'connect(...).map()');
    return this.transform('co-map', 'Co-Map', fn);
  }
  /** flatMap1 for records of input 1, flatMap2 for records of input 2. */
  flatMap<O>(fn: CoFlatMapFunction<IN1, IN2, O>): DataStream<O> {
    requireMethods(fn, ['flatMap1', 'flatMap2'], 'connect(...).flatMap()');
    return this.transform('co-flat-map', 'Co-Flat Map', fn);
  }
  /** A CoProcessFunction; with keyed state and timers when both inputs are keyed. */
  process<O>(fn: CoProcessFunction<IN1, IN2, O>): DataStream<O> {
    requireMethods(fn, ['processElement1', 'processElement2'], 'connect(...).process()');
    return this.transform('co-process', 'Co-Process', fn);
  }
  /** Keys both inputs (records with equal keys meet in one subtask, with shared keyed state). */
  keyBy<K>(key1: KeySelector<IN1, K>, key2: KeySelector<IN2, K>): KeyedConnectedStreams<IN1, IN2, K> {
    return new KeyedConnectedStreams<IN1, IN2, K>(this.#first.keyBy(key1), this.#second.keyBy(key2));
  }

  /** Adds the two-input operator; keyed when both inputs are. */
  protected transform<O>(kind: string, name: string, fn: unknown): DataStream<O> {
    const keyedBy1 = keyByOf(this.#first as DataStream<unknown>);
    const keyedBy2 = keyByOf(this.#second as DataStream<unknown>);
    const keyed = keyedBy1 !== undefined && keyedBy2 !== undefined;
    return this.#first.addTwoInputOperator<O>({
      input2: this.#second.getTransformation(),
      kind,
      name: keyed && kind === 'co-process' ? 'Keyed Co-Process' : name,
      fn,
      config: { keyed },
      keyedBy1: keyed ? keyedBy1 : undefined,
      keyedBy2: keyed ? keyedBy2 : undefined,
    });
  }
}

/** Connected streams keyed the same way on both inputs (`connect(...).keyBy(k1, k2)`). */
export class KeyedConnectedStreams<IN1, IN2, K> extends ConnectedStreams<IN1, IN2> {
  constructor(first: KeyedStream<IN1, K>, second: KeyedStream<IN2, K>) {
    super(first, second);
  }
  /** A KeyedCoProcessFunction: keyed state shared by both inputs, timers per key. */
  override process<O>(
    fn: KeyedCoProcessFunction<K, IN1, IN2, O> | CoProcessFunction<IN1, IN2, O>,
  ): DataStream<O> {
    requireMethods(fn, ['processElement1', 'processElement2'], 'connect(...).keyBy(...).process()');
    return this.transform('co-process', 'Keyed Co-Process', fn);
  }
}
