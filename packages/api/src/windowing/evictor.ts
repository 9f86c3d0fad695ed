// Evictors remove elements from a window before and/or after the window function runs (Flink's
// Evictor). A window with an evictor keeps every element (no incremental aggregation), because the
// evictor needs to see them.
import type { Window } from './window.ts';

/** An element of a window with the timestamp its record carried (undefined when it had none). */
export interface TimestampedValue<T> {
  readonly value: T;
  readonly timestamp: number | undefined;
}

/** What an evictor may ask the operator. */
export interface EvictorContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
}

/**
 * Removes elements from a window. Each method gets the window's elements in arrival order and
 * returns those to keep (the same array when nothing is evicted).
 */
export interface Evictor<T, W extends Window> {
  /** Before the window function runs; evicted elements are neither seen nor kept. */
  evictBefore(
    elements: readonly TimestampedValue<T>[],
    size: number,
    window: W,
    ctx: EvictorContext,
  ): readonly TimestampedValue<T>[];
  /** After the window function ran; evicted elements are dropped from the window. */
  evictAfter(
    elements: readonly TimestampedValue<T>[],
    size: number,
    window: W,
    ctx: EvictorContext,
  ): readonly TimestampedValue<T>[];
  /** JSON naming the evictor, part of the job graph hash. */
  describe?(): unknown;
}

/** The JSON description of any evictor (custom ones are described by their class name). */
export function describeEvictor(evictor: Evictor<unknown, Window>): unknown {
  if (evictor.describe !== undefined) return evictor.describe();
  const name = (evictor as { constructor?: { name?: string } }).constructor?.name;
  return { kind: 'custom', name: name === undefined || name === 'Object' ? 'custom' : name };
}
