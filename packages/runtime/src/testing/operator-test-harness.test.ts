// Process functions through the harness: keyed state, event- and processing-time timers (deduplicated),
// side outputs, timestamps, and watermark forwarding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  OutputTag,
  StateDescriptors,
  type Collector,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type OnTimerContext,
  type RuntimeContext,
  type ValueState,
} from '@eddy/api';
import { OperatorTestHarness } from './operator-test-harness.ts';

interface Event {
  user: string;
  amount: number;
}

const LARGE = new OutputTag<Event>('large');

/** Sums per user (state spans timers); emits and clears the sum at the next 10 ms boundary; large amounts go aside. */
class DelayedSum implements KeyedProcessFunction<string, Event, string> {
  #sum!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.#sum = ctx.getState(StateDescriptors.value<number>('sum', 0));
  }
  processElement(e: Event, ctx: KeyedProcessContext<string>, _out: Collector<string>): void {
    if (e.amount > 100) ctx.output(LARGE, e);
    this.#sum.update((this.#sum.value() ?? 0) + e.amount);
    ctx.timerService().registerEventTimeTimer(Math.floor(ctx.timestamp()! / 10) * 10 + 10);
    ctx.timerService().registerProcessingTimeTimer(1000);
  }
  onTimer(time: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    out.collect(`${ctx.timeDomain()} ${ctx.getCurrentKey()}@${time}=${this.#sum.value()}`);
    if (ctx.timeDomain() === 'event-time') this.#sum.clear();
  }
}

test('keyed state, deduplicated event-time timers, side outputs and watermarks', async () => {
  const h = await OperatorTestHarness.forKeyedProcessFunction(new DelayedSum(), (e: Event) => e.user);
  await h.processElement({ user: 'a', amount: 1 }, 1);
  await h.processElement({ user: 'a', amount: 2 }, 5);
  await h.processElement({ user: 'b', amount: 500 }, 7);
  await h.processElement({ user: 'a', amount: 4 }, 12);
  assert.deepEqual(h.extractOutputValues(), []);
  await h.processWatermark(9);
  assert.deepEqual(h.extractOutputValues(), []);
  await h.processWatermark(10);
  // One timer per (key, time) although 'a' registered 10 twice; output carries the timer's time.
  assert.deepEqual(h.extractOutputRecords(), [
    { value: 'event-time a@10=7', timestamp: 10 },
    { value: 'event-time b@10=500', timestamp: 10 },
  ]);
  assert.deepEqual(h.extractWatermarks(), [9, 10]);
  assert.deepEqual(h.getSideOutput(LARGE), [{ value: { user: 'b', amount: 500 }, timestamp: 7 }]);
  h.clearOutput();
  await h.setProcessingTime(1000);
  assert.deepEqual(h.extractOutputValues().sort(), ['processing-time a@1000=0', 'processing-time b@1000=0']);
  await h.processWatermark(Number.MAX_SAFE_INTEGER);
  assert.ok(h.extractOutputValues().includes('event-time a@20=0'));
});

test('timers on a non-keyed stream are a clear user error', async () => {
  const h = await OperatorTestHarness.forProcessFunction({
    processElement(_v: number, ctx) {
      ctx.timerService().registerEventTimeTimer(5);
    },
  });
  await assert.rejects(h.processElement(1, 1), /only supported on keyed streams/);
});
