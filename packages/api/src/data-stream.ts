// DataStream, KeyedStream and DataStreamSink: the fluent API over transformations.
import type { StreamExecutionEnvironment } from './environment.ts';
import type {
  Transformation,
  OneInputTransformation,
  PartitionTransformation,
  SideOutputTransformation,
  SinkTransformation,
} from './transformation.ts';
import type { OutputTag } from './output-tag.ts';
import type { WatermarkStrategy } from './watermark.ts';
import type {
  MapFunction,
  FilterFunction,
  FlatMapFunction,
  ReduceFunction,
  KeySelector,
  ProcessFunction,
  KeyedProcessFunction,
} from './functions.ts';
import type { PartitionerKind } from './job-graph.ts';
import { PrintSink, type Sink } from './sink.ts';
import { TextFileSink } from './file-sink.ts';
import type { TwoInputTransformation } from './transformation.ts';
import type { MapStateDescriptor } from './state.ts';
import { ConnectedStreams } from './connected-streams.ts';
import { BroadcastConnectedStream, BroadcastStream } from './broadcast.ts';
import { IntervalJoin } from './interval-join.ts';
import { CoGroupedStreams, JoinedStreams } from './window-join.ts';
import { AllWindowedStream, WindowedStream } from './windowing/windowed-stream.ts';
import { describeWindowSpec } from './windowing/window-spec.ts';
import { GlobalWindows } from './windowing/global-windows.ts';
import { CountTrigger } from './windowing/count-trigger.ts';
import { PurgingTrigger } from './windowing/purging-trigger.ts';
import { CountEvictor } from './windowing/count-evictor.ts';
import type { WindowAssigner } from './windowing/window-assigner.ts';
import type { GlobalWindow, Window } from './windowing/window.ts';

/** The key of windowAll: every record shares it, so one subtask sees the whole stream. */
const ALL_WINDOW_KEY: KeySelector<unknown, unknown> = () => 0;

/** Settings shared by streams and sinks: name, uid, parallelism, chaining. */
abstract class Configurable<Self> {
  protected abstract readonly transformation: Transformation;
  protected abstract self(): Self;

  /** Display name in the UI, logs and metrics. */
  name(name: string): Self {
    this.transformation.name = name;
    return this.self();
  }
  /** A stable id for the operator; savepoints map state by it. */
  uid(uid: string): Self {
    if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(uid)) {
      throw new TypeError(`uid '${uid}' must be 1-128 characters of letters, digits, '_', '.', ':' or '-'`);
    }
    this.transformation.uid = uid;
    return this.self();
  }
  /** Number of parallel subtasks of this operator. */
  setParallelism(parallelism: number): Self {
    if (!Number.isInteger(parallelism) || parallelism < 1) {
      throw new RangeError(`setParallelism(${parallelism}): parallelism must be a positive integer`);
    }
    this.transformation.parallelism = parallelism;
    return this.self();
  }
  /** Upper bound of rescaling: the number of key groups (default 128). */
  setMaxParallelism(maxParallelism: number): Self {
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > 32768) {
      throw new RangeError(`setMaxParallelism(${maxParallelism}): must be an integer in 1..32768`);
    }
    this.transformation.maxParallelism = maxParallelism;
    return this.self();
  }
  /** Starts a new chain at this operator. */
  startNewChain(): Self {
    this.transformation.chaining = 'head';
    return this.self();
  }
  /** Never chains this operator with its neighbours. */
  disableChaining(): Self {
    this.transformation.chaining = 'never';
    return this.self();
  }
}

/** A stream of records of type T. */
export class DataStream<T> extends Configurable<DataStream<T>> {
  protected readonly transformation: Transformation;
  /** The environment this stream belongs to. */
  readonly env: StreamExecutionEnvironment;

  constructor(env: StreamExecutionEnvironment, transformation: Transformation) {
    super();
    this.env = env;
    this.transformation = transformation;
  }
  protected self(): DataStream<T> {
    return this;
  }
  /** The underlying transformation; for connectors and the graph generator. */
  getTransformation(): Transformation {
    return this.transformation;
  }

  protected oneInput<O>(
    kind: string,
    name: string,
    fn: unknown,
    config: unknown = null,
    keyedBy?: PartitionTransformation,
  ): DataStream<O> {
    const t: OneInputTransformation = {
      ...this.env.newNode(name),
      type: 'one-input',
      input: this.transformation,
      kind,
      fn,
      config,
      keyedBy,
    };
    return new DataStream<O>(this.env, this.env.addTransformation(t));
  }

  protected partition(
    partitioner: PartitionerKind,
    keySelector?: KeySelector<unknown, unknown>,
  ): PartitionTransformation {
    const t: PartitionTransformation = {
      ...this.env.newNode(partitioner),
      type: 'partition',
      input: this.transformation,
      partitioner,
      keySelector,
    };
    return this.env.addTransformation(t);
  }

  /** Applies `fn` to every record. */
  map<O>(fn: MapFunction<T, O>): DataStream<O> {
    return this.oneInput('map', 'Map', fn);
  }
  /** Keeps the records for which `fn` is true. */
  filter(fn: FilterFunction<T>): DataStream<T> {
    return this.oneInput('filter', 'Filter', fn);
  }
  /** Emits any number of records per record. */
  flatMap<O>(fn: FlatMapFunction<T, O>): DataStream<O> {
    return this.oneInput('flat-map', 'Flat Map', fn);
  }
  /** Applies a ProcessFunction. */
  process<O>(fn: ProcessFunction<T, O>): DataStream<O> {
    return this.oneInput('process', 'Process', fn);
  }
  /**
   * Assigns event timestamps and generates watermarks with `strategy`; upstream watermarks are
   * dropped. Prefer giving the strategy to fromSource, where watermarks are generated per split.
   */
  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>): DataStream<T> {
    return this.oneInput('timestamps-watermarks', 'Timestamps/Watermarks', strategy, strategy.describe());
  }
  /** The records this stream's operator emitted with `ctx.output(tag, value)`. */
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    const t: SideOutputTransformation = {
      ...this.env.newNode(`Side Output ${tag.id}`),
      type: 'side-output',
      input: this.transformation,
      tag: tag.id,
    };
    return new DataStream<X>(this.env, this.env.addTransformation(t));
  }
  /** Cuts the whole (non-keyed) stream into windows, evaluated by a single subtask (parallelism 1). */
  windowAll<W extends Window>(assigner: WindowAssigner<T, W>): AllWindowedStream<T, W> {
    return new AllWindowedStream<T, W>(assigner, (name, spec) => {
      const keyBy = this.partition('hash', ALL_WINDOW_KEY);
      return this.oneInput('window', name, spec, describeWindowSpec(spec), keyBy).setParallelism(1);
    });
  }
  /** Count windows over the whole stream: every `size` records, or the last `size` every `slide`. */
  countWindowAll(size: number, slide?: number): AllWindowedStream<T, GlobalWindow> {
    const w = this.windowAll<GlobalWindow>(GlobalWindows.create());
    return slide === undefined
      ? w.trigger(PurgingTrigger.of(CountTrigger.of<GlobalWindow>(size)))
      : w.evictor(CountEvictor.of<GlobalWindow>(size)).trigger(CountTrigger.of<GlobalWindow>(slide));
  }
  /** Partitions by key: records with equal keys reach the same subtask. */
  keyBy<K>(key: KeySelector<T, K>): KeyedStream<T, K> {
    return new KeyedStream<T, K>(this.env, this.partition('hash', key as KeySelector<unknown, unknown>));
  }
  /** Merges streams of the same type. */
  union(...others: DataStream<T>[]): DataStream<T> {
    for (const o of others) {
      if (o.env !== this.env) throw new Error('union: all streams must come from the same environment');
    }
    return new DataStream<T>(
      this.env,
      this.env.addTransformation({
        ...this.env.newNode('Union'),
        type: 'union',
        inputs: [this.transformation, ...others.map((o) => o.transformation)],
      }),
    );
  }
  /** Sends records to the subtask of the same index (requires equal parallelism). */
  forward(): DataStream<T> {
    return new DataStream<T>(this.env, this.partition('forward'));
  }
  /** Distributes records round-robin over all downstream subtasks. */
  rebalance(): DataStream<T> {
    return new DataStream<T>(this.env, this.partition('rebalance'));
  }
  /** Distributes records round-robin over a local subset of downstream subtasks. */
  rescale(): DataStream<T> {
    return new DataStream<T>(this.env, this.partition('rescale'));
  }
  /** Sends every record to every downstream subtask. */
  broadcast(): DataStream<T>;
  /**
   * Broadcasts the stream for the broadcast state pattern: connect a stream to the result and
   * process it with a (Keyed)BroadcastProcessFunction that keeps one map per descriptor.
   */
  broadcast(
    descriptor: MapStateDescriptor<unknown, unknown>,
    ...more: MapStateDescriptor<unknown, unknown>[]
  ): BroadcastStream<T>;
  broadcast(...descriptors: MapStateDescriptor<unknown, unknown>[]): DataStream<T> | BroadcastStream<T> {
    const stream = new DataStream<T>(this.env, this.partition('broadcast'));
    return descriptors.length === 0 ? stream : new BroadcastStream<T>(stream, descriptors);
  }
  /**
   * Connects this stream (input 1) with `other` (input 2) for an operator that sees both: CoMap,
   * CoFlatMap, CoProcess; with a BroadcastStream, the broadcast state pattern.
   */
  connect<B>(other: BroadcastStream<B>): BroadcastConnectedStream<T, B>;
  connect<B>(other: DataStream<B>): ConnectedStreams<T, B>;
  connect<B>(
    other: DataStream<B> | BroadcastStream<B>,
  ): ConnectedStreams<T, B> | BroadcastConnectedStream<T, B> {
    return other instanceof BroadcastStream
      ? new BroadcastConnectedStream<T, B>(this, other)
      : new ConnectedStreams<T, B>(this, other);
  }
  /** A window join with `other`: `join(other).where(k1).equalTo(k2).window(assigner).apply(fn)`. */
  join<B>(other: DataStream<B>): JoinedStreams<T, B> {
    return new JoinedStreams<T, B>(this, other);
  }
  /** A window coGroup with `other`: `coGroup(other).where(k1).equalTo(k2).window(assigner).apply(fn)`. */
  coGroup<B>(other: DataStream<B>): CoGroupedStreams<T, B> {
    return new CoGroupedStreams<T, B>(this, other);
  }
  /**
   * @internal Adds a two-input operator reading this stream as input 1 and `spec.input2` as input 2
   * (for the API's connect, broadcast and join builders).
   */
  addTwoInputOperator<O>(spec: {
    readonly input2: TwoInputTransformation['input2'];
    readonly kind: string;
    readonly name: string;
    readonly fn: unknown;
    readonly config: unknown;
    readonly keyedBy1: PartitionTransformation | undefined;
    readonly keyedBy2: PartitionTransformation | undefined;
  }): DataStream<O> {
    const t: TwoInputTransformation = {
      ...this.env.newNode(spec.name),
      type: 'two-input',
      input1: this.transformation,
      input2: spec.input2,
      kind: spec.kind,
      fn: spec.fn,
      config: spec.config,
      keyedBy1: spec.keyedBy1,
      keyedBy2: spec.keyedBy2,
    };
    return new DataStream<O>(this.env, this.env.addTransformation(t));
  }
  /** Writes the stream to `sink`. */
  sinkTo(sink: Sink<T>): DataStreamSink<T> {
    const t: SinkTransformation = {
      ...this.env.newNode('Sink'),
      type: 'sink',
      input: this.transformation,
      sink,
    };
    return new DataStreamSink<T>(this.env.addTransformation(t));
  }
  /** Writes records as lines to a text file (a directory of part files when parallel). */
  writeAsText(path: string): DataStreamSink<T> {
    return this.sinkTo(new TextFileSink<T>(this.env.resolvePath(path))).name('Text File Sink');
  }
  /** Prints every record to the TaskManager's stdout. */
  print(prefix?: string): DataStreamSink<T> {
    return this.sinkTo(new PrintSink<T>(prefix)).name('Print');
  }
}

type NumericField<T> = T extends readonly unknown[]
  ? number
  : { [K in keyof T]: T[K] extends number ? K : never }[keyof T];

/** A stream partitioned by key; keyed operators keep per-key state. */
export class KeyedStream<T, K> extends DataStream<T> {
  readonly #keyBy: PartitionTransformation;
  constructor(env: StreamExecutionEnvironment, keyBy: PartitionTransformation) {
    super(env, keyBy);
    this.#keyBy = keyBy;
  }
  /** The key selector. */
  getKeySelector(): KeySelector<T, K> {
    return this.#keyBy.keySelector as KeySelector<T, K>;
  }
  /** The keyBy transformation keyed operators refer to (for the API's own operators). */
  getKeyByTransformation(): PartitionTransformation {
    return this.#keyBy;
  }
  /** A KeyedProcessFunction: keyed state, timers, side outputs. */
  override process<O>(fn: KeyedProcessFunction<K, T, O> | ProcessFunction<T, O>): DataStream<O> {
    return this.oneInput('process', 'Keyed Process', fn, null, this.#keyBy);
  }
  /** Cuts each key's records into windows (tumbling, sliding, session, global, custom). */
  window<W extends Window>(assigner: WindowAssigner<T, W>): WindowedStream<T, K, W> {
    return new WindowedStream<T, K, W>(assigner, (name, spec) =>
      this.oneInput('window', name, spec, describeWindowSpec(spec), this.#keyBy),
    );
  }
  /**
   * Count windows per key, as Flink's: every `size` records (purging), or, with `slide`, the last
   * `size` records every `slide` records.
   */
  countWindow(size: number, slide?: number): WindowedStream<T, K, GlobalWindow> {
    const w = this.window<GlobalWindow>(GlobalWindows.create());
    return slide === undefined
      ? w.trigger(PurgingTrigger.of(CountTrigger.of<GlobalWindow>(size)))
      : w.evictor(CountEvictor.of<GlobalWindow>(size)).trigger(CountTrigger.of<GlobalWindow>(slide));
  }
  /** Connects; with a BroadcastStream, the KeyedBroadcastProcessFunction sees keys of type K. */
  override connect<B>(other: BroadcastStream<B>): BroadcastConnectedStream<T, B, K>;
  override connect<B>(other: DataStream<B>): ConnectedStreams<T, B>;
  override connect<B>(
    other: DataStream<B> | BroadcastStream<B>,
  ): ConnectedStreams<T, B> | BroadcastConnectedStream<T, B, K> {
    return other instanceof BroadcastStream
      ? new BroadcastConnectedStream<T, B, K>(this, other)
      : new ConnectedStreams<T, B>(this, other);
  }
  /**
   * Joins with `other` on equal keys within a time interval (event time):
   * `a.intervalJoin(b).between(lower, upper).process(fn)`.
   */
  intervalJoin<B>(other: KeyedStream<B, K>): IntervalJoin<T, B, K> {
    return new IntervalJoin<T, B, K>(this, other);
  }
  /** Rolling reduce per key (in BATCH mode: one final value per key at end of input). */
  reduce(fn: ReduceFunction<T>): DataStream<T> {
    return this.oneInput('reduce', 'Keyed Reduce', fn, { aggregation: 'reduce' }, this.#keyBy);
  }
  /** Rolling sum of a numeric field (a property name, or an index for tuples). */
  sum(field: NumericField<T>): DataStream<T> {
    return this.aggregate('sum', field);
  }
  /** Rolling minimum of a numeric field; the other fields are the first record's. */
  min(field: NumericField<T>): DataStream<T> {
    return this.aggregate('min', field);
  }
  /** Rolling maximum of a numeric field; the other fields are the first record's. */
  max(field: NumericField<T>): DataStream<T> {
    return this.aggregate('max', field);
  }
  private aggregate(aggregation: 'sum' | 'min' | 'max', field: NumericField<T>): DataStream<T> {
    const f = field as string | number;
    const combine =
      aggregation === 'sum'
        ? (a: number, b: number) => a + b
        : aggregation === 'min'
          ? (a: number, b: number) => (b < a ? b : a)
          : (a: number, b: number) => (b > a ? b : a);
    const reduce = (acc: T, v: T): T => {
      const a = acc as Record<string | number, number>;
      const b = v as Record<string | number, number>;
      const out = (Array.isArray(acc) ? [...(acc as unknown[])] : { ...a }) as Record<
        string | number,
        number
      >;
      out[f] = combine(a[f] as number, b[f] as number);
      return out as T;
    };
    const name = `Keyed Aggregation (${aggregation} ${String(f)})`;
    return this.oneInput('reduce', name, reduce, { aggregation, field: f }, this.#keyBy);
  }
}

/** The end of a stream: a sink. */
export class DataStreamSink<T> extends Configurable<DataStreamSink<T>> {
  protected readonly transformation: SinkTransformation;
  constructor(transformation: SinkTransformation) {
    super();
    this.transformation = transformation;
  }
  protected self(): DataStreamSink<T> {
    return this;
  }
  /** The underlying transformation. */
  getTransformation(): SinkTransformation {
    return this.transformation;
  }
}
