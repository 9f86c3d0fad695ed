// Slicing for sliding windows with incremental aggregation (reduce/aggregate), the default trigger
// and no evictor. Instead of adding each record to all size/slide windows it belongs to (Flink's
// WindowOperator does), the operator keeps one partial aggregate per *slice* and key: slices are
// gcd(size, slide) ms long, so every window is a whole number of slices. A window's result is the
// merge of its slices when it fires. Each record costs one accumulator update; a firing costs
// size/gcd merges. Results, firing times and lateness behave exactly as Flink's WindowOperator with
// EventTimeTrigger/ProcessingTimeTrigger (property-tested against a per-window reference).
//
// Timers: a slice, when created, registers a fire timer at maxTimestamp of the earliest window
// containing it that has not fired, and (event time with allowed lateness) a cleanup timer at
// maxTimestamp + allowedLateness of the earliest one not cleaned up. A firing (cleanup) registers the
// next window's firing (cleanup) when that window holds slices, so every window with contents fires
// and is cleaned up exactly once, as with per-window timers. Slice [p, p + gcd) is dropped when the window with the largest start <= p (the last window
// containing it) is cleaned up. Pure: state and timers go through a SliceContext scoped to the
// current key. Called only from the task thread.
import { MAX_WATERMARK, MIN_WATERMARK, TimeWindow } from '@eddy/api';

/** Which timer fired: a window's evaluation or its cleanup (distinct when lateness > 0). */
export type SliceTimerKind = 'fire' | 'cleanup';

/** How records fold into slices and slices into window results. */
export interface SliceFunctions<IN, ACC> {
  /** Folds `value` into a slice's accumulator (undefined for a new slice) and returns it. */
  add(acc: ACC | undefined, value: IN): ACC;
  /**
   * Folds a slice into a window's running result (undefined before the first slice). Must not
   * modify `slice`, which other windows share; may modify and return `acc`.
   */
  merge(acc: ACC | undefined, slice: ACC): ACC;
}

/** State, timers and output of the current key. */
export interface SliceContext<ACC> {
  /** The event-time watermark; MIN_WATERMARK for processing-time windows (never late). */
  currentWatermark(): number;
  getSlice(start: number): ACC | undefined;
  putSlice(start: number, acc: ACC): void;
  removeSlice(start: number): void;
  /** Registers (idempotently) a timer of the window operator's time domain. */
  registerTimer(time: number, kind: SliceTimerKind): void;
  /** The window fired with its merged contents. */
  emit(window: TimeWindow, contents: ACC): void;
  /** The window reached its cleanup time (a ProcessWindowFunction's clear hook runs here). */
  clearWindow(window: TimeWindow): void;
}

/** Parameters of a sliced sliding-window aggregation. */
export interface SlicingSpec {
  readonly size: number;
  readonly slide: number;
  readonly offset: number;
  readonly allowedLateness: number;
  readonly eventTime: boolean;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** The slice bookkeeping of one sliding-window operator. */
export class SlicedWindows<IN, ACC> {
  readonly size: number;
  readonly slide: number;
  readonly offset: number;
  /** gcd(size, slide): slice boundaries include every window start and end. */
  readonly sliceSize: number;
  readonly #lateness: number;
  readonly #eventTime: boolean;
  /** Whether cleanup happens at the firing itself (no lateness, or processing time). */
  readonly #cleanupAtFire: boolean;
  readonly #fns: SliceFunctions<IN, ACC>;

  constructor(spec: SlicingSpec, fns: SliceFunctions<IN, ACC>) {
    this.size = spec.size;
    this.slide = spec.slide;
    this.offset = spec.offset;
    this.sliceSize = gcd(spec.size, spec.slide);
    this.#eventTime = spec.eventTime;
    this.#lateness = spec.eventTime ? spec.allowedLateness : 0;
    this.#cleanupAtFire = this.#lateness === 0;
    this.#fns = fns;
  }

  /** Start of the slice containing `t`. */
  sliceStart(t: number): number {
    return TimeWindow.getWindowStartWithOffset(t, this.offset, this.sliceSize);
  }
  /** Start of the latest window starting at or before `t`. */
  #lastWindowStart(t: number): number {
    return TimeWindow.getWindowStartWithOffset(t, this.offset, this.slide);
  }
  #cleanupTime(maxTimestamp: number): number {
    const t = maxTimestamp + this.#lateness;
    return t > MAX_WATERMARK ? MAX_WATERMARK : t;
  }

  /**
   * Adds a record with timestamp `t` (the processing time for processing-time windows). Returns
   * false when no window took it: it fell between windows (slide > size), or every window it
   * belongs to is past its cleanup time. The caller then decides about the late side output.
   */
  processElement(value: IN, t: number, ctx: SliceContext<ACC>): boolean {
    const size = this.size;
    const slide = this.slide;
    const ps = this.sliceStart(t);
    const lastStart = this.#lastWindowStart(ps);
    if (lastStart <= ps - size) return false; // in a gap between windows
    const wm = this.#eventTime ? ctx.currentWatermark() : MIN_WATERMARK;
    // The last window has the latest cleanup time: when it is late, all are.
    if (this.#eventTime && this.#cleanupTime(lastStart + size - 1) <= wm) return false;

    const old = ctx.getSlice(ps);
    ctx.putSlice(ps, this.#fns.add(old, value));
    const created = old === undefined;
    // Nothing else to do in the common case: an existing slice already has its timers, and without
    // lateness no window can fire on an element.
    if (!created && this.#lateness === 0) return true;

    // Latest start first, as Flink's sliding assigners order windows (and so their late firings).
    // A new slice registers timers only for the earliest window still to fire or clean up; each
    // timer registers the next window's when that window holds slices (see onTimer). So a slice costs
    // one or two timers, not size/slide of them.
    let fireAt: number | undefined;
    let cleanupAt: number | undefined;
    for (let start = lastStart; start > ps - size; start -= slide) {
      const maxTs = start + size - 1;
      const cleanup = this.#cleanupTime(maxTs);
      if (this.#eventTime && cleanup <= wm) break; // earlier windows are late too
      if (this.#eventTime && maxTs <= wm) {
        // EventTimeTrigger.onElement fires a window the watermark already passed (a late firing).
        this.#fire(start, ctx);
      } else if (created) {
        fireAt = maxTs;
      }
      if (created && !this.#cleanupAtFire) cleanupAt = cleanup;
    }
    if (fireAt !== undefined) ctx.registerTimer(fireAt, 'fire');
    if (cleanupAt !== undefined) ctx.registerTimer(cleanupAt, 'cleanup');
    return true;
  }

  /** A timer registered through the context fired. */
  onTimer(time: number, kind: SliceTimerKind, ctx: SliceContext<ACC>): void {
    if (kind === 'fire') {
      const start = time + 1 - this.size;
      this.#fire(start, ctx);
      if (this.#cleanupAtFire) this.#cleanup(start, ctx);
      if (this.#hasSlices(start + this.slide, ctx)) ctx.registerTimer(time + this.slide, 'fire');
    } else {
      const start = time - this.#lateness + 1 - this.size;
      this.#cleanup(start, ctx);
      if (this.#hasSlices(start + this.slide, ctx)) ctx.registerTimer(time + this.slide, 'cleanup');
    }
  }

  /** Whether window [start, start + size) holds any slice. */
  #hasSlices(start: number, ctx: SliceContext<ACC>): boolean {
    const end = start + this.size;
    for (let s = start; s < end; s += this.sliceSize) if (ctx.getSlice(s) !== undefined) return true;
    return false;
  }

  /** Whether a record dropped by processElement counts as late (Flink's isElementLate). */
  isElementLate(t: number, watermark: number): boolean {
    return this.#eventTime && t + this.#lateness <= watermark;
  }

  #fire(start: number, ctx: SliceContext<ACC>): void {
    const merge = this.#fns.merge;
    let acc: ACC | undefined;
    const end = start + this.size;
    for (let s = start; s < end; s += this.sliceSize) {
      const slice = ctx.getSlice(s);
      if (slice !== undefined) acc = merge(acc, slice);
    }
    // A window without contents does not fire (Flink: contents == null).
    if (acc !== undefined) ctx.emit(new TimeWindow(start, end), acc);
  }

  /** Cleans up window [start, start + size): its hook, then the slices it is the last window of. */
  #cleanup(start: number, ctx: SliceContext<ACC>): void {
    ctx.clearWindow(new TimeWindow(start, start + this.size));
    const owned = start + Math.min(this.slide, this.size);
    for (let s = start; s < owned; s += this.sliceSize) ctx.removeSlice(s);
  }
}
