// StreamExecutionEnvironment: where a job declares its sources and settings. A job never executes
// itself; the client and every TaskManager build the same environment from the job module.
import { DataStream } from './data-stream.ts';
import { ElementsSource, NumberSequenceSource, type Source } from './source.ts';
import type { Transformation, SourceTransformation } from './transformation.ts';
import type { RuntimeMode } from './job-graph.ts';
import { resolve } from 'node:path';
import { TextFileSource } from './file-source.ts';
import type { WatermarkStrategy } from './watermark.ts';
import { DEFAULT_CHECKPOINT_CONFIG, type CheckpointConfig, type CheckpointingMode } from './checkpointing.ts';
import type { StateBackendKind } from './job-graph.ts';

/** The entry point of the DataStream API. */
export class StreamExecutionEnvironment {
  readonly #transformations: Transformation[] = [];
  #parallelism: number;
  #maxParallelism = 128;
  #runtimeMode: RuntimeMode = 'streaming';
  #jobName: string;
  #chaining = true;
  #bufferTimeout: number | undefined;
  #autoWatermarkInterval = 200;
  #checkpointing: CheckpointConfig | undefined;
  #stateBackend: StateBackendKind | undefined;

  /**
   * The directory relative file paths resolve against: where the user ran `eddy run`, also on
   * TaskManagers (which run elsewhere), so a job builds the same graph everywhere.
   */
  readonly workingDirectory: string;

  constructor(defaultParallelism = 1, jobName = 'eddy-job', workingDirectory = process.cwd()) {
    this.#parallelism = defaultParallelism;
    this.#jobName = jobName;
    this.workingDirectory = workingDirectory;
  }

  /** `path` made absolute against the job's working directory. */
  resolvePath(path: string): string {
    return resolve(this.workingDirectory, path);
  }

  /** Every transformation in creation order. */
  getTransformations(): readonly Transformation[] {
    return this.#transformations;
  }
  /** @internal Fields every new transformation starts with. */
  newNode(name: string): {
    id: number;
    name: string;
    uid: undefined;
    parallelism: undefined;
    maxParallelism: undefined;
    chaining: 'always';
  } {
    return {
      id: this.#transformations.length,
      name,
      uid: undefined,
      parallelism: undefined,
      maxParallelism: undefined,
      chaining: 'always',
    };
  }
  /** @internal Registers a transformation. */
  addTransformation<T extends Transformation>(t: T): T {
    this.#transformations.push(t);
    return t;
  }

  /** Default parallelism of operators that set none (the `-p` of `eddy run`). */
  setParallelism(parallelism: number): this {
    if (!Number.isInteger(parallelism) || parallelism < 1)
      throw new RangeError('parallelism must be a positive integer');
    this.#parallelism = parallelism;
    return this;
  }
  getParallelism(): number {
    return this.#parallelism;
  }
  /** Default max parallelism (number of key groups). */
  setMaxParallelism(maxParallelism: number): this {
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > 32768) {
      throw new RangeError('maxParallelism must be an integer in 1..32768');
    }
    this.#maxParallelism = maxParallelism;
    return this;
  }
  getMaxParallelism(): number {
    return this.#maxParallelism;
  }
  /** STREAMING (default) or BATCH: in BATCH, keyed aggregations emit once per key at end of input. */
  setRuntimeMode(mode: RuntimeMode): this {
    this.#runtimeMode = mode;
    return this;
  }
  getRuntimeMode(): RuntimeMode {
    return this.#runtimeMode;
  }
  /** The job's name, shown by `eddy list`. */
  setJobName(name: string): this {
    this.#jobName = name;
    return this;
  }
  getJobName(): string {
    return this.#jobName;
  }
  /** Turns operator chaining off for the whole job. */
  disableOperatorChaining(): this {
    this.#chaining = false;
    return this;
  }
  isChainingEnabled(): boolean {
    return this.#chaining;
  }
  /** Milliseconds before a partly filled network buffer is sent (0: after every batch). */
  setBufferTimeout(ms: number): this {
    if (!Number.isInteger(ms) || ms < 0)
      throw new RangeError('buffer timeout must be a non-negative integer');
    this.#bufferTimeout = ms;
    return this;
  }
  getBufferTimeout(): number | undefined {
    return this.#bufferTimeout;
  }

  /**
   * Takes a checkpoint every `interval` ms (Flink's enableCheckpointing). `options` sets the mode
   * (exactly-once by default), timeout, minimum pause, concurrency, tolerated failures, retention.
   */
  enableCheckpointing(
    interval: number,
    mode: CheckpointingMode = 'exactly-once',
    options: Partial<Omit<CheckpointConfig, 'interval' | 'mode'>> = {},
  ): this {
    if (!Number.isInteger(interval) || interval < 10)
      throw new RangeError('checkpoint interval must be an integer >= 10 ms');
    this.#checkpointing = { ...DEFAULT_CHECKPOINT_CONFIG, ...options, interval, mode };
    return this;
  }
  getCheckpointConfig(): CheckpointConfig | undefined {
    return this.#checkpointing;
  }
  /** Keeps keyed state on the heap (default) or in LevelDB on the TaskManager's disk. */
  setStateBackend(kind: StateBackendKind): this {
    if (kind !== 'heap' && kind !== 'leveldb')
      throw new RangeError(`unknown state backend '${String(kind)}': use 'heap' or 'leveldb'`);
    this.#stateBackend = kind;
    return this;
  }
  getStateBackend(): StateBackendKind | undefined {
    return this.#stateBackend;
  }
  /**
   * How often periodic watermark generators emit, in ms (default 200). 0 emits after every batch of
   * records, so a watermark follows every record a generator sees.
   */
  setAutoWatermarkInterval(ms: number): this {
    if (!Number.isInteger(ms) || ms < 0)
      throw new RangeError('auto-watermark interval must be an integer >= 0 ms');
    this.#autoWatermarkInterval = ms;
    return this;
  }
  getAutoWatermarkInterval(): number {
    return this.#autoWatermarkInterval;
  }
  /** A stream that reads `source`. */
  fromSource<T>(source: Source<T>, name?: string): DataStream<T>;
  /** A stream that reads `source`, with timestamps and watermarks from `watermarks` (per split). */
  fromSource<T>(source: Source<T>, watermarks: WatermarkStrategy<T>, name?: string): DataStream<T>;
  fromSource<T>(source: Source<T>, a?: string | WatermarkStrategy<T>, b?: string): DataStream<T> {
    const strategy = typeof a === 'object' ? a : undefined;
    const name = (typeof a === 'string' ? a : b) ?? 'Source';
    const t: SourceTransformation = {
      ...this.newNode(name),
      type: 'source',
      source,
      watermarkStrategy: strategy as WatermarkStrategy<unknown> | undefined,
    };
    if (source.maxParallelism !== undefined)
      t.parallelism = Math.min(source.maxParallelism, this.#parallelism);
    return new DataStream<T>(this, this.addTransformation(t));
  }
  /** A stream of the given elements (non-parallel). */
  fromElements<T>(...elements: T[]): DataStream<T> {
    return this.fromSource(new ElementsSource(elements), 'Elements Source');
  }
  /** A stream of the integers from..to, inclusive, split across subtasks. */
  /** The lines of a text file, split by byte ranges across subtasks. */
  readTextFile(path: string): DataStream<string> {
    return this.fromSource(new TextFileSource(this.resolvePath(path)), 'Text File Source');
  }
  fromSequence(from: number, to: number): DataStream<number> {
    return this.fromSource(new NumberSequenceSource(from, to), 'Sequence Source');
  }
}
