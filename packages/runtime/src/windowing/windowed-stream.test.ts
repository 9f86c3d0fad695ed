// The DataStream window API end to end up to the operator: KeyedStream.window / countWindow and
// DataStream.windowAll / countWindowAll build a 'window' transformation whose spec the operator
// factory turns into a WindowOperator; the job graph carries a deterministic description.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CountEvictor,
  EventTimeSessionWindows,
  MAX_WATERMARK,
  OutputTag,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  generateJobGraph,
  type AggregateFunction,
  type OneInputTransformation,
  type Trigger,
  type TimeWindow,
  type Window,
} from '@eddy/api';
import { ONE_INPUT_OPERATORS } from '../operators/operator-factories.ts';
import { OperatorTestHarness } from '../testing/operator-test-harness.ts';
import { WindowOperator } from './window-operator.ts';

type Rec = [string, number];

function windowTransformation(env: StreamExecutionEnvironment): OneInputTransformation {
  const t = env.getTransformations().find((x) => x.type === 'one-input' && x.kind === 'window');
  assert.ok(t !== undefined && t.type === 'one-input');
  return t;
}

/** Opens the operator the factory makes for the job's window transformation. */
async function harnessFor(env: StreamExecutionEnvironment): Promise<OperatorTestHarness> {
  const t = windowTransformation(env);
  const op = ONE_INPUT_OPERATORS.window!(t, { graph: generateJobGraph(env).graph });
  assert.ok(op instanceof WindowOperator);
  const key = t.keyedBy?.keySelector;
  assert.ok(key !== undefined, 'window transformations are keyed (windowAll by a constant)');
  const h = new OperatorTestHarness(op, { keySelectors: [key] });
  await h.open();
  return h;
}

const count: AggregateFunction<Rec, number, number> = {
  createAccumulator: () => 0,
  add: (_v, a) => a + 1,
  getResult: (a) => a,
  merge: (a, b) => a + b,
};

test('keyBy().window().aggregate(agg, process) builds a window operator with the spec', async () => {
  const env = new StreamExecutionEnvironment(2);
  const late = new OutputTag<Rec>('late');
  const out = env
    .fromElements<Rec>(['a', 1])
    .keyBy((r) => r[0])
    .window(SlidingEventTimeWindows.of(10, 5))
    .allowedLateness(3)
    .sideOutputLateData(late)
    .aggregate(count, {
      process(key, ctx, elements, o) {
        const w: TimeWindow = ctx.window();
        o.collect(`${key}:${w.start}-${w.end}:${elements[0]}`);
      },
    });
  out.getSideOutput(late).print();
  out.print();
  const t = windowTransformation(env);
  assert.equal(t.name, 'Window (sliding event, aggregate + process)');
  assert.deepEqual(t.config, {
    assigner: { kind: 'sliding', time: 'event', size: 10, slide: 5, offset: 0 },
    trigger: 'default',
    evictor: null,
    allowedLateness: 3,
    lateDataTag: 'late',
    function: 'aggregate',
    process: true,
    keyed: true,
  });
  const { graph } = generateJobGraph(env);
  const node = graph.vertices.flatMap((v) => v.operators).find((o) => o.kind === 'window');
  assert.deepEqual(node?.config, t.config);

  const h = await harnessFor(env);
  await h.processElement(['a', 1], 7);
  await h.processWatermark(20);
  await h.processElement(['a', 1], 2);
  assert.deepEqual(h.extractOutputValues(), ['a:0-10:1', 'a:5-15:1']);
  assert.deepEqual(h.getSideOutput(late), [{ value: ['a', 1], timestamp: 2 }]);
});

test('countWindow(size) and countWindow(size, slide) are Flink’s count windows', async () => {
  const env = new StreamExecutionEnvironment();
  env
    .fromElements<Rec>()
    .keyBy((r) => r[0])
    .countWindow(3, 2)
    .reduce((a, b) => [a[0], a[1] + b[1]])
    .print();
  assert.deepEqual(windowTransformation(env).config, {
    assigner: { kind: 'global' },
    trigger: { kind: 'count', maxCount: 2 },
    evictor: { kind: 'count', maxCount: 3, doEvictAfter: false },
    allowedLateness: 0,
    lateDataTag: null,
    function: 'reduce',
    process: false,
    keyed: true,
  });
  const h = await harnessFor(env);
  for (let i = 1; i <= 6; i++) await h.processElement(['k', i]);
  assert.deepEqual(h.extractOutputValues(), [
    ['k', 3],
    ['k', 2 + 3 + 4],
    ['k', 4 + 5 + 6],
  ]);

  const env2 = new StreamExecutionEnvironment();
  env2
    .fromElements<Rec>()
    .keyBy((r) => r[0])
    .countWindow(2)
    .reduce((a, b) => [a[0], a[1] + b[1]])
    .print();
  assert.deepEqual((windowTransformation(env2).config as { trigger: unknown }).trigger, {
    kind: 'purging',
    nested: { kind: 'count', maxCount: 2 },
  });
});

test('windowAll runs at parallelism 1 over every record; countWindowAll too', async () => {
  const env = new StreamExecutionEnvironment(4);
  env
    .fromElements<Rec>()
    .windowAll(TumblingEventTimeWindows.of(10))
    .process({
      process(ctx, elements, out) {
        out.collect(`${ctx.window().id}:${elements.map((e) => e[0]).join('')}`);
      },
    })
    .print();
  const t = windowTransformation(env);
  assert.equal(t.parallelism, 1);
  assert.equal(t.keyedBy?.partitioner, 'hash');
  assert.equal(t.name, 'All Window (tumbling event, process)');
  const { graph } = generateJobGraph(env);
  assert.equal(graph.vertices.find((v) => v.operators.some((o) => o.kind === 'window'))?.parallelism, 1);
  const h = await harnessFor(env);
  await h.processElement(['a', 1], 1);
  await h.processElement(['b', 1], 2);
  await h.processWatermark(MAX_WATERMARK);
  assert.deepEqual(h.extractOutputValues(), ['0:10:ab']);

  const env2 = new StreamExecutionEnvironment();
  env2
    .fromElements<Rec>()
    .countWindowAll(2)
    .reduce((a, b) => [a[0] + b[0], a[1] + b[1]])
    .print();
  const h2 = await harnessFor(env2);
  for (const k of ['a', 'b', 'c', 'd']) await h2.processElement([k, 1]);
  assert.deepEqual(h2.extractOutputValues(), [
    ['ab', 2],
    ['cd', 2],
  ]);
});

test('settings are validated with messages that name the fix', () => {
  const env = new StreamExecutionEnvironment();
  const keyed = env.fromElements<Rec>().keyBy((r) => r[0]);
  assert.throws(() => keyed.window(TumblingEventTimeWindows.of(10)).allowedLateness(-1), /non-negative/);
  const neverMerges: Trigger<Rec, TimeWindow> = {
    onElement: () => 'CONTINUE',
    onEventTime: () => 'CONTINUE',
    onProcessingTime: () => 'CONTINUE',
    clear: () => undefined,
  };
  assert.throws(() => keyed.window(EventTimeSessionWindows.withGap(5)).trigger(neverMerges), /canMerge/);
  // An evictor on a time window is fine; the description names it.
  keyed
    .window(TumblingEventTimeWindows.of(10))
    .evictor(CountEvictor.of<Window>(2))
    .apply((key, w, elements, out) => out.collect(`${key}@${w.start}:${elements.length}`))
    .print();
  assert.equal(windowTransformation(env).name, 'Window (tumbling event, process)');
});
