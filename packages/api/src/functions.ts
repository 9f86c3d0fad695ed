// User function types of the DataStream API. Plain functions for the common case; objects with
// `open`/`close` (Flink's Rich functions) when a function needs its runtime context or resources.
import type { KeyedStateStore } from './state.ts';
import type { OutputTag } from './output-tag.ts';

/** Where a function runs: the subtask's identity. */
export interface TaskInfo {
  readonly jobId: string;
  readonly jobName: string;
  readonly taskName: string;
  readonly operatorUid: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly attempt: number;
}

/**
 * What a function can learn about the subtask running it, and where it gets keyed state (on keyed
 * streams; elsewhere the state getters throw a user error). State handles are scoped to the key of
 * the record being processed: get them once in `open`, use them in every call.
 */
export interface RuntimeContext extends TaskInfo, KeyedStateStore {}

/** Lifecycle hooks any function object may have. */
export interface RichFunction {
  open?(ctx: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
}

/** Receives the outputs of a function that emits zero or more records per input. */
export interface Collector<T> {
  collect(value: T): void;
}

/** One record in, one record out. */
export type MapFunction<I, O> = ((value: I) => O) | (RichFunction & { map(value: I): O });
/** Keeps the records for which it returns true. */
export type FilterFunction<T> = ((value: T) => boolean) | (RichFunction & { filter(value: T): boolean });
/** One record in, any number out. */
export type FlatMapFunction<I, O> =
  ((value: I, out: Collector<O>) => void) | (RichFunction & { flatMap(value: I, out: Collector<O>): void });
/** Combines two values of the same key into one. */
export type ReduceFunction<T> = ((a: T, b: T) => T) | (RichFunction & { reduce(a: T, b: T): T });
/** Extracts the key of a record. Must be deterministic. */
export type KeySelector<T, K> = (value: T) => K;

/** Timers and time, from a process function's context. */
export interface TimerService {
  /** The processing time (wall clock of the TaskManager, ms). */
  currentProcessingTime(): number;
  /** The operator's current event-time watermark (MIN_WATERMARK before the first). */
  currentWatermark(): number;
  /** Calls onTimer for the current key once the watermark reaches `time`. Keyed streams only. */
  registerEventTimeTimer(time: number): void;
  /** Calls onTimer for the current key once processing time reaches `time`. Keyed streams only. */
  registerProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
}

/** Context of ProcessFunction.processElement. */
export interface ProcessContext {
  /** The runtime context of the subtask. */
  readonly runtime: RuntimeContext;
  /** The timestamp of the current record, or undefined when the stream has none. */
  timestamp(): number | undefined;
  timerService(): TimerService;
  /** Emits `value` to the side output `tag` (read it with getSideOutput(tag)). */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** Context of a KeyedProcessFunction. */
export interface KeyedProcessContext<K> extends ProcessContext {
  getCurrentKey(): K;
}

/** Context of onTimer. */
export interface OnTimerContext<K> extends KeyedProcessContext<K> {
  timeDomain(): 'event-time' | 'processing-time';
}

/** The low-level function: full control over what is emitted per record. */
export interface ProcessFunction<I, O> extends RichFunction {
  processElement(value: I, ctx: ProcessContext, out: Collector<O>): void;
  /** Called once at the end of a bounded input, after the last element. */
  endInput?(ctx: ProcessContext, out: Collector<O>): void;
}

/** A process function on a keyed stream: keyed state and timers. */
export interface KeyedProcessFunction<K, I, O> extends RichFunction {
  processElement(value: I, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  /** A timer registered for the current key fired; `timestamp` is its time. */
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<O>): void;
}

/** Normalizes a function or function object to a plain function plus its lifecycle. */
export function unwrapFunction<F extends (...args: never[]) => unknown>(
  fn: F | (RichFunction & Record<string, unknown>),
  method: string,
): { call: F; rich: RichFunction | undefined } {
  if (typeof fn === 'function') return { call: fn, rich: undefined };
  const m = fn[method];
  if (typeof m !== 'function') {
    throw new TypeError(`expected a function or an object with a '${method}' method`);
  }
  return { call: (m as F).bind(fn) as F, rich: fn };
}
