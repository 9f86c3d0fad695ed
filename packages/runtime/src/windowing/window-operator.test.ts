// The WindowOperator in the operator test harness: each assigner kind, each trigger, evictors,
// allowed lateness with late firings and the late side output, merging sessions with state, and the
// sliced path against the general (per-window) path on random input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ContinuousEventTimeTrigger,
  ContinuousProcessingTimeTrigger,
  CountEvictor,
  CountTrigger,
  EventTimeSessionWindows,
  EventTimeTrigger,
  GlobalWindows,
  MAX_WATERMARK,
  OutputTag,
  ProcessingTimeSessionWindows,
  PurgingTrigger,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  StateDescriptors,
  TimeEvictor,
  TimeWindow,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  type AggregateFunction,
  type Collector,
  type Evictor,
  type ProcessAllWindowFunction,
  type ProcessWindowFunction,
  type ProcessWindowFunctionContext,
  type Trigger,
  type TriggerContext,
  type TriggerResult,
  type Window,
  type WindowAssigner,
  type WindowFunctionSpec,
} from '@eddy/api';
import { OperatorTestHarness } from '../testing/operator-test-harness.ts';
import { WindowOperator } from './window-operator.ts';

interface Ev {
  key: string;
  v: number;
}
const byKey = (e: unknown): unknown => (e as Ev).key;
const sum = (a: unknown, b: unknown): unknown => ({ key: (a as Ev).key, v: (a as Ev).v + (b as Ev).v });

interface Options {
  assigner: WindowAssigner<unknown, Window>;
  fn: WindowFunctionSpec;
  trigger?: Trigger<unknown, Window>;
  evictor?: Evictor<unknown, Window>;
  lateness?: number;
  lateTag?: OutputTag<unknown>;
  keyed?: boolean;
}

async function harness(o: Options): Promise<{ h: OperatorTestHarness; op: WindowOperator }> {
  const op = new WindowOperator({
    assigner: o.assigner,
    trigger: o.trigger ?? o.assigner.getDefaultTrigger(),
    defaultTrigger: o.trigger === undefined,
    evictor: o.evictor,
    allowedLateness: o.lateness ?? 0,
    lateDataTag: o.lateTag,
    function: o.fn,
    keyed: o.keyed ?? true,
  });
  const key = o.keyed === false ? () => 0 : byKey;
  const h = new OperatorTestHarness(op, { keySelectors: [key] });
  await h.open();
  return { h, op };
}

/** A process function printing key, window, elements and the time of the firing. */
const describeWindow: ProcessWindowFunction<unknown, string, unknown, Window> = {
  process(key, ctx, elements, out) {
    const w = ctx.window();
    const bounds = w instanceof TimeWindow ? `[${w.start},${w.end})` : 'global';
    out.collect(`${String(key)}${bounds}:${elements.map((e) => (e as Ev).v).join('+')}`);
  },
};

const reduce = (process?: ProcessWindowFunction<unknown, unknown, unknown, Window>): WindowFunctionSpec => ({
  kind: 'reduce',
  reduce: sum,
  process,
});
const processAll: WindowFunctionSpec = { kind: 'process', process: describeWindow };

/** Sum and count of v. */
const sumCount: AggregateFunction<unknown, { s: number; c: number }, string> = {
  createAccumulator: () => ({ s: 0, c: 0 }),
  add: (v, a) => ({ s: a.s + (v as Ev).v, c: a.c + 1 }),
  getResult: (a) => `${a.s}/${a.c}`,
  merge: (a, b) => ({ s: a.s + b.s, c: a.c + b.c }),
};

test('tumbling event time: fires at end - 1 with timestamp maxTimestamp; sliced', async () => {
  const { h, op } = await harness({ assigner: TumblingEventTimeWindows.of(10), fn: reduce() });
  assert.equal(op.sliced, true);
  await h.processElement({ key: 'a', v: 1 }, 0);
  await h.processElement({ key: 'a', v: 2 }, 9);
  await h.processElement({ key: 'b', v: 5 }, 3);
  await h.processElement({ key: 'a', v: 4 }, 10);
  await h.processWatermark(8);
  assert.deepEqual(h.extractOutputRecords(), []);
  await h.processWatermark(9);
  assert.deepEqual(
    h.extractOutputRecords().sort((x, y) => String((x.value as Ev).key).localeCompare((y.value as Ev).key)),
    [
      { value: { key: 'a', v: 3 }, timestamp: 9 },
      { value: { key: 'b', v: 5 }, timestamp: 9 },
    ],
  );
  await h.processWatermark(MAX_WATERMARK);
  assert.deepEqual(h.extractOutputValues().slice(2), [{ key: 'a', v: 4 }]);
  assert.equal(h.keyedBackend?.numEntries(), 0, 'all window state is cleaned up');
  assert.deepEqual(h.extractWatermarks(), [8, 9, MAX_WATERMARK]);
});

test('sliding event time with aggregate + process: every window of a record, window bounds', async () => {
  const { h, op } = await harness({
    assigner: SlidingEventTimeWindows.of(10, 5),
    fn: {
      kind: 'aggregate',
      aggregate: sumCount,
      process: {
        process(key, ctx, elements, out) {
          const w = ctx.window() as TimeWindow;
          out.collect(`${String(key)}[${w.start},${w.end})=${String(elements[0])}`);
        },
      },
    },
  });
  assert.equal(op.sliced, true);
  await h.processElement({ key: 'a', v: 1 }, 3);
  await h.processElement({ key: 'a', v: 2 }, 7);
  await h.processWatermark(MAX_WATERMARK);
  assert.deepEqual(h.extractOutputRecords(), [
    { value: 'a[-5,5)=1/1', timestamp: 4 },
    { value: 'a[0,10)=3/2', timestamp: 9 },
    { value: 'a[5,15)=2/1', timestamp: 14 },
  ]);
});

test('allowed lateness: late firings per late element, cleanup after lateness, late side output', async () => {
  const late = new OutputTag<unknown>('late');
  for (const sliced of [true, false]) {
    const { h, op } = await harness({
      assigner: TumblingEventTimeWindows.of(10),
      fn: reduce(),
      lateness: 5,
      lateTag: late,
      // The explicit (non-default) trigger forces the general per-window path.
      ...(sliced ? {} : { trigger: EventTimeTrigger.create() }),
    });
    assert.equal(op.sliced, sliced);
    await h.processElement({ key: 'a', v: 1 }, 5);
    await h.processWatermark(9);
    assert.deepEqual(h.extractOutputValues(), [{ key: 'a', v: 1 }]);
    // Within lateness: each late element fires the window again with everything in it.
    await h.processElement({ key: 'a', v: 2 }, 1);
    await h.processWatermark(13);
    await h.processElement({ key: 'a', v: 4 }, 9);
    assert.deepEqual(h.extractOutputValues(), [
      { key: 'a', v: 1 },
      { key: 'a', v: 3 },
      { key: 'a', v: 7 },
    ]);
    // Cleanup at maxTimestamp + lateness = 14: the window is gone, its elements are late.
    await h.processWatermark(14);
    await h.processElement({ key: 'a', v: 8 }, 2);
    assert.equal(h.extractOutputValues().length, 3);
    assert.deepEqual(h.getSideOutput(late), [{ value: { key: 'a', v: 8 }, timestamp: 2 }]);
    // A record of a later window still counts, late or not.
    await h.processElement({ key: 'a', v: 16 }, 12);
    await h.processWatermark(MAX_WATERMARK);
    assert.deepEqual(h.extractOutputValues().at(-1), { key: 'a', v: 16 });
    assert.equal(h.keyedBackend?.numEntries(), 0);
  }
});

test('late records without a side output are counted and dropped', async () => {
  const { h, op } = await harness({ assigner: TumblingEventTimeWindows.of(10), fn: reduce() });
  await h.processWatermark(20);
  await h.processElement({ key: 'a', v: 1 }, 5);
  assert.equal(op.numLateRecordsDropped, 1);
  assert.deepEqual(h.extractOutputValues(), []);
});

test('records without timestamps in event-time windows fail with a clear error', async () => {
  const { h } = await harness({ assigner: TumblingEventTimeWindows.of(10), fn: reduce() });
  await assert.rejects(
    h.processElement({ key: 'a', v: 1 }),
    /without a timestamp.*assignTimestampsAndWatermarks/,
  );
});

test('session windows merge, with merged contents and merged trigger state', async () => {
  const { h, op } = await harness({ assigner: EventTimeSessionWindows.withGap(10), fn: processAll });
  assert.equal(op.sliced, false);
  await h.processElement({ key: 'a', v: 1 }, 0); // [0,10)
  await h.processElement({ key: 'a', v: 2 }, 30); // [30,40)
  await h.processElement({ key: 'b', v: 7 }, 5); // b: [5,15)
  await h.processElement({ key: 'a', v: 3 }, 15); // [15,25): apart from both
  await h.processElement({ key: 'a', v: 4 }, 8); // [8,18): bridges [0,10) and [15,25) -> [0,25)
  await h.processWatermark(24);
  assert.deepEqual(h.extractOutputValues().sort(), ['a[0,25):1+3+4', 'b[5,15):7']);
  await h.processElement({ key: 'a', v: 5 }, 39); // extends [30,40) to [30,49)
  await h.processWatermark(40);
  assert.equal(h.extractOutputValues().length, 2, 'the merged window [30,49) has not ended');
  await h.processWatermark(48);
  assert.deepEqual(h.extractOutputValues().slice(2), ['a[30,49):2+5']);
  await h.processWatermark(MAX_WATERMARK);
  assert.equal(h.keyedBackend?.numEntries(), 0, 'windows, merging sets and trigger state are gone');
});

test('session windows with CountTrigger merge the count state (onMerge)', async () => {
  const { h } = await harness({
    assigner: EventTimeSessionWindows.withGap(10),
    trigger: CountTrigger.of(3),
    fn: processAll,
  });
  await h.processElement({ key: 'a', v: 1 }, 0);
  await h.processElement({ key: 'a', v: 2 }, 20);
  await h.processElement({ key: 'a', v: 3 }, 10); // merges both: count 1 + 1 + 1 = 3 -> fires
  assert.deepEqual(h.extractOutputValues(), ['a[0,30):1+2+3']);
});

test('processing-time session windows', async () => {
  const { h } = await harness({ assigner: ProcessingTimeSessionWindows.withGap(10), fn: processAll });
  await h.setProcessingTime(100);
  await h.processElement({ key: 'a', v: 1 });
  await h.setProcessingTime(105);
  await h.processElement({ key: 'a', v: 2 });
  await h.setProcessingTime(113);
  assert.deepEqual(h.extractOutputValues(), []);
  await h.setProcessingTime(114);
  assert.deepEqual(h.extractOutputValues(), ['a[100,115):1+2']);
});

test('processing-time tumbling and sliding windows fire on the clock', async () => {
  const { h, op } = await harness({ assigner: TumblingProcessingTimeWindows.of(10), fn: reduce() });
  assert.equal(op.sliced, true);
  await h.setProcessingTime(3);
  await h.processElement({ key: 'a', v: 1 }, 1000);
  await h.processElement({ key: 'a', v: 2 });
  await h.setProcessingTime(9);
  assert.deepEqual(h.extractOutputRecords(), [{ value: { key: 'a', v: 3 }, timestamp: 9 }]);
  // Watermarks mean nothing to processing-time windows, and nothing is ever late.
  await h.processWatermark(MAX_WATERMARK);
  await h.processElement({ key: 'a', v: 4 });
  await h.setProcessingTime(19);
  assert.deepEqual(h.extractOutputValues().at(-1), { key: 'a', v: 4 });

  const s = await harness({ assigner: SlidingProcessingTimeWindows.of(10, 5), fn: processAll });
  await s.h.setProcessingTime(7);
  await s.h.processElement({ key: 'a', v: 1 });
  await s.h.setProcessingTime(20);
  assert.deepEqual(s.h.extractOutputValues(), ['a[0,10):1', 'a[5,15):1']);
});

test('count windows: countWindow(n) purges, countWindow(size, slide) evicts', async () => {
  const tumbling = await harness({
    assigner: GlobalWindows.create(),
    trigger: PurgingTrigger.of(CountTrigger.of(3)),
    fn: processAll,
  });
  for (let v = 1; v <= 7; v++) await tumbling.h.processElement({ key: 'a', v });
  assert.deepEqual(tumbling.h.extractOutputValues(), ['aglobal:1+2+3', 'aglobal:4+5+6']);

  const sliding = await harness({
    assigner: GlobalWindows.create(),
    trigger: CountTrigger.of(2),
    evictor: CountEvictor.of(3),
    fn: reduce(),
  });
  for (let v = 1; v <= 6; v++) await sliding.h.processElement({ key: 'a', v: 10 ** (v - 1) });
  // Every 2 elements, the sum of the last 3.
  assert.deepEqual(
    sliding.h.extractOutputValues().map((e) => (e as Ev).v),
    [11, 1110, 111000],
  );
  // Global windows never end: end of input fires nothing more, and the window keeps its elements.
  await sliding.h.processWatermark(MAX_WATERMARK);
  assert.equal(sliding.h.extractOutputValues().length, 3);
});

test('TimeEvictor keeps the last windowSize ms before evaluation', async () => {
  const { h } = await harness({
    assigner: TumblingEventTimeWindows.of(100),
    evictor: TimeEvictor.of(10),
    fn: processAll,
  });
  for (const t of [1, 50, 85, 90, 95]) await h.processElement({ key: 'a', v: t }, t);
  await h.processWatermark(99);
  assert.deepEqual(h.extractOutputValues(), ['a[0,100):90+95']);
});

test('ContinuousEventTimeTrigger fires early every interval and at the end', async () => {
  const { h } = await harness({
    assigner: TumblingEventTimeWindows.of(100),
    trigger: ContinuousEventTimeTrigger.of(30),
    fn: reduce(),
  });
  await h.processElement({ key: 'a', v: 1 }, 5);
  await h.processWatermark(29);
  assert.deepEqual(h.extractOutputValues(), []);
  await h.processWatermark(30);
  await h.processElement({ key: 'a', v: 2 }, 40);
  await h.processWatermark(60);
  await h.processWatermark(99);
  assert.deepEqual(
    h.extractOutputValues().map((e) => (e as Ev).v),
    [1, 3, 3, 3],
  );
  await h.processWatermark(MAX_WATERMARK);
  assert.equal(h.keyedBackend?.numEntries(), 0);
});

test('ContinuousProcessingTimeTrigger fires every interval of processing time', async () => {
  const { h } = await harness({
    assigner: GlobalWindows.create(),
    trigger: ContinuousProcessingTimeTrigger.of(10),
    fn: reduce(),
  });
  await h.setProcessingTime(3);
  await h.processElement({ key: 'a', v: 1 });
  await h.setProcessingTime(10);
  await h.processElement({ key: 'a', v: 2 });
  await h.setProcessingTime(20);
  assert.deepEqual(
    h.extractOutputValues().map((e) => (e as Ev).v),
    [1, 3],
  );
});

test('a custom trigger with timers and partitioned state', async () => {
  const SEEN = StateDescriptors.value<number>('seen');
  /** Fires on every second element, and 5 ms of event time after the first. */
  const custom: Trigger<unknown, Window> = {
    onElement(_e, t, _w, ctx: TriggerContext): TriggerResult {
      const s = ctx.getState(SEEN);
      const n = (s.value() ?? 0) + 1;
      s.update(n);
      if (n === 1) ctx.registerEventTimeTimer(t + 5);
      return n % 2 === 0 ? 'FIRE' : 'CONTINUE';
    },
    onEventTime: () => 'FIRE_AND_PURGE',
    onProcessingTime: () => 'CONTINUE',
    clear(_w, ctx) {
      ctx.getState(SEEN).clear();
    },
  };
  const { h } = await harness({
    assigner: TumblingEventTimeWindows.of(100),
    trigger: custom,
    fn: processAll,
  });
  await h.processElement({ key: 'a', v: 1 }, 10);
  await h.processElement({ key: 'a', v: 2 }, 11);
  await h.processElement({ key: 'a', v: 3 }, 12);
  await h.processWatermark(15);
  await h.processElement({ key: 'a', v: 4 }, 16);
  await h.processWatermark(MAX_WATERMARK);
  // The purge at 15 dropped the contents, not the trigger's count: the 4th element fires, and the
  // cleanup timer at maxTimestamp (99) reaches onEventTime too, which fires again (as in Flink).
  assert.deepEqual(h.extractOutputValues(), ['a[0,100):1+2', 'a[0,100):1+2+3', 'a[0,100):4', 'a[0,100):4']);
  assert.equal(h.keyedBackend?.numEntries(), 0, 'cleanup cleared the trigger state');
});

test('process window function: window state, global state, clear, side outputs', async () => {
  const FIRINGS = StateDescriptors.value<number>('firings');
  const TOTAL = StateDescriptors.value<number>('total');
  const side = new OutputTag<string>('side');
  const cleared: string[] = [];
  const fn: ProcessWindowFunction<unknown, string, unknown, Window> = {
    process(key, ctx: ProcessWindowFunctionContext<Window>, elements, out: Collector<string>) {
      const firings = ctx.windowState().getState(FIRINGS);
      firings.update((firings.value() ?? 0) + 1);
      const total = ctx.globalState().getState(TOTAL);
      total.update((total.value() ?? 0) + elements.length);
      out.collect(
        `${String(key)} firing ${firings.value()} total ${total.value()} wm ${ctx.currentWatermark()}`,
      );
      ctx.output(side, `side ${(ctx.window() as TimeWindow).start}`);
    },
    clear(ctx) {
      cleared.push((ctx.window() as TimeWindow).id);
      ctx.windowState().getState(FIRINGS).clear();
    },
  };
  const { h } = await harness({
    assigner: TumblingEventTimeWindows.of(10),
    fn: { kind: 'process', process: fn },
    lateness: 10,
  });
  await h.processElement({ key: 'a', v: 1 }, 1);
  await h.processWatermark(9);
  await h.processElement({ key: 'a', v: 2 }, 2); // late firing
  await h.processElement({ key: 'a', v: 3 }, 12);
  await h.processWatermark(MAX_WATERMARK);
  assert.deepEqual(h.extractOutputRecords(), [
    { value: 'a firing 1 total 1 wm 9', timestamp: 9 },
    { value: 'a firing 2 total 3 wm 9', timestamp: 9 },
    { value: `a firing 1 total 4 wm ${MAX_WATERMARK}`, timestamp: 19 },
  ]);
  assert.deepEqual(h.getSideOutput(side), [
    { value: 'side 0', timestamp: 9 },
    { value: 'side 0', timestamp: 9 },
    { value: 'side 10', timestamp: 19 },
  ]);
  assert.deepEqual(cleared, ['0:10', '10:20']);
});

test('windowAll: a ProcessAllWindowFunction sees every record in one window', async () => {
  const { h } = await harness({
    assigner: TumblingEventTimeWindows.of(10),
    keyed: false,
    fn: {
      kind: 'process',
      process: {
        process(ctx, elements, out) {
          out.collect(`${(ctx.window() as TimeWindow).id}:${elements.length}`);
        },
      } satisfies ProcessAllWindowFunction<unknown, string, Window>,
    },
  });
  await h.processElement({ key: 'a', v: 1 }, 1);
  await h.processElement({ key: 'b', v: 1 }, 2);
  await h.processWatermark(MAX_WATERMARK);
  assert.deepEqual(h.extractOutputValues(), ['0:10:2']);
});

test('the sliced path emits exactly what the per-window path emits (random input)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        slide: fc.integer({ min: 1, max: 8 }),
        factor: fc.integer({ min: 1, max: 4 }),
        odd: fc.boolean(),
        lateness: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 })),
        withProcess: fc.boolean(),
      }),
      fc.array(
        fc.oneof(
          fc.record({
            key: fc.constantFrom('a', 'b', 'c'),
            t: fc.integer({ min: 0, max: 120 }),
            v: fc.integer({ min: 1, max: 9 }),
          }),
          fc.integer({ min: 0, max: 120 }),
        ),
        { maxLength: 60 },
      ),
      async (p, steps) => {
        const size = p.odd ? p.slide * p.factor + 1 : p.slide * p.factor;
        const late = new OutputTag<unknown>('late');
        const run = async (sliced: boolean): Promise<string[]> => {
          const { h, op } = await harness({
            assigner: SlidingEventTimeWindows.of(size, p.slide),
            fn: {
              kind: 'aggregate',
              aggregate: sumCount,
              process: p.withProcess ? describeWindowResult : undefined,
            },
            lateness: p.lateness,
            lateTag: late,
            ...(sliced ? {} : { trigger: EventTimeTrigger.create() }),
          });
          assert.equal(op.sliced, sliced);
          const out: string[] = [];
          let wm = -1;
          let i = 0;
          const drain = (): void => {
            for (const r of h.extractOutputRecords()) out.push(`${i}|${String(r.value)}@${r.timestamp}`);
            for (const r of h.getSideOutput(late)) out.push(`${i}|late ${JSON.stringify(r)}`);
            h.clearOutput();
          };
          for (const s of steps) {
            i++;
            if (typeof s === 'number') {
              wm = Math.max(wm, s);
              await h.processWatermark(wm);
            } else {
              await h.processElement({ key: s.key, v: s.v }, s.t);
            }
            drain();
          }
          await h.processWatermark(MAX_WATERMARK);
          i++;
          drain();
          assert.equal(h.keyedBackend?.numEntries(), 0);
          return out.sort();
        };
        assert.deepEqual(await run(true), await run(false));
      },
    ),
    { numRuns: 300 },
  );
});

const describeWindowResult: ProcessWindowFunction<unknown, string, unknown, Window> = {
  process(key, ctx, elements, out) {
    out.collect(`${String(key)}${(ctx.window() as TimeWindow).id}=${String(elements[0])}`);
  },
};
