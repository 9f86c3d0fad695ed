// The broadcast state pattern in the harness: rules arrive on the broadcast input (1) and are
// applied to events (input 0); broadcast state is writable only on the broadcast side; the keyed
// variant has keyed state, timers and applyToKeyedState.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  StateDescriptors,
  type BroadcastProcessFunction,
  type BroadcastState,
  type Collector,
  type KeyedBroadcastOnTimerContext,
  type KeyedBroadcastProcessContext,
  type KeyedBroadcastProcessReadOnlyContext,
  type KeyedBroadcastProcessFunction,
  type RuntimeContext,
  type ValueState,
} from '@eddy/api';
import { OperatorTestHarness } from '../testing/operator-test-harness.ts';
import type { BroadcastProcessOperator } from './broadcast-process-operator.ts';

const THRESHOLDS = StateDescriptors.map<string, number>('thresholds');
const DESCRIPTORS = [THRESHOLDS] as const;

interface Reading {
  sensor: string;
  value: number;
}
interface Rule {
  sensor: string;
  max: number;
}

test('non-keyed: broadcast elements update the state every event is checked against', async () => {
  const fn: BroadcastProcessFunction<Reading, Rule, string> = {
    processElement(r, ctx, out) {
      const max = ctx.getBroadcastState(THRESHOLDS).get(r.sensor);
      if (max !== undefined && r.value > max) out.collect(`${r.sensor} ${r.value} > ${max}`);
    },
    processBroadcastElement(rule, ctx, out) {
      const state = ctx.getBroadcastState(THRESHOLDS);
      state.put(rule.sensor, rule.max);
      out.collect(`rules=${state.size()} @${ctx.timestamp()}`);
    },
  };
  const h = await OperatorTestHarness.forBroadcastProcessFunction(fn, DESCRIPTORS);
  await h.processElement({ sensor: 't1', value: 50 }, 1);
  await h.processElement2({ sensor: 't1', max: 40 }, 2);
  await h.processElement({ sensor: 't1', value: 50 }, 3);
  await h.processElement({ sensor: 't1', value: 30 }, 4);
  await h.processElement({ sensor: 't2', value: 99 }, 5);
  assert.deepEqual(h.extractOutputRecords(), [
    { value: 'rules=1 @2', timestamp: 2 },
    { value: 't1 50 > 40', timestamp: 3 },
  ]);
  const states = (h.operator as BroadcastProcessOperator).broadcastStates();
  assert.deepEqual([...states.get('thresholds')!.entries()], [['t1', 40]]);
});

test('broadcast state is read-only on the event side, and unknown descriptors are named', async () => {
  const fn: BroadcastProcessFunction<string, string, string> = {
    processElement(v, ctx) {
      const s = ctx.getBroadcastState(v === 'other' ? StateDescriptors.map('other') : THRESHOLDS);
      (s as BroadcastState<string, number>).put('x', 1);
    },
    processBroadcastElement() {},
  };
  const h = await OperatorTestHarness.forBroadcastProcessFunction(fn, DESCRIPTORS);
  await assert.rejects(
    h.processElement('write'),
    /broadcast state 'thresholds' is read-only in processElement \(called put\)/,
  );
  await assert.rejects(h.processElement('other'), /no broadcast state 'other' \(declared: 'thresholds'\)/);
});

test('non-keyed: timers and applyToKeyedState are clear user errors', async () => {
  const fn = {
    processElement(_v: string, ctx: { timerService(): { registerEventTimeTimer(t: number): void } }) {
      ctx.timerService().registerEventTimeTimer(1);
    },
    processBroadcastElement(
      _v: string,
      ctx: { applyToKeyedState(d: unknown, f: (k: unknown, s: unknown) => void): void },
    ) {
      ctx.applyToKeyedState(StateDescriptors.value('v'), () => undefined);
    },
  };
  const h = await OperatorTestHarness.forBroadcastProcessFunction(
    fn as unknown as BroadcastProcessFunction<string, string, string>,
    DESCRIPTORS,
  );
  await assert.rejects(h.processElement('a'), /timers is only supported on keyed streams/);
  await assert.rejects(h.processElement2('b'), /applyToKeyedState needs a keyed first input/);
});

const COUNT = StateDescriptors.value<number>('count');

/**
 * Counts readings above the sensor's threshold per sensor; reports the count one ms after each
 * reading (timer); a rule with max < 0 resets every sensor's count (applyToKeyedState).
 */
class Alerts implements KeyedBroadcastProcessFunction<string, Reading, Rule, string> {
  #count!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.#count = ctx.getState(COUNT);
  }
  processElement(r: Reading, ctx: KeyedBroadcastProcessReadOnlyContext<string>): void {
    const max = ctx.getBroadcastState(THRESHOLDS).get(r.sensor) ?? Infinity;
    if (r.value > max) this.#count.update((this.#count.value() ?? 0) + 1);
    ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 1);
  }
  processBroadcastElement(
    rule: Rule,
    ctx: KeyedBroadcastProcessContext<string>,
    out: Collector<string>,
  ): void {
    if (rule.max >= 0) {
      ctx.getBroadcastState(THRESHOLDS).put(rule.sensor, rule.max);
      return;
    }
    ctx.applyToKeyedState(COUNT, (key, state) => {
      out.collect(`reset ${key} from ${state.value()}`);
      state.clear();
    });
  }
  onTimer(time: number, ctx: KeyedBroadcastOnTimerContext<string>, out: Collector<string>): void {
    const rules = ctx.getBroadcastState(THRESHOLDS).size();
    out.collect(`${ctx.getCurrentKey()}@${time}=${this.#count.value() ?? 0} (${rules} rules)`);
  }
}

test('keyed: keyed state and timers on the event side, applyToKeyedState on the broadcast side', async () => {
  const h = await OperatorTestHarness.forKeyedBroadcastProcessFunction(
    new Alerts(),
    (r: Reading) => r.sensor,
    DESCRIPTORS,
  );
  await h.processElement2({ sensor: 'a', max: 10 }, 0);
  await h.processElement2({ sensor: 'b', max: 20 }, 0);
  await h.processElement({ sensor: 'a', value: 11 }, 1);
  await h.processElement({ sensor: 'a', value: 12 }, 2);
  await h.processElement({ sensor: 'b', value: 5 }, 3);
  await h.processElement({ sensor: 'b', value: 25 }, 4);
  await h.processWatermark(3);
  assert.deepEqual(h.extractOutputValues(), ['a@2=2 (2 rules)', 'a@3=2 (2 rules)']);
  h.clearOutput();
  await h.processElement2({ sensor: '*', max: -1 }, 5);
  assert.deepEqual(h.extractOutputValues().sort(), ['reset a from 2', 'reset b from 1']);
  assert.equal(h.keyedBackend?.numEntries(), 0);
  h.clearOutput();
  await h.processWatermark(10);
  assert.deepEqual(h.extractOutputValues(), ['b@4=0 (2 rules)', 'b@5=0 (2 rules)']);
});

test('broadcast state is checkpointed and every subtask restores it, at another parallelism', async () => {
  const fn: BroadcastProcessFunction<Reading, Rule, string> = {
    processElement(r, ctx, out) {
      const max = ctx.getBroadcastState(THRESHOLDS).get(r.sensor);
      if (max !== undefined && r.value > max) out.collect(`${r.sensor} ${r.value} > ${max}`);
    },
    processBroadcastElement(rule, ctx) {
      ctx.getBroadcastState(THRESHOLDS).put(rule.sensor, rule.max);
    },
  };
  const h = await OperatorTestHarness.forBroadcastProcessFunction(fn, DESCRIPTORS);
  await h.processElement2({ sensor: 't1', max: 40 }, 1);
  const snapshot = await h.snapshot(7);
  await h.processElement2({ sensor: 't1', max: 1000 }, 2); // after the checkpoint: not in it
  for (const subtask of [0, 1, 2]) {
    const restored = await OperatorTestHarness.forBroadcastProcessFunction(fn, DESCRIPTORS, {
      restoreFrom: [snapshot],
      parallelism: 3,
      subtaskIndex: subtask,
    });
    await restored.processElement({ sensor: 't1', value: 50 }, 3);
    assert.deepEqual(restored.extractOutputValues(), ['t1 50 > 40'], `subtask ${subtask}`);
  }
});
