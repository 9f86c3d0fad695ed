// Runs a WatermarkStrategy over a stream of batches, for a source (per split: each subtask reads one
// split here) or for assignTimestampsAndWatermarks: assigns timestamps, feeds the generator, and
// cuts a batch wherever a punctuated generator emits, so that every watermark follows exactly the
// records that preceded it. Periodic emission and idleness run on processing-time timers, which
// arrive through the mailbox.
import {
  MIN_WATERMARK,
  type WatermarkGenerator,
  type WatermarkOutput,
  type WatermarkStrategy,
} from '@eddy/api';
import type { Output, Timestamps } from './operators/stream-operator.ts';
import type { ProcessingTimeService } from './timers/processing-time-service.ts';

/** Chains a maybe-promise: `next` runs after `prev` settles. */
function then(prev: void | Promise<void>, next: () => void | Promise<void>): void | Promise<void> {
  return prev === undefined ? next() : prev.then(next);
}

/** Drives one WatermarkStrategy. */
export class WatermarkEmitter implements WatermarkOutput {
  readonly #strategy: WatermarkStrategy<unknown>;
  readonly #generator: WatermarkGenerator<unknown>;
  readonly #output: Output;
  readonly #time: ProcessingTimeService;
  readonly #interval: number;
  #emitted = MIN_WATERMARK;
  /** A watermark the generator emitted that has not been forwarded yet. */
  #pending: number | undefined;
  #idle = false;
  #statusChange: boolean | undefined;
  #lastEventTime: number;
  #cancelTimer: (() => void) | undefined;
  #closed = false;

  constructor(
    strategy: WatermarkStrategy<unknown>,
    output: Output,
    time: ProcessingTimeService,
    autoWatermarkInterval: number,
  ) {
    this.#strategy = strategy;
    this.#generator = strategy.createGenerator();
    this.#output = output;
    this.#time = time;
    this.#interval = autoWatermarkInterval;
    this.#lastEventTime = time.now();
  }

  // WatermarkOutput, called by the generator.
  emitWatermark(watermark: number): void {
    if (watermark > (this.#pending ?? this.#emitted)) this.#pending = watermark;
  }
  markIdle(): void {
    if (!this.#idle) {
      this.#idle = true;
      this.#statusChange = true;
    }
  }
  markActive(): void {
    if (this.#idle) {
      this.#idle = false;
      this.#statusChange = false;
    }
  }

  /** Starts periodic emission and the idleness check. */
  start(): void {
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed) return;
    const idle = this.#strategy.idleTimeout;
    const periods = [this.#interval > 0 ? this.#interval : undefined, idle].filter(
      (x): x is number => x !== undefined,
    );
    if (periods.length === 0) return;
    const next = this.#time.now() + Math.min(...periods);
    this.#cancelTimer = this.#time.registerTimer(next, () => {
      this.#cancelTimer = undefined;
      const r = this.onTimer();
      this.#schedule();
      return r;
    });
  }

  /** Periodic work: the generator's periodic emit and the idleness check. */
  onTimer(): void | Promise<void> {
    const idle = this.#strategy.idleTimeout;
    if (idle !== undefined && this.#time.now() - this.#lastEventTime >= idle) this.markIdle();
    if (this.#interval > 0 && !this.#idle) this.#generator.onPeriodicEmit(this);
    return this.#forward();
  }

  /** Forwards a pending status change and watermark, in that order. */
  #forward(): void | Promise<void> {
    let r: void | Promise<void> = undefined;
    if (this.#statusChange !== undefined) {
      this.#output.emitWatermarkStatus(this.#statusChange);
      this.#statusChange = undefined;
    }
    const w = this.#pending;
    if (w !== undefined) {
      this.#pending = undefined;
      if (w > this.#emitted) {
        this.#emitted = w;
        r = this.#output.emitWatermark(w);
      }
    }
    return r;
  }

  /**
   * Emits a batch: timestamps assigned, the generator fed record by record, and the batch cut after
   * every record on which the generator emitted a watermark.
   */
  emitBatch(batch: readonly unknown[], previous: Timestamps): void | Promise<void> {
    if (batch.length === 0) return undefined;
    this.#lastEventTime = this.#time.now();
    if (this.#idle) this.markActive();
    const assigner = this.#strategy.timestampAssigner;
    const gen = this.#generator;
    const n = batch.length;
    const ts = new Array<number>(n);
    let result: void | Promise<void> = this.#forward();
    let start = 0;
    const perRecord = this.#interval === 0;
    for (let i = 0; i < n; i++) {
      const v = batch[i];
      const prev = previous?.[i];
      const t = assigner !== undefined ? assigner(v, prev) : (prev ?? MIN_WATERMARK);
      ts[i] = t;
      gen.onEvent(v, t, this);
      // Interval 0: periodic generators emit after every record.
      if (perRecord) gen.onPeriodicEmit(this);
      if (this.#pending !== undefined && this.#pending > this.#emitted) {
        const from = start;
        const to = i + 1;
        start = to;
        result = then(result, () =>
          then(this.#output.collect(batch.slice(from, to), ts.slice(from, to)), () => this.#forward()),
        );
      }
    }
    if (start < n) {
      const rest = start === 0 ? batch : batch.slice(start);
      const restTs = start === 0 ? ts : ts.slice(start);
      result = then(result, () => this.#output.collect(rest, restTs));
    }
    return result;
  }

  /** Stops the timers. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
  }
}
