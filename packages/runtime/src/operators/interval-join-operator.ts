// The interval join (Flink's IntervalJoinOperator). Both inputs are keyed the same way; each side is
// buffered per key in MapState keyed by timestamp. A record joins with every buffered record of the
// other side whose timestamp lies in its interval, then waits in its own buffer for partners still
// to come. An event-time timer per (key, side, timestamp) removes a buffer bucket once the watermark
// guarantees no partner can arrive anymore: a left bucket at ts + upper, a right one at ts - lower
// (never before ts itself). A record behind the watermark is late: its partners may already be gone,
// so it is dropped (or sent to the side's late-data output), as in Flink.
import {
  MIN_WATERMARK,
  StateDescriptors,
  type Collector,
  type IntervalJoinSpec,
  type MapState,
  type OutputTag,
  type ProcessJoinContext,
  type ProcessJoinFunction,
  type RuntimeContext,
} from '@eddy/api';
import { EddyError } from '@eddy/common';
import type { InternalTimerService, Timer } from '../timers/internal-timer-service.ts';
import { AbstractStreamOperator, type BatchCollector } from './abstract-stream-operator.ts';
import type { OperatorContext, Timestamps } from './stream-operator.ts';

const LEFT_BUFFER = StateDescriptors.map<number, unknown[]>('_interval-join-left');
const RIGHT_BUFFER = StateDescriptors.map<number, unknown[]>('_interval-join-right');
/** Timer namespaces of the two sides' cleanup timers. */
const CLEANUP_LEFT = 'cleanup-left';
const CLEANUP_RIGHT = 'cleanup-right';

function missingTimestamps(): EddyError {
  return new EddyError(
    'INTERVAL_JOIN_NO_TIMESTAMPS',
    'intervalJoin needs event-time timestamps on both inputs: give the sources a WatermarkStrategy (fromSource(source, strategy)) or call assignTimestampsAndWatermarks(...) before keyBy',
    { domain: 'user' },
  );
}

/** ProcessJoinFunction's context and output: one per operator, updated per pair. */
class JoinContext implements ProcessJoinContext, Collector<unknown> {
  readonly runtime: RuntimeContext;
  readonly #batch: BatchCollector;
  left = 0;
  right = 0;
  constructor(runtime: RuntimeContext, batch: BatchCollector) {
    this.runtime = runtime;
    this.#batch = batch;
  }
  leftTimestamp(): number {
    return this.left;
  }
  rightTimestamp(): number {
    return this.right;
  }
  timestamp(): number {
    return this.left > this.right ? this.left : this.right;
  }
  output<X>(tag: OutputTag<X>, value: X): void {
    this.#batch.addSide(tag.id, value, this.timestamp());
  }
  collect(value: unknown): void {
    this.#batch.add(value, this.timestamp());
  }
}

/** Joins two keyed streams on lowerBound <= right.ts - left.ts <= upperBound. */
export class IntervalJoinOperator extends AbstractStreamOperator {
  readonly #fn: ProcessJoinFunction<unknown, unknown, unknown>;
  readonly #lower: number;
  readonly #upper: number;
  readonly #leftLate: OutputTag<unknown> | undefined;
  readonly #rightLate: OutputTag<unknown> | undefined;
  #left!: MapState<number, unknown[]>;
  #right!: MapState<number, unknown[]>;
  #timers!: InternalTimerService;
  #ctx!: JoinContext;

  constructor(spec: IntervalJoinSpec) {
    super();
    const f = spec.function as Partial<ProcessJoinFunction<unknown, unknown, unknown>> | null;
    if (f === null || typeof f !== 'object' || typeof f.processElement !== 'function') {
      throw new TypeError(
        'intervalJoin(...).process() expects an object with a processElement(left, right, ctx, out) method',
      );
    }
    if (!(spec.lowerBound <= spec.upperBound)) {
      throw new TypeError(`interval join bounds ${spec.lowerBound} > ${spec.upperBound}`);
    }
    this.#fn = spec.function;
    this.#lower = spec.lowerBound;
    this.#upper = spec.upperBound;
    this.#leftLate = spec.leftLateDataTag;
    this.#rightLate = spec.rightLateDataTag;
  }

  override async open(ctx: OperatorContext): Promise<void> {
    this.setup(ctx);
    const backend = this.requireKeyed('intervalJoin');
    this.#left = backend.getOrCreateKeyedState<MapState<number, unknown[]>>(LEFT_BUFFER);
    this.#right = backend.getOrCreateKeyedState<MapState<number, unknown[]>>(RIGHT_BUFFER);
    this.#timers = this.getInternalTimerService({
      onEventTime: (t) => this.#cleanup(t),
      onProcessingTime: () => undefined,
    });
    this.#ctx = new JoinContext(ctx.runtime, this.collector);
    await this.openUserFunction(this.#fn, ctx.runtime);
  }

  processBatch(batch: readonly unknown[], timestamps: Timestamps, input: number): void | Promise<void> {
    if (batch.length === 0) return undefined;
    if (timestamps === undefined) throw missingTimestamps();
    const isLeft = input === 0;
    const lateTag = isLeft ? this.#leftLate : this.#rightLate;
    for (let i = 0; i < batch.length; i++) {
      const v = batch[i];
      const ts = timestamps[i]!;
      if (ts === MIN_WATERMARK) throw missingTimestamps();
      if (ts < this.currentWatermark) {
        if (lateTag !== undefined) this.collector.addSide(lateTag.id, v, ts);
        continue;
      }
      this.setKeyContextElement(v, input);
      if (isLeft) this.#join(v, ts, this.#left, this.#right, this.#lower, this.#upper, true);
      else this.#join(v, ts, this.#right, this.#left, -this.#upper, -this.#lower, false);
    }
    return this.collector.flush(this.output);
  }

  /**
   * Buffers `value` on its side, emits its pairs with the other side's buffered records whose
   * timestamp lies in [ts + relLower, ts + relUpper], and schedules its bucket's cleanup.
   */
  #join(
    value: unknown,
    ts: number,
    ours: MapState<number, unknown[]>,
    other: MapState<number, unknown[]>,
    relLower: number,
    relUpper: number,
    isLeft: boolean,
  ): void {
    const bucket = ours.get(ts);
    if (bucket === undefined) ours.put(ts, [value]);
    else {
      bucket.push(value);
      // Written back so that a backend keeping state off the heap sees the change.
      ours.put(ts, bucket);
    }
    const from = ts + relLower;
    const to = ts + relUpper;
    const ctx = this.#ctx;
    const fn = this.#fn;
    for (const [t, values] of other.entries()) {
      if (t < from || t > to) continue;
      if (isLeft) {
        ctx.left = ts;
        ctx.right = t;
        for (const o of values) fn.processElement(value, o, ctx, ctx);
      } else {
        ctx.left = t;
        ctx.right = ts;
        for (const o of values) fn.processElement(o, value, ctx, ctx);
      }
    }
    const cleanupTime = relUpper > 0 ? ts + relUpper : ts;
    this.#timers.registerEventTimeTimer(isLeft ? CLEANUP_LEFT : CLEANUP_RIGHT, cleanupTime);
  }

  /** Drops the bucket whose cleanup time `timer` is (its key is already the current key). */
  #cleanup(timer: Timer): void {
    if (timer.namespace === CLEANUP_LEFT) {
      this.#left.remove(this.#upper <= 0 ? timer.time : timer.time - this.#upper);
    } else {
      this.#right.remove(this.#lower <= 0 ? timer.time + this.#lower : timer.time);
    }
  }

  /** Live timers and buffered buckets (tests). */
  numCleanupTimers(): number {
    return this.#timers.numEventTimeTimers();
  }

  override async close(): Promise<void> {
    await super.close();
    await this.#fn.close?.();
  }
}
