// The functions a window evaluates: a ProcessWindowFunction sees all of a window's elements (or the
// single pre-aggregated result when combined with reduce/aggregate) plus the window's context.
import type { Collector, RichFunction } from '../functions.ts';
import type { OutputTag } from '../output-tag.ts';
import type { KeyedStateStore } from '../state.ts';
import type { Window } from './window.ts';

/** What a window function can learn and do while a window is evaluated or cleared. */
export interface ProcessWindowFunctionContext<W extends Window> {
  /** The window being evaluated. */
  window(): W;
  currentProcessingTime(): number;
  /** The operator's event-time watermark (MIN_WATERMARK before the first). */
  currentWatermark(): number;
  /** State scoped to the key and this window; clear it in `clear`, the operator does not. */
  windowState(): KeyedStateStore;
  /** State scoped to the key, shared by all its windows. */
  globalState(): KeyedStateStore;
  /** Emits `value` to the side output `tag`. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** Evaluates a window of a keyed stream (Flink's ProcessWindowFunction). */
export interface ProcessWindowFunction<IN, OUT, KEY, W extends Window> extends RichFunction {
  /** Evaluates the window: `elements` are its contents (one element after reduce/aggregate). */
  process(
    key: KEY,
    context: ProcessWindowFunctionContext<W>,
    elements: readonly IN[],
    out: Collector<OUT>,
  ): void;
  /** The window is being dropped (its cleanup time passed): delete its per-window state here. */
  clear?(context: ProcessWindowFunctionContext<W>): void;
}

/** Evaluates a window of a non-keyed stream (Flink's ProcessAllWindowFunction). */
export interface ProcessAllWindowFunction<IN, OUT, W extends Window> extends RichFunction {
  process(context: ProcessWindowFunctionContext<W>, elements: readonly IN[], out: Collector<OUT>): void;
  clear?(context: ProcessWindowFunctionContext<W>): void;
}

/** Flink's WindowFunction (the `apply` form): key, window and elements, no context. */
export type WindowFunction<IN, OUT, KEY, W extends Window> = (
  key: KEY,
  window: W,
  elements: readonly IN[],
  out: Collector<OUT>,
) => void;
