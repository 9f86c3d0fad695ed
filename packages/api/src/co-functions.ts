// User function types of connected streams (`a.connect(b)`): one method per input. Input 1 is the
// stream `connect` was called on, input 2 its argument, as in Flink.
import type {
  Collector,
  KeyedProcessContext,
  OnTimerContext,
  ProcessContext,
  RichFunction,
} from './functions.ts';

/** One record in, one out, with a method per input (Flink's CoMapFunction). */
export interface CoMapFunction<IN1, IN2, OUT> extends RichFunction {
  map1(value: IN1): OUT;
  map2(value: IN2): OUT;
}

/** Any number of records out per record, with a method per input (Flink's CoFlatMapFunction). */
export interface CoFlatMapFunction<IN1, IN2, OUT> extends RichFunction {
  flatMap1(value: IN1, out: Collector<OUT>): void;
  flatMap2(value: IN2, out: Collector<OUT>): void;
}

/** Context of CoProcessFunction.onTimer (timers exist only when both inputs are keyed). */
export interface CoProcessOnTimerContext extends ProcessContext {
  timeDomain(): 'event-time' | 'processing-time';
}

/**
 * The low-level function over two inputs. On two keyed inputs it may use keyed state and timers;
 * prefer KeyedCoProcessFunction there, whose context also gives the current key.
 */
export interface CoProcessFunction<IN1, IN2, OUT> extends RichFunction {
  processElement1(value: IN1, ctx: ProcessContext, out: Collector<OUT>): void;
  processElement2(value: IN2, ctx: ProcessContext, out: Collector<OUT>): void;
  /** A timer fired; `timestamp` is its time. */
  onTimer?(timestamp: number, ctx: CoProcessOnTimerContext, out: Collector<OUT>): void;
}

/**
 * A process function over two inputs keyed the same way (`a.connect(b).keyBy(k1, k2)`): keyed state
 * is shared by both inputs (records of either input with equal keys see the same state), and timers
 * fire for the key that registered them.
 */
export interface KeyedCoProcessFunction<K, IN1, IN2, OUT> extends RichFunction {
  processElement1(value: IN1, ctx: KeyedProcessContext<K>, out: Collector<OUT>): void;
  processElement2(value: IN2, ctx: KeyedProcessContext<K>, out: Collector<OUT>): void;
  /** A timer registered for the current key fired; `timestamp` is its time. */
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<OUT>): void;
}
