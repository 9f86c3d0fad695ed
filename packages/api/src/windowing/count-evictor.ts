// Flink's CountEvictor: keeps the last `maxCount` elements of a window.
import type { Evictor, TimestampedValue } from './evictor.ts';
import type { Window } from './window.ts';

/** Keeps at most `maxCount` elements, dropping the oldest (by arrival). */
export class CountEvictor<W extends Window = Window> implements Evictor<unknown, W> {
  readonly maxCount: number;
  readonly doEvictAfter: boolean;
  private constructor(maxCount: number, doEvictAfter: boolean) {
    this.maxCount = maxCount;
    this.doEvictAfter = doEvictAfter;
  }
  /** Evicts before the window function, or after it when `doEvictAfter`. */
  static of<W extends Window = Window>(maxCount: number, doEvictAfter = false): CountEvictor<W> {
    if (!Number.isSafeInteger(maxCount) || maxCount < 1) {
      throw new RangeError(`CountEvictor.of(${maxCount}): the count must be a positive integer`);
    }
    return new CountEvictor<W>(maxCount, doEvictAfter);
  }
  evictBefore<T>(elements: readonly TimestampedValue<T>[], size: number): readonly TimestampedValue<T>[] {
    return this.doEvictAfter ? elements : this.#evict(elements, size);
  }
  evictAfter<T>(elements: readonly TimestampedValue<T>[], size: number): readonly TimestampedValue<T>[] {
    return this.doEvictAfter ? this.#evict(elements, size) : elements;
  }
  #evict<T>(elements: readonly TimestampedValue<T>[], size: number): readonly TimestampedValue<T>[] {
    return size <= this.maxCount ? elements : elements.slice(size - this.maxCount);
  }
  describe(): unknown {
    return { kind: 'count', maxCount: this.maxCount, doEvictAfter: this.doEvictAfter };
  }
}
