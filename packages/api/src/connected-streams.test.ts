// The graphs connect, broadcast and interval join build: one two-input vertex whose edges feed
// inputs 0 and 1 with the right partitioners and key selectors; and the build-time errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamExecutionEnvironment } from './environment.ts';
import { generateJobGraph } from './job-graph-generator.ts';
import { StateDescriptors } from './state.ts';
import type { JobGraph } from './job-graph.ts';
import { OutputTag } from './output-tag.ts';

function inputEdges(
  graph: JobGraph,
  vertexName: string,
): { partitioner: string; inputIndex: number; keyed: boolean }[] {
  const v = graph.vertices.find((x) => x.name.startsWith(vertexName));
  assert.ok(v, `no vertex ${vertexName} in ${graph.vertices.map((x) => x.name).join(', ')}`);
  return graph.edges
    .filter((e) => e.target === v.id)
    .map((e) => ({
      partitioner: e.partitioner,
      inputIndex: e.inputIndex,
      keyed: e.keySelector !== undefined,
    }))
    .sort((a, b) => a.inputIndex - b.inputIndex);
}

test('connect: a two-input vertex; keyed on both inputs after keyBy(k1, k2)', () => {
  const env = new StreamExecutionEnvironment(2);
  const a = env.fromElements(1, 2, 3);
  const b = env.fromElements('x', 'y');
  a.connect(b)
    .map({ map1: (n) => n, map2: (s) => s.length })
    .print();
  a.connect(b)
    .keyBy(
      (n) => String(n),
      (s) => s,
    )
    .process({ processElement1() {}, processElement2() {} })
    .print();
  const { graph } = generateJobGraph(env);
  assert.deepEqual(inputEdges(graph, 'Co-Map'), [
    { partitioner: 'rebalance', inputIndex: 0, keyed: false },
    { partitioner: 'rebalance', inputIndex: 1, keyed: false },
  ]);
  assert.deepEqual(inputEdges(graph, 'Keyed Co-Process'), [
    { partitioner: 'hash', inputIndex: 0, keyed: true },
    { partitioner: 'hash', inputIndex: 1, keyed: true },
  ]);
});

test('broadcast state pattern: the broadcast edge feeds input 1; broadcast() alone still partitions', () => {
  const env = new StreamExecutionEnvironment(3);
  const rules = StateDescriptors.map<string, number>('rules');
  const events = env.fromSequence(1, 10);
  const bcast = env.fromElements({ k: 'a', v: 1 }).broadcast(rules);
  events
    .connect(bcast)
    .process({ processElement() {}, processBroadcastElement() {} })
    .print();
  events
    .keyBy((n) => n % 2)
    .connect(bcast)
    .process({
      processElement(_v, ctx) {
        ctx.getCurrentKey();
      },
      processBroadcastElement() {},
    })
    .print();
  env.fromSequence(1, 3).broadcast().print();
  const { graph } = generateJobGraph(env);
  assert.deepEqual(inputEdges(graph, 'Broadcast Process'), [
    { partitioner: 'forward', inputIndex: 0, keyed: false },
    { partitioner: 'broadcast', inputIndex: 1, keyed: false },
  ]);
  assert.deepEqual(inputEdges(graph, 'Keyed Broadcast Process'), [
    { partitioner: 'hash', inputIndex: 0, keyed: true },
    { partitioner: 'broadcast', inputIndex: 1, keyed: false },
  ]);
  assert.ok(graph.edges.some((e) => e.partitioner === 'broadcast' && e.inputIndex === 0));
});

test('interval join: both inputs hash-partitioned; bounds in the config', () => {
  const env = new StreamExecutionEnvironment(2);
  const left = env.fromElements({ k: 'a' }).keyBy((e) => e.k);
  const right = env.fromElements({ id: 'a' }).keyBy((e) => e.id);
  left
    .intervalJoin(right)
    .between(-5, 10)
    .lowerBoundExclusive()
    .sideOutputLeftLateData(new OutputTag('late-left'))
    .process({ processElement: () => undefined })
    .print();
  const { graph } = generateJobGraph(env);
  assert.deepEqual(inputEdges(graph, 'Interval Join'), [
    { partitioner: 'hash', inputIndex: 0, keyed: true },
    { partitioner: 'hash', inputIndex: 1, keyed: true },
  ]);
  const op = graph.vertices.flatMap((v) => v.operators).find((o) => o.kind === 'interval-join');
  assert.deepEqual(op?.config, {
    lowerBound: -4,
    upperBound: 10,
    leftLateDataTag: 'late-left',
    rightLateDataTag: null,
  });
});

test('build-time errors name the mistake', () => {
  const env = new StreamExecutionEnvironment(1);
  const a = env.fromElements(1).keyBy((n) => n);
  const b = env.fromElements(2).keyBy((n) => n);
  assert.throws(() => a.intervalJoin(b).between(5, 1), /lower bound must not exceed the upper bound/);
  assert.throws(
    () =>
      a
        .intervalJoin(b)
        .between(1, 1)
        .upperBoundExclusive()
        .process({ processElement() {} }),
    /admits no pair/,
  );
  assert.throws(() => a.intervalJoin(b).between(0.5, 1), /integer/);
  assert.throws(() => a.connect(b).map({ map1: (n: number) => n } as never), /missing: map2/);
  assert.throws(
    () => a.broadcast(StateDescriptors.value('v') as never),
    /must be declared with StateDescriptors.map/,
  );
  const other = new StreamExecutionEnvironment(1).fromElements(3);
  assert.throws(() => a.connect(other), /same environment/);
});
