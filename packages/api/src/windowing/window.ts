// Window types (Flink's Window, TimeWindow, GlobalWindow). A window is a value: two windows with the
// same bounds are the same window. `id` gives that identity as a primitive so windows can key maps
// and serve as state namespaces without a custom hash. Immutable; safe to share between tasks.
import { MAX_WATERMARK } from '../watermark.ts';

/** A finite or infinite bucket of elements. */
export interface Window {
  /** The largest timestamp that still belongs to the window. */
  maxTimestamp(): number;
  /** Identity: equal windows have equal ids, different windows different ones. */
  readonly id: string;
}

/** The half-open interval [start, end) of event or processing time, in ms. */
export class TimeWindow implements Window {
  readonly start: number;
  readonly end: number;
  #id: string | undefined;

  constructor(start: number, end: number) {
    if (!(end > start)) throw new RangeError(`TimeWindow [${start}, ${end}): end must be after start`);
    this.start = start;
    this.end = end;
  }
  /** end - 1: the end is exclusive, as in Flink. */
  maxTimestamp(): number {
    return this.end - 1;
  }
  get id(): string {
    return (this.#id ??= `${this.start}:${this.end}`);
  }
  /** Whether the two windows overlap or touch; touching session windows merge, as in Flink. */
  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }
  /** The smallest window containing both. */
  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }
  equals(other: Window): boolean {
    return other instanceof TimeWindow && other.start === this.start && other.end === this.end;
  }
  toString(): string {
    return `TimeWindow{start=${this.start}, end=${this.end}}`;
  }
  toJSON(): { start: number; end: number } {
    return { start: this.start, end: this.end };
  }

  /**
   * The start of the window of `size` (shifted by `offset`) that contains `timestamp`. Correct for
   * negative timestamps and offsets (JS `%` keeps the dividend's sign, so it is normalized).
   */
  static getWindowStartWithOffset(timestamp: number, offset: number, windowSize: number): number {
    const remainder = (((timestamp - offset) % windowSize) + windowSize) % windowSize;
    return timestamp - remainder;
  }

  /**
   * Flink's TimeWindow.mergeWindows: sorts by start, sweeps overlapping (or touching) windows into
   * groups, and reports each group of two or more with the window covering it.
   */
  static mergeWindows(
    windows: readonly TimeWindow[],
    callback: (toBeMerged: readonly TimeWindow[], mergeResult: TimeWindow) => void,
  ): void {
    const sorted = [...windows].sort((a, b) => a.start - b.start || a.end - b.end);
    let current: TimeWindow | undefined;
    let members: TimeWindow[] = [];
    const flush = (): void => {
      if (current !== undefined && members.length > 1) callback(members, current);
    };
    for (const w of sorted) {
      if (current !== undefined && current.intersects(w)) {
        current = current.cover(w);
        members.push(w);
      } else {
        flush();
        current = w;
        members = [w];
      }
    }
    flush();
  }
}

/** The one window of GlobalWindows: holds every element, never ends. */
export class GlobalWindow implements Window {
  static readonly #instance = new GlobalWindow();
  readonly id = 'global';
  private constructor() {}
  /** The single instance. */
  static get(): GlobalWindow {
    return GlobalWindow.#instance;
  }
  maxTimestamp(): number {
    return MAX_WATERMARK;
  }
  toString(): string {
    return 'GlobalWindow';
  }
}
