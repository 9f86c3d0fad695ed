// Event time: watermark strategies, generators and timestamp assigners (Flink's WatermarkStrategy).
// A strategy is plain data plus functions; sources and the timestamps/watermarks operator run it.
// Watermarks are numbers of milliseconds; the sentinels stand for -infinity and +infinity and are
// safe integers, so they survive JSON and msgpack unchanged.

/** No watermark yet. */
export const MIN_WATERMARK = Number.MIN_SAFE_INTEGER;
/** End of input: every event-time timer fires. */
export const MAX_WATERMARK = Number.MAX_SAFE_INTEGER;

/** Where a generator emits watermarks. */
export interface WatermarkOutput {
  emitWatermark(watermark: number): void;
  /** No more events for now: downstream tasks exclude this input from their minimum. */
  markIdle(): void;
  markActive(): void;
}

/** Decides watermarks from the events it sees (punctuated) and on a timer (periodic). */
export interface WatermarkGenerator<T> {
  /** Called for every event with its timestamp; punctuated generators emit here. */
  onEvent(event: T, timestamp: number, output: WatermarkOutput): void;
  /** Called every auto-watermark interval; periodic generators emit here. */
  onPeriodicEmit(output: WatermarkOutput): void;
}

/** Extracts an event's timestamp (ms); `previous` is the timestamp the record carried, if any. */
export type TimestampAssigner<T> = (event: T, previous: number | undefined) => number;

/** How a stream gets timestamps and watermarks. Immutable: `with*` return new strategies. */
export class WatermarkStrategy<T> {
  readonly createGenerator: () => WatermarkGenerator<T>;
  readonly timestampAssigner: TimestampAssigner<T> | undefined;
  /** Idle after this many ms without events; undefined = never. */
  readonly idleTimeout: number | undefined;
  /** JSON describing the strategy; part of the graph hash. */
  readonly description: unknown;

  private constructor(
    createGenerator: () => WatermarkGenerator<T>,
    description: unknown,
    timestampAssigner?: TimestampAssigner<T>,
    idleTimeout?: number,
  ) {
    this.createGenerator = createGenerator;
    this.description = description;
    this.timestampAssigner = timestampAssigner;
    this.idleTimeout = idleTimeout;
  }

  /** Watermarks trail the largest timestamp seen by `maxOutOfOrderness` ms (emitted periodically). */
  static forBoundedOutOfOrderness<T>(maxOutOfOrderness: number): WatermarkStrategy<T> {
    if (!(maxOutOfOrderness >= 0)) throw new RangeError('maxOutOfOrderness must be >= 0 ms');
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrderness), {
      kind: 'bounded-out-of-orderness',
      maxOutOfOrderness,
    });
  }
  /** Timestamps only ascend: the watermark is the largest timestamp seen so far, minus 1 ms. */
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(0), { kind: 'monotonous' });
  }
  /** A custom generator (periodic, punctuated or both). `name` identifies it in the job graph. */
  static forGenerator<T>(
    createGenerator: () => WatermarkGenerator<T>,
    name = 'custom',
  ): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(createGenerator, { kind: 'generator', name });
  }
  /** Timestamps only, no watermarks. */
  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => ({ onEvent: () => undefined, onPeriodicEmit: () => undefined }), {
      kind: 'none',
    });
  }

  /** Uses `assigner` for event timestamps. */
  withTimestampAssigner(assigner: TimestampAssigner<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(this.createGenerator, this.description, assigner, this.idleTimeout);
  }
  /** Marks the input idle after `ms` without events, so it does not hold back downstream watermarks. */
  withIdleness(ms: number): WatermarkStrategy<T> {
    if (!(ms > 0)) throw new RangeError('idleness timeout must be > 0 ms');
    return new WatermarkStrategy<T>(this.createGenerator, this.description, this.timestampAssigner, ms);
  }
  /** JSON for the job graph. */
  describe(): unknown {
    return {
      ...(this.description as object),
      idleTimeout: this.idleTimeout ?? null,
      assigner: this.timestampAssigner !== undefined,
    };
  }
}

/** Flink's BoundedOutOfOrdernessWatermarks: max timestamp - bound - 1, emitted periodically. */
export class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  #max: number;
  readonly #bound: number;
  constructor(bound: number) {
    this.#bound = bound;
    this.#max = MIN_WATERMARK + bound + 1;
  }
  onEvent(_event: T, timestamp: number): void {
    if (timestamp > this.#max) this.#max = timestamp;
  }
  onPeriodicEmit(output: WatermarkOutput): void {
    output.emitWatermark(this.#max - this.#bound - 1);
  }
}
