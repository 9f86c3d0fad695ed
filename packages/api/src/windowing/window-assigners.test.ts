import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TimeWindow, GlobalWindow } from './window.ts';
import { TumblingEventTimeWindows, TumblingProcessingTimeWindows } from './tumbling-windows.ts';
import { SlidingEventTimeWindows, SlidingProcessingTimeWindows } from './sliding-windows.ts';
import { EventTimeSessionWindows, ProcessingTimeSessionWindows } from './session-windows.ts';
import { GlobalWindows } from './global-windows.ts';
import { CountEvictor } from './count-evictor.ts';
import { TimeEvictor } from './time-evictor.ts';
import { isMergingWindowAssigner, type WindowAssigner } from './window-assigner.ts';
import type { Window } from './window.ts';
import type { TimestampedValue } from './evictor.ts';
import { EventTimeTrigger } from './event-time-trigger.ts';
import { PurgingTrigger } from './purging-trigger.ts';
import { CountTrigger } from './count-trigger.ts';
import { describeTrigger } from './trigger.ts';

const clock = (now: number) => ({ getCurrentProcessingTime: () => now });
/** Calls an assigner through its interface, as the operator does. */
function assign<T>(a: WindowAssigner<T, Window>, element: T, t: number, now = 0): readonly Window[] {
  return a.assignWindows(element, t, clock(now));
}
const ids = (ws: readonly { id: string }[]) => ws.map((w) => w.id);

test('TimeWindow: end exclusive, id, intersects/cover, negative window starts', () => {
  const w = new TimeWindow(0, 10);
  assert.equal(w.maxTimestamp(), 9);
  assert.equal(w.id, '0:10');
  assert.ok(w.intersects(new TimeWindow(10, 20)), 'touching windows intersect (as Flink)');
  assert.ok(!w.intersects(new TimeWindow(11, 20)));
  assert.equal(w.cover(new TimeWindow(5, 30)).id, '0:30');
  assert.equal(TimeWindow.getWindowStartWithOffset(-1, 0, 10), -10);
  assert.equal(TimeWindow.getWindowStartWithOffset(7, 3, 5), 3);
  assert.equal(TimeWindow.getWindowStartWithOffset(2, 3, 5), -2);
  assert.throws(() => new TimeWindow(5, 5), /end must be after start/);
  assert.equal(GlobalWindow.get().maxTimestamp(), Number.MAX_SAFE_INTEGER);
});

test('tumbling windows: one window containing the timestamp, aligned to the offset', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1000 }),
      fc.integer({ min: -1e6, max: 1e6 }),
      fc.integer(),
      (size, t, o) => {
        const offset = o % size;
        const [w] = assign(TumblingEventTimeWindows.of(size, offset), null, t) as TimeWindow[];
        assert.ok(w !== undefined && w.start <= t && t < w.end && w.end - w.start === size);
        assert.equal((((w.start - offset) % size) + size) % size, 0);
      },
    ),
  );
  assert.deepEqual(ids(assign(TumblingProcessingTimeWindows.of(10), null, 0, 25)), ['20:30']);
  assert.throws(() => TumblingEventTimeWindows.of(0), /positive integer/);
  assert.throws(() => TumblingEventTimeWindows.of(10, 10), /\|offset\| < size/);
});

test('sliding windows: size/slide windows, latest first, each containing the timestamp', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: -1e5, max: 1e5 }),
      (size, slide, t) => {
        const ws = assign(SlidingEventTimeWindows.of(size, slide), null, t) as TimeWindow[];
        for (const w of ws) assert.ok(w.start <= t && t < w.end && w.start % slide === 0);
        for (let i = 1; i < ws.length; i++) assert.ok(ws[i - 1]!.start > ws[i]!.start);
        // Every slide-aligned window containing t is there.
        let expected = 0;
        for (let s = t - size - slide; s <= t; s++) if (s % slide === 0 && s <= t && t < s + size) expected++;
        assert.equal(ws.length, expected);
      },
    ),
  );
  assert.deepEqual(ids(assign(SlidingEventTimeWindows.of(10, 5), null, 12, 0)), ['10:20', '5:15']);
  assert.deepEqual(ids(assign(SlidingProcessingTimeWindows.of(10, 5), null, 0, 12)), ['10:20', '5:15']);
  assert.throws(() => SlidingEventTimeWindows.of(10, 5, 5), /\|offset\| < slide/);
});

test('session windows merge; global windows hold everything', () => {
  const s = EventTimeSessionWindows.withGap(5);
  assert.ok(isMergingWindowAssigner(s));
  assert.ok(!isMergingWindowAssigner(TumblingEventTimeWindows.of(5)));
  assert.deepEqual(ids(assign(s, null, 3)), ['3:8']);
  assert.deepEqual(ids(assign(ProcessingTimeSessionWindows.withGap(5), null, 0, 100)), ['100:105']);
  const dyn = EventTimeSessionWindows.withDynamicGap<{ gap: number }>((e) => e.gap);
  assert.deepEqual(ids(assign(dyn, { gap: 7 }, 1)), ['1:8']);
  assert.throws(() => assign(dyn, { gap: 0 }, 1), /positive integer/);
  const merges: string[] = [];
  s.mergeWindows([new TimeWindow(0, 5), new TimeWindow(20, 25), new TimeWindow(4, 9)], (m, r) =>
    merges.push(`${ids(m).join('+')}=${r.id}`),
  );
  assert.deepEqual(merges, ['0:5+4:9=0:9']);
  assert.deepEqual(ids(assign(GlobalWindows.create(), null, 0)), ['global']);
  assert.equal(
    GlobalWindows.create()
      .getDefaultTrigger()
      .onElement(null, 0, GlobalWindow.get(), null as never),
    'CONTINUE',
  );
});

test('descriptions are deterministic JSON', () => {
  assert.deepEqual(SlidingEventTimeWindows.of(10, 2, 1).describe(), {
    kind: 'sliding',
    time: 'event',
    size: 10,
    slide: 2,
    offset: 1,
  });
  assert.deepEqual(describeTrigger(PurgingTrigger.of(CountTrigger.of(3))), {
    kind: 'purging',
    nested: { kind: 'count', maxCount: 3 },
  });
  assert.deepEqual(describeTrigger(EventTimeTrigger.create()), { kind: 'event-time' });
  class MyTrigger {
    onElement = () => 'CONTINUE' as const;
    onEventTime = () => 'CONTINUE' as const;
    onProcessingTime = () => 'CONTINUE' as const;
    clear = () => undefined;
  }
  assert.deepEqual(describeTrigger(new MyTrigger()), { kind: 'custom', name: 'MyTrigger' });
});

test('CountEvictor keeps the newest maxCount; TimeEvictor keeps the newest windowSize ms', () => {
  const els = (ts: number[]): TimestampedValue<number>[] => ts.map((t) => ({ value: t, timestamp: t }));
  const e = els([1, 2, 3, 4, 5]);
  assert.deepEqual(
    CountEvictor.of(2)
      .evictBefore(e, 5)
      .map((x) => x.value),
    [4, 5],
  );
  assert.equal(CountEvictor.of(2).evictAfter(e, 5), e);
  assert.deepEqual(
    CountEvictor.of(2, true)
      .evictAfter(e, 5)
      .map((x) => x.value),
    [4, 5],
  );
  assert.equal(CountEvictor.of(9).evictBefore(e, 5), e);
  // max 10, size 3: cutoff 7, keeps > 7.
  assert.deepEqual(
    TimeEvictor.of(3)
      .evictBefore(els([10, 2, 8, 7, 9]))
      .map((x) => x.value),
    [10, 8, 9],
  );
  const noTs = [{ value: 1, timestamp: undefined }];
  assert.equal(TimeEvictor.of(3).evictBefore(noTs), noTs);
});
