// Connected-stream operators in the harness: CoMap/CoFlatMap per input, CoProcessFunction with
// timestamps and side outputs (timers refused when not keyed), and KeyedCoProcessFunction with keyed
// state shared between the inputs and per-key timers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  OutputTag,
  StateDescriptors,
  type CoProcessFunction,
  type Collector,
  type KeyedProcessContext,
  type OnTimerContext,
  type KeyedCoProcessFunction,
  type RuntimeContext,
  type ValueState,
} from '@eddy/api';
import { OperatorTestHarness } from '../testing/operator-test-harness.ts';
import { CoFlatMapOperator, CoMapOperator } from './co-map-operators.ts';

test('CoMap applies map1 to input 0 and map2 to input 1, keeping timestamps', async () => {
  const h = await OperatorTestHarness.forTwoInputOperator(
    new CoMapOperator({ map1: (n: number) => `n${n}`, map2: (s: string) => s.toUpperCase() }),
  );
  await h.processElement(1, 5);
  await h.processElement2('x', 6);
  await h.processBatch([2, 3], [7, 8], 0);
  assert.deepEqual(h.extractOutputRecords(), [
    { value: 'n1', timestamp: 5 },
    { value: 'X', timestamp: 6 },
    { value: 'n2', timestamp: 7 },
    { value: 'n3', timestamp: 8 },
  ]);
});

test('CoFlatMap on keyed inputs sees keyed state shared by both inputs', async () => {
  const count = StateDescriptors.value<number>('count', 0);
  let state!: ValueState<number>;
  const fn = {
    open(ctx: RuntimeContext) {
      state = ctx.getState(count);
    },
    flatMap1(v: { k: string }, out: { collect(x: string): void }) {
      state.update((state.value() ?? 0) + 1);
      out.collect(`1:${v.k}=${state.value()}`);
    },
    flatMap2(v: [string, number], out: { collect(x: string): void }) {
      for (let i = 0; i < v[1]; i++) out.collect(`2:${v[0]}=${state.value()}`);
    },
  };
  const h = await OperatorTestHarness.forTwoInputOperator(new CoFlatMapOperator(fn), {
    keySelectors: [(v) => (v as { k: string }).k, (v) => (v as [string, number])[0]],
  });
  await h.processElement({ k: 'a' }, 1);
  await h.processElement({ k: 'a' }, 2);
  await h.processElement({ k: 'b' }, 3);
  await h.processElement2(['a', 2], 4);
  await h.processElement2(['c', 1]);
  assert.deepEqual(h.extractOutputRecords(), [
    { value: '1:a=1', timestamp: 1 },
    { value: '1:a=2', timestamp: 2 },
    { value: '1:b=1', timestamp: 3 },
    { value: '2:a=2', timestamp: 4 },
    { value: '2:a=2', timestamp: 4 },
    { value: '2:c=0', timestamp: undefined },
  ]);
});

const ODD = new OutputTag<number>('odd');

test('CoProcessFunction: per-input methods, timestamps, side outputs; timers need keys', async () => {
  const fn: CoProcessFunction<number, string, string> = {
    processElement1(v, ctx, out) {
      if (v % 2 === 1) ctx.output(ODD, v);
      else out.collect(`even ${v} @${ctx.timestamp()}`);
    },
    processElement2(v, ctx, out) {
      if (v === 'timer') ctx.timerService().registerEventTimeTimer(100);
      out.collect(`str ${v} wm=${ctx.timerService().currentWatermark()}`);
    },
  };
  const h = await OperatorTestHarness.forCoProcessFunction(fn);
  await h.processElement(2, 10);
  await h.processElement(3, 11);
  await h.processWatermark(5);
  await h.processElement2('s', 12);
  assert.deepEqual(h.extractOutputRecords(), [
    { value: 'even 2 @10', timestamp: 10 },
    { value: 'str s wm=5', timestamp: 12 },
  ]);
  assert.deepEqual(h.getSideOutput(ODD), [{ value: 3, timestamp: 11 }]);
  await assert.rejects(
    h.processElement2('timer', 13),
    /only supported on keyed streams.*keyBy\(key1, key2\)/,
  );
});

interface Order {
  id: string;
  item: string;
}
interface Shipment {
  orderId: string;
}

/** Matches orders with shipments in either order; an order unshipped by its deadline is reported. */
class MatchOrders implements KeyedCoProcessFunction<string, Order, Shipment, string> {
  #order!: ValueState<Order>;
  #shipped!: ValueState<boolean>;
  open(ctx: RuntimeContext): void {
    this.#order = ctx.getState(StateDescriptors.value<Order>('order'));
    this.#shipped = ctx.getState(StateDescriptors.value<boolean>('shipped'));
  }
  processElement1(o: Order, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    if (this.#shipped.value() === true) {
      out.collect(`${ctx.getCurrentKey()} shipped ${o.item}`);
      this.#shipped.clear();
      return;
    }
    this.#order.update(o);
    ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 10);
  }
  processElement2(s: Shipment, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const o = this.#order.value();
    if (o === undefined) {
      this.#shipped.update(true);
      return;
    }
    out.collect(`${ctx.getCurrentKey()} shipped ${o.item}`);
    this.#order.clear();
    assert.equal(s.orderId, o.id);
  }
  onTimer(time: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    const o = this.#order.value();
    if (o !== undefined)
      out.collect(`${ctx.getCurrentKey()} late ${o.item} at ${time} (${ctx.timeDomain()})`);
    this.#order.clear();
  }
}

test('KeyedCoProcessFunction: keyed state shared across inputs, per-key timers', async () => {
  const h = await OperatorTestHarness.forKeyedCoProcessFunction(
    new MatchOrders(),
    (o: Order) => o.id,
    (s: Shipment) => s.orderId,
  );
  await h.processElement({ id: 'o1', item: 'book' }, 1);
  await h.processElement2({ orderId: 'o2' }, 2);
  await h.processElement({ id: 'o2', item: 'pen' }, 3);
  await h.processElement({ id: 'o3', item: 'cup' }, 4);
  await h.processElement2({ orderId: 'o1' }, 5);
  await h.processWatermark(20);
  assert.deepEqual(h.extractOutputRecords(), [
    { value: 'o2 shipped pen', timestamp: 3 },
    { value: 'o1 shipped book', timestamp: 5 },
    // o1's timer fires too but finds no order; o3's reports it, stamped with the timer's time.
    { value: 'o3 late cup at 14 (event-time)', timestamp: 14 },
  ]);
  assert.equal(h.keyedBackend?.numEntries(), 0);
});
