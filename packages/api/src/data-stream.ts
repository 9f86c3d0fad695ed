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
  broadcast(): DataStream<T> {
    return new DataStream<T>(this.env, this.partition('broadcast'));
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
