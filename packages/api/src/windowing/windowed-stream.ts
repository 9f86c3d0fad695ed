// WindowedStream (keyed) and AllWindowedStream (windowAll): collect the window settings, then turn
// into a 'window' transformation when a window function is given. The spec (assigner, trigger,
// evictor, lateness, late tag, functions) travels in the transformation's `fn`; its JSON description
// in `config`, hashed with the job graph.
import type { DataStream } from '../data-stream.ts';
import type { ReduceFunction } from '../functions.ts';
import type { OutputTag } from '../output-tag.ts';
import type { AggregateFunction } from '../state.ts';
import type { Evictor } from './evictor.ts';
import type { Trigger } from './trigger.ts';
import { isMergingWindowAssigner, type WindowAssigner } from './window-assigner.ts';
import type { ProcessAllWindowFunction, ProcessWindowFunction, WindowFunction } from './window-function.ts';
import type { AnyProcessWindowFunction, WindowFunctionSpec, WindowSpec } from './window-spec.ts';
import type { Window } from './window.ts';

/** Adds the window operator for `spec` to the job; supplied by the stream being windowed. */
export type WindowTransformationBuilder = (name: string, spec: WindowSpec) => DataStream<unknown>;

/** Settings shared by keyed and all-window streams. */
abstract class WindowSettings<T, W extends Window> {
  readonly #build: WindowTransformationBuilder;
  readonly #keyed: boolean;
  readonly #assigner: WindowAssigner<T, W>;
  #trigger: Trigger<T, W>;
  #defaultTrigger = true;
  #evictor: Evictor<T, W> | undefined;
  #lateness = 0;
  #lateTag: OutputTag<T> | undefined;

  protected constructor(assigner: WindowAssigner<T, W>, keyed: boolean, build: WindowTransformationBuilder) {
    this.#assigner = assigner;
    this.#trigger = assigner.getDefaultTrigger();
    this.#keyed = keyed;
    this.#build = build;
  }

  protected setTrigger(trigger: Trigger<T, W>): void {
    if (isMergingWindowAssigner(this.#assigner) && trigger.canMerge?.() !== true) {
      throw new TypeError(
        'trigger(): session (merging) windows need a trigger that can merge: give it canMerge() returning true and an onMerge(window, ctx)',
      );
    }
    this.#trigger = trigger;
    this.#defaultTrigger = false;
  }
  protected setEvictor(evictor: Evictor<T, W>): void {
    this.#evictor = evictor;
  }
  protected setAllowedLateness(ms: number): void {
    if (!Number.isSafeInteger(ms) || ms < 0) {
      throw new RangeError(`allowedLateness(${ms}): the lateness must be a non-negative integer (ms)`);
    }
    this.#lateness = ms;
  }
  protected setLateDataTag(tag: OutputTag<T>): void {
    this.#lateTag = tag;
  }

  protected build<O>(fn: WindowFunctionSpec): DataStream<O> {
    const spec: WindowSpec = {
      assigner: this.#assigner,
      trigger: this.#trigger,
      defaultTrigger: this.#defaultTrigger,
      evictor: this.#evictor,
      allowedLateness: this.#lateness,
      lateDataTag: this.#lateTag,
      function: fn,
      keyed: this.#keyed,
    };
    const a = this.#assigner.describe() as { kind?: unknown; time?: unknown } | null;
    const what = [a?.kind, a?.time].filter((x) => typeof x === 'string').join(' ');
    const name = `${this.#keyed ? 'Window' : 'All Window'} (${what === '' ? 'custom' : what}, ${fn.kind}${fn.process === undefined || fn.kind === 'process' ? '' : ' + process'})`;
    return this.#build(name, spec) as DataStream<O>;
  }
}

/** A keyed stream cut into windows (Flink's WindowedStream). */
export class WindowedStream<T, K, W extends Window> extends WindowSettings<T, W> {
  /** @internal Use KeyedStream.window(). */
  constructor(assigner: WindowAssigner<T, W>, build: WindowTransformationBuilder) {
    super(assigner, true, build);
  }
  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<T, W>): this {
    this.setTrigger(trigger);
    return this;
  }
  /** Removes elements before and/or after evaluation (keeps every element in state). */
  evictor(evictor: Evictor<T, W>): this {
    this.setEvictor(evictor);
    return this;
  }
  /** Keeps event-time windows `ms` after their end, firing again for each late element. */
  allowedLateness(ms: number): this {
    this.setAllowedLateness(ms);
    return this;
  }
  /** Sends elements dropped as late to the side output `tag` (read with getSideOutput(tag)). */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.setLateDataTag(tag);
    return this;
  }

  /**
   * Incrementally reduces each window; with `process`, the result is handed to it with the window.
   * Functions must not modify their arguments: sliding windows share partial results.
   */
  reduce(fn: ReduceFunction<T>): DataStream<T>;
  reduce<O>(fn: ReduceFunction<T>, process: ProcessWindowFunction<T, O, K, W>): DataStream<O>;
  reduce<O>(fn: ReduceFunction<T>, process?: ProcessWindowFunction<T, O, K, W>): DataStream<O | T> {
    return this.build({
      kind: 'reduce',
      reduce: fn as ReduceFunction<unknown>,
      process: process as AnyProcessWindowFunction | undefined,
    });
  }
  /**
   * Incrementally aggregates each window; with `process`, the result is handed to it with the
   * window. `merge(a, b)` may modify and return `a` but must not modify `b`.
   */
  aggregate<ACC, R>(agg: AggregateFunction<T, ACC, R>): DataStream<R>;
  aggregate<ACC, V, O>(
    agg: AggregateFunction<T, ACC, V>,
    process: ProcessWindowFunction<V, O, K, W>,
  ): DataStream<O>;
  aggregate<ACC, V, O>(
    agg: AggregateFunction<T, ACC, V>,
    process?: ProcessWindowFunction<V, O, K, W>,
  ): DataStream<O | V> {
    return this.build({
      kind: 'aggregate',
      aggregate: agg,
      process: process as AnyProcessWindowFunction | undefined,
    });
  }
  /** Evaluates each window over all its elements. */
  process<O>(fn: ProcessWindowFunction<T, O, K, W>): DataStream<O> {
    return this.build({ kind: 'process', process: fn as AnyProcessWindowFunction });
  }
  /** Flink's apply(WindowFunction): key, window and all elements. */
  apply<O>(fn: WindowFunction<T, O, K, W>): DataStream<O> {
    return this.process<O>({ process: (key, ctx, elements, out) => fn(key, ctx.window(), elements, out) });
  }
}

/** A non-keyed stream cut into windows, evaluated at parallelism 1 (Flink's AllWindowedStream). */
export class AllWindowedStream<T, W extends Window> extends WindowSettings<T, W> {
  /** @internal Use DataStream.windowAll(). */
  constructor(assigner: WindowAssigner<T, W>, build: WindowTransformationBuilder) {
    super(assigner, false, build);
  }
  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<T, W>): this {
    this.setTrigger(trigger);
    return this;
  }
  /** Removes elements before and/or after evaluation (keeps every element in state). */
  evictor(evictor: Evictor<T, W>): this {
    this.setEvictor(evictor);
    return this;
  }
  /** Keeps event-time windows `ms` after their end, firing again for each late element. */
  allowedLateness(ms: number): this {
    this.setAllowedLateness(ms);
    return this;
  }
  /** Sends elements dropped as late to the side output `tag`. */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.setLateDataTag(tag);
    return this;
  }
  /** Incrementally reduces each window, optionally handing the result to `process`. */
  reduce(fn: ReduceFunction<T>): DataStream<T>;
  reduce<O>(fn: ReduceFunction<T>, process: ProcessAllWindowFunction<T, O, W>): DataStream<O>;
  reduce<O>(fn: ReduceFunction<T>, process?: ProcessAllWindowFunction<T, O, W>): DataStream<O | T> {
    return this.build({
      kind: 'reduce',
      reduce: fn as ReduceFunction<unknown>,
      process: process as AnyProcessWindowFunction | undefined,
    });
  }
  /** Incrementally aggregates each window, optionally handing the result to `process`. */
  aggregate<ACC, R>(agg: AggregateFunction<T, ACC, R>): DataStream<R>;
  aggregate<ACC, V, O>(
    agg: AggregateFunction<T, ACC, V>,
    process: ProcessAllWindowFunction<V, O, W>,
  ): DataStream<O>;
  aggregate<ACC, V, O>(
    agg: AggregateFunction<T, ACC, V>,
    process?: ProcessAllWindowFunction<V, O, W>,
  ): DataStream<O | V> {
    return this.build({
      kind: 'aggregate',
      aggregate: agg,
      process: process as AnyProcessWindowFunction | undefined,
    });
  }
  /** Evaluates each window over all its elements. */
  process<O>(fn: ProcessAllWindowFunction<T, O, W>): DataStream<O> {
    return this.build({ kind: 'process', process: fn as AnyProcessWindowFunction });
  }
}
