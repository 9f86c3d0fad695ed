// The interval join of two keyed streams (Flink's KeyedStream.intervalJoin): every pair of records
// with equal keys whose timestamps satisfy left.ts + lower <= right.ts <= left.ts + upper, in event
// time. The operator buffers both sides per key and timestamp and drops a buffered record once the
// watermark makes further partners impossible; records behind the watermark are late and dropped
// (or sent to a side output).
//
//   left.keyBy(k).intervalJoin(right.keyBy(k)).between(-5, 10).process({ processElement(l, r, ctx, out) {...} })
import { userError } from '@eddy/common';
import type { DataStream, KeyedStream } from './data-stream.ts';
import type { Collector, RichFunction, RuntimeContext } from './functions.ts';
import type { OutputTag } from './output-tag.ts';
import { requireMethods } from './connected-streams.ts';

/** Context of ProcessJoinFunction.processElement. */
export interface ProcessJoinContext {
  /** The runtime context of the subtask. */
  readonly runtime: RuntimeContext;
  /** The left record's timestamp. */
  leftTimestamp(): number;
  /** The right record's timestamp. */
  rightTimestamp(): number;
  /** The timestamp of the output: the larger of the two. */
  timestamp(): number;
  /** Emits `value` to the side output `tag`. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** Called once per joined pair (Flink's ProcessJoinFunction). */
export interface ProcessJoinFunction<IN1, IN2, OUT> extends RichFunction {
  processElement(left: IN1, right: IN2, ctx: ProcessJoinContext, out: Collector<OUT>): void;
}

/** What the interval join operator gets (in TwoInputTransformation.fn). */
export interface IntervalJoinSpec {
  readonly function: ProcessJoinFunction<unknown, unknown, unknown>;
  /** Inclusive bounds, exclusivity already applied: lowerBound <= right.ts - left.ts <= upperBound. */
  readonly lowerBound: number;
  readonly upperBound: number;
  readonly leftLateDataTag: OutputTag<unknown> | undefined;
  readonly rightLateDataTag: OutputTag<unknown> | undefined;
}

function checkBound(name: string, v: number): void {
  if (!Number.isSafeInteger(v)) {
    throw userError('JOB_INTERVAL_JOIN', `intervalJoin: ${name} bound ${v} must be an integer number of ms`);
  }
}

/** An interval join before its bounds are set. */
export class IntervalJoin<IN1, IN2, K> {
  readonly #left: KeyedStream<IN1, K>;
  readonly #right: KeyedStream<IN2, K>;
  constructor(left: KeyedStream<IN1, K>, right: KeyedStream<IN2, K>) {
    if (left.env !== right.env) {
      throw userError('JOB_ENVIRONMENT', 'intervalJoin: both streams must come from the same environment');
    }
    this.#left = left;
    this.#right = right;
  }
  /**
   * Joins pairs with `left.ts + lower <= right.ts <= left.ts + upper` (ms; both bounds inclusive
   * unless made exclusive). `lower` may be negative.
   */
  between(lower: number, upper: number): IntervalJoined<IN1, IN2, K> {
    checkBound('lower', lower);
    checkBound('upper', upper);
    if (lower > upper) {
      throw userError(
        'JOB_INTERVAL_JOIN',
        `intervalJoin.between(${lower}, ${upper}): the lower bound must not exceed the upper bound`,
      );
    }
    return new IntervalJoined(this.#left, this.#right, lower, upper);
  }
}

/** An interval join with bounds, ready to process. */
export class IntervalJoined<IN1, IN2, K> {
  readonly #left: KeyedStream<IN1, K>;
  readonly #right: KeyedStream<IN2, K>;
  readonly #lower: number;
  readonly #upper: number;
  #lowerExclusive = false;
  #upperExclusive = false;
  #leftLate: OutputTag<IN1> | undefined;
  #rightLate: OutputTag<IN2> | undefined;

  constructor(left: KeyedStream<IN1, K>, right: KeyedStream<IN2, K>, lower: number, upper: number) {
    this.#left = left;
    this.#right = right;
    this.#lower = lower;
    this.#upper = upper;
  }
  /** Excludes pairs with right.ts - left.ts equal to the lower bound. */
  lowerBoundExclusive(): this {
    this.#lowerExclusive = true;
    return this;
  }
  /** Excludes pairs with right.ts - left.ts equal to the upper bound. */
  upperBoundExclusive(): this {
    this.#upperExclusive = true;
    return this;
  }
  /** Sends left records that arrive behind the watermark to `tag` instead of dropping them. */
  sideOutputLeftLateData(tag: OutputTag<IN1>): this {
    this.#leftLate = tag;
    return this;
  }
  /** Sends right records that arrive behind the watermark to `tag` instead of dropping them. */
  sideOutputRightLateData(tag: OutputTag<IN2>): this {
    this.#rightLate = tag;
    return this;
  }

  /** Calls `fn` for every joined pair; outputs carry the larger of the two timestamps. */
  process<O>(fn: ProcessJoinFunction<IN1, IN2, O>): DataStream<O> {
    requireMethods(fn, ['processElement'], 'intervalJoin(...).between(...).process()');
    const lowerBound = this.#lowerExclusive ? this.#lower + 1 : this.#lower;
    const upperBound = this.#upperExclusive ? this.#upper - 1 : this.#upper;
    if (lowerBound > upperBound) {
      throw userError(
        'JOB_INTERVAL_JOIN',
        `intervalJoin.between(${this.#lower}, ${this.#upper}) with exclusive bounds admits no pair: widen the interval`,
      );
    }
    const spec: IntervalJoinSpec = {
      function: fn,
      lowerBound,
      upperBound,
      leftLateDataTag: this.#leftLate,
      rightLateDataTag: this.#rightLate,
    };
    return this.#left.addTwoInputOperator<O>({
      input2: this.#right.getTransformation(),
      kind: 'interval-join',
      name: 'Interval Join',
      fn: spec,
      config: {
        lowerBound,
        upperBound,
        leftLateDataTag: this.#leftLate?.id ?? null,
        rightLateDataTag: this.#rightLate?.id ?? null,
      },
      keyedBy1: this.#left.getKeyByTransformation(),
      keyedBy2: this.#right.getKeyByTransformation(),
    });
  }
}
