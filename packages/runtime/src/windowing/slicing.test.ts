import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_WATERMARK, MIN_WATERMARK, TimeWindow, slidingWindowsOf } from '@eddy/api';
import { SlicedWindows, type SliceContext, type SliceTimerKind } from './slicing.ts';

type Event = { kind: 'element'; key: number; t: number; v: number } | { kind: 'watermark'; wm: number };

interface Params {
  size: number;
  slide: number;
  offset: number;
  lateness: number;
}

/** Sum and count: merge must not modify its second argument. */
interface Acc {
  sum: number;
  count: number;
}

/** Flink's WindowOperator with sliding windows and EventTimeTrigger, one state per window. */
function naive(p: Params, events: readonly Event[]): string[] {
  const out: string[] = [];
  const windows = new Map<string, Acc>(); // key|start -> acc
  const timers = new Map<string, { key: number; start: number; time: number }>();
  let wm = MIN_WATERMARK;
  const cleanupTime = (w: TimeWindow): number => w.maxTimestamp() + p.lateness;
  const emit = (epoch: number, key: number, w: TimeWindow): void => {
    const a = windows.get(`${key}|${w.start}`);
    if (a !== undefined) out.push(`${epoch}|${key}|${w.start}|${w.end}|${a.sum}|${a.count}`);
  };
  events.forEach((e, epoch) => {
    if (e.kind === 'element') {
      let skipped = true;
      for (const w of slidingWindowsOf(e.t, p.size, p.slide, p.offset)) {
        if (cleanupTime(w) <= wm) continue;
        skipped = false;
        const id = `${e.key}|${w.start}`;
        const a = windows.get(id) ?? { sum: 0, count: 0 };
        windows.set(id, { sum: a.sum + e.v, count: a.count + 1 });
        if (w.maxTimestamp() <= wm) emit(epoch, e.key, w);
        else timers.set(`${id}|${w.maxTimestamp()}`, { key: e.key, start: w.start, time: w.maxTimestamp() });
        timers.set(`${id}|${cleanupTime(w)}`, { key: e.key, start: w.start, time: cleanupTime(w) });
      }
      if (skipped && e.t + p.lateness <= wm) out.push(`${epoch}|late|${e.key}|${e.t}|${e.v}`);
    } else {
      wm = e.wm;
      const due = [...timers.entries()].filter(([, t]) => t.time <= wm).sort((a, b) => a[1].time - b[1].time);
      for (const [id, t] of due) {
        timers.delete(id);
        const w = new TimeWindow(t.start, t.start + p.size);
        if (t.time === w.maxTimestamp()) emit(epoch, t.key, w);
        if (t.time === cleanupTime(w)) {
          windows.delete(`${t.key}|${t.start}`);
          out.push(`${epoch}|clear|${t.key}|${t.start}`);
        }
      }
    }
  });
  assert.equal(windows.size, 0, 'naive reference leaked windows');
  return out.sort();
}

/** The same events through SlicedWindows, with a minimal keyed store and timer queue. */
function sliced(p: Params, events: readonly Event[]): { out: string[]; maxSlices: number } {
  const out: string[] = [];
  const slices = new Map<string, Acc>(); // key|sliceStart -> acc
  const timers = new Map<string, { key: number; time: number; kind: SliceTimerKind }>();
  let wm = MIN_WATERMARK;
  let key = 0;
  let epoch = 0;
  let maxSlices = 0;
  const s = new SlicedWindows<number, Acc>(
    { size: p.size, slide: p.slide, offset: p.offset, allowedLateness: p.lateness, eventTime: true },
    {
      add: (acc, v) => (acc === undefined ? { sum: v, count: 1 } : ((acc.sum += v), acc.count++, acc)),
      merge: (acc, slice) =>
        acc === undefined ? { ...slice } : ((acc.sum += slice.sum), (acc.count += slice.count), acc),
    },
  );
  const ctx: SliceContext<Acc> = {
    currentWatermark: () => wm,
    getSlice: (start) => slices.get(`${key}|${start}`),
    putSlice: (start, acc) => {
      slices.set(`${key}|${start}`, acc);
      maxSlices = Math.max(maxSlices, slices.size);
    },
    removeSlice: (start) => slices.delete(`${key}|${start}`),
    registerTimer: (time, kind) => timers.set(`${key}|${kind}|${time}`, { key, time, kind }),
    emit: (w, a) => out.push(`${epoch}|${key}|${w.start}|${w.end}|${a.sum}|${a.count}`),
    clearWindow: (w) => out.push(`${epoch}|clear|${key}|${w.start}`),
  };
  events.forEach((e, i) => {
    epoch = i;
    if (e.kind === 'element') {
      key = e.key;
      if (!s.processElement(e.v, e.t, ctx) && s.isElementLate(e.t, wm)) {
        out.push(`${epoch}|late|${e.key}|${e.t}|${e.v}`);
      }
    } else {
      wm = e.wm;
      // Timers fire in time order, each possibly registering nothing new (all are in the past).
      // Timers fire in time order; a timer may register further (due) timers, as the timer service allows.
      for (;;) {
        let next: [string, { key: number; time: number; kind: SliceTimerKind }] | undefined;
        for (const e of timers)
          if (e[1].time <= wm && (next === undefined || e[1].time < next[1].time)) next = e;
        if (next === undefined) break;
        timers.delete(next[0]);
        key = next[1].key;
        s.onTimer(next[1].time, next[1].kind, ctx);
      }
    }
  });
  assert.equal(slices.size, 0, 'sliced windows leaked slices');
  assert.equal(timers.size, 0, 'sliced windows leaked timers');
  return { out: out.sort(), maxSlices };
}

const params: fc.Arbitrary<Params> = fc
  .record({
    slide: fc.integer({ min: 1, max: 12 }),
    factor: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(0)),
    extra: fc.integer({ min: 0, max: 9 }),
    offsetSeed: fc.integer({ min: -1000, max: 1000 }),
    lateness: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 30 })),
  })
  .map(({ slide, factor, extra, offsetSeed, lateness }) => {
    // factor 0: a size that is not a multiple of the slide (and may be smaller than it).
    const size = factor === 0 ? Math.max(1, slide + extra - 4) : slide * factor;
    return { size, slide, offset: offsetSeed % slide, lateness };
  });

const events: fc.Arbitrary<Event[]> = fc
  .array(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          key: fc.integer({ min: 0, max: 2 }),
          dt: fc.integer({ min: -40, max: 60 }),
          v: fc.integer({ min: -5, max: 20 }),
        }),
      },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 30 }) },
    ),
    { maxLength: 80 },
  )
  .map((steps) => {
    // Timestamps wander around a rising clock; watermarks rise monotonically and may trail or lead.
    const out: Event[] = [];
    let clock = -50;
    let wm = -100;
    for (const s of steps) {
      if (typeof s === 'number') {
        wm = Math.max(wm, clock - 20 + s);
        out.push({ kind: 'watermark', wm });
      } else {
        clock += 3;
        out.push({ kind: 'element', key: s.key, t: clock + s.dt, v: s.v });
      }
    }
    out.push({ kind: 'watermark', wm: MAX_WATERMARK });
    return out;
  });

test('sliced sliding windows emit exactly what per-window evaluation emits', () => {
  fc.assert(
    fc.property(params, events, (p, evs) => {
      assert.deepEqual(sliced(p, evs).out, naive(p, evs));
    }),
    { numRuns: 2000 },
  );
});

test('slices are gcd(size, slide) long and hold one accumulator per key and slice', () => {
  const s = new SlicedWindows<number, number>(
    { size: 10_000, slide: 2_000, offset: 0, allowedLateness: 0, eventTime: true },
    { add: (a, v) => (a ?? 0) + v, merge: (a, b) => (a ?? 0) + b },
  );
  assert.equal(s.sliceSize, 2_000);
  assert.equal(
    new SlicedWindows(
      { size: 10, slide: 4, offset: 0, allowedLateness: 0, eventTime: true },
      { add: () => 0, merge: () => 0 },
    ).sliceSize,
    2,
  );
  const evs: Event[] = [];
  for (let t = 0; t < 20_000; t += 10) evs.push({ kind: 'element', key: 1, t, v: 1 });
  evs.push({ kind: 'watermark', wm: MAX_WATERMARK });
  const r = sliced({ size: 10_000, slide: 2_000, offset: 0, lateness: 0 }, evs);
  // 20 s of data in 2 s slices: 10 slices at most, where per-window state would hold up to 5 windows
  // per record's 5 copies.
  assert.equal(r.maxSlices, 10);
  assert.deepEqual(r.out, naive({ size: 10_000, slide: 2_000, offset: 0, lateness: 0 }, evs));
});

test('processing-time slicing fires at the window end and never counts records late', () => {
  const emitted: string[] = [];
  const slices = new Map<number, number>();
  const timers: { time: number; kind: SliceTimerKind }[] = [];
  const s = new SlicedWindows<number, number>(
    { size: 6, slide: 2, offset: 0, allowedLateness: 100, eventTime: false },
    { add: (a, v) => (a ?? 0) + v, merge: (a, b) => (a ?? 0) + b },
  );
  const ctx: SliceContext<number> = {
    currentWatermark: () => MAX_WATERMARK - 1,
    getSlice: (t) => slices.get(t),
    putSlice: (t, a) => slices.set(t, a),
    removeSlice: (t) => slices.delete(t),
    registerTimer: (time, kind) => timers.push({ time, kind }),
    emit: (w, a) => emitted.push(`${w.start}-${w.end}:${a}`),
    clearWindow: () => undefined,
  };
  assert.equal(s.processElement(5, 3, ctx), true);
  // Lateness is ignored in processing time: cleanup happens with the firing, no cleanup timers. Only
  // the earliest window's timer is registered; each firing registers the next.
  assert.deepEqual(
    timers.map((t) => `${t.kind}@${t.time}`),
    ['fire@3'],
  );
  for (let t = timers.shift(); t !== undefined; t = timers.shift()) s.onTimer(t.time, t.kind, ctx);
  assert.deepEqual(emitted, ['-2-4:5', '0-6:5', '2-8:5']);
  assert.equal(slices.size, 0);
  assert.equal(s.isElementLate(0, MAX_WATERMARK), false);
});
