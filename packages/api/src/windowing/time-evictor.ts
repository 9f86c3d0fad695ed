// Flink's TimeEvictor: keeps the elements within `windowSize` ms of the newest element's timestamp.
import type { Evictor, TimestampedValue } from './evictor.ts';
import type { Window } from './window.ts';

/** Evicts elements with timestamp <= (max timestamp in the window) - windowSize. */
export class TimeEvictor<W extends Window = Window> implements Evictor<unknown, W> {
  readonly windowSize: number;
  readonly doEvictAfter: boolean;
  private constructor(windowSize: number, doEvictAfter: boolean) {
    this.windowSize = windowSize;
    this.doEvictAfter = doEvictAfter;
  }
  /** Evicts before the window function, or after it when `doEvictAfter`. */
  static of<W extends Window = Window>(windowSize: number, doEvictAfter = false): TimeEvictor<W> {
    if (!Number.isSafeInteger(windowSize) || windowSize < 0) {
      throw new RangeError(`TimeEvictor.of(${windowSize}): the size must be a non-negative integer (ms)`);
    }
    return new TimeEvictor<W>(windowSize, doEvictAfter);
  }
  evictBefore<T>(elements: readonly TimestampedValue<T>[]): readonly TimestampedValue<T>[] {
    return this.doEvictAfter ? elements : this.#evict(elements);
  }
  evictAfter<T>(elements: readonly TimestampedValue<T>[]): readonly TimestampedValue<T>[] {
    return this.doEvictAfter ? this.#evict(elements) : elements;
  }
  #evict<T>(elements: readonly TimestampedValue<T>[]): readonly TimestampedValue<T>[] {
    // As Flink: a window whose (first) element has no timestamp is left alone.
    if (elements.length === 0 || elements[0]?.timestamp === undefined) return elements;
    let max = Number.NEGATIVE_INFINITY;
    for (const e of elements) if (e.timestamp !== undefined && e.timestamp > max) max = e.timestamp;
    const cutoff = max - this.windowSize;
    let evicts = false;
    for (const e of elements) if (e.timestamp !== undefined && e.timestamp <= cutoff) evicts = true;
    return evicts ? elements.filter((e) => e.timestamp === undefined || e.timestamp > cutoff) : elements;
  }
  describe(): unknown {
    return { kind: 'time', windowSize: this.windowSize, doEvictAfter: this.doEvictAfter };
  }
}
