import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CollectSink, StreamExecutionEnvironment, generateJobGraph, type JobGraph } from '@eddy/api';
import type { JobId, TaskManagerId } from '@eddy/common';
import type { TaskManagerLocation } from '@eddy/runtime';
import { buildDeploymentDescriptors, placeSlots, requiredSlots, type SlotOffer } from './scheduler.ts';

const JOB = '0123456789abcdef0123456789abcdef' as JobId;
const loc = (n: number): TaskManagerLocation => ({
  taskManagerId: `tm-${n}` as TaskManagerId,
  address: `127.0.0.1:${7000 + n}`,
});
const offer = (n: number, freeSlots: number): SlotOffer => ({ location: loc(n), freeSlots });

/** source(p=2) -forward-> map(p=2, unchained) -hash-> reduce(p=3) -rescale-> sink(p=6) */
function graph(): JobGraph {
  const env = new StreamExecutionEnvironment(2, 'descriptors');
  env
    .fromSequence(0, 99)
    .setParallelism(2)
    .forward()
    .map((x: number) => ({ k: x % 5, v: x }))
    .setParallelism(2)
    .startNewChain()
    .keyBy((r) => r.k)
    .sum('v')
    .setParallelism(3)
    .rescale()
    .sinkTo(new CollectSink())
    .setParallelism(6);
  return generateJobGraph(env).graph;
}

function plan(g: JobGraph, placement: TaskManagerLocation[]) {
  return buildDeploymentDescriptors({
    jobId: JOB,
    attempt: 2,
    graph: g,
    submission: { args: ['--x', '1'], defaultParallelism: 2, graphHash: g.hash },
    placement,
  });
}

test('descriptors wire forward, hash and rescale edges as edgeLinks says', () => {
  const g = graph();
  assert.equal(requiredSlots(g), 6);
  assert.deepEqual(
    g.edges.map((e) => e.partitioner),
    ['forward', 'hash', 'rescale'],
  );
  const placement = [0, 1, 2, 0, 1, 2].map(loc);
  const planned = plan(g, placement);
  assert.equal(planned.length, 2 + 2 + 3 + 6);
  const [v0, v1, v2, v3] = g.vertices;
  const [forward, hash, rescale] = g.edges;
  assert.ok(v0 && v1 && v2 && v3 && forward && hash && rescale);
  const d = (v: string, i: number) => {
    const p = planned.find((x) => x.descriptor.vertexId === v && x.descriptor.subtaskIndex === i);
    assert.ok(p, `descriptor of ${v}#${i}`);
    return p;
  };

  // Subtask i runs in shared slot i, and carries the job-level fields.
  const src1 = d(v0.id, 1);
  assert.deepEqual(src1.location, loc(1));
  assert.equal(src1.descriptor.executionId, `${JOB}.2.${v0.id}.1`);
  assert.equal(src1.descriptor.attempt, 2);
  assert.equal(src1.descriptor.jobName, 'descriptors');
  assert.deepEqual(src1.descriptor.submission, {
    args: ['--x', '1'],
    defaultParallelism: 2,
    graphHash: g.hash,
  });
  assert.deepEqual(src1.descriptor.inputGates, []);
  // forward 2 -> 2: one subpartition, to the consumer with the same index.
  assert.deepEqual(src1.descriptor.producedPartitions, [
    { edgeId: forward.id, partitionId: `${JOB}.2.${forward.id}.1`, numberOfSubpartitions: 1 },
  ]);
  const map1 = d(v1.id, 1).descriptor;
  assert.deepEqual(map1.inputGates, [
    {
      edgeId: forward.id,
      inputIndex: 0,
      channels: [
        { partitionId: `${JOB}.2.${forward.id}.1`, subpartition: 0, producerSubtask: 1, producer: loc(1) },
      ],
    },
  ]);
  // hash 2 -> 3: all-to-all; every producer has 3 subpartitions, every consumer 2 channels.
  assert.equal(map1.producedPartitions[0]?.numberOfSubpartitions, 3);
  const red2 = d(v2.id, 2).descriptor;
  assert.deepEqual(
    red2.inputGates[0]?.channels.map((c) => [c.producerSubtask, c.subpartition, c.producer.taskManagerId]),
    [
      [0, 2, 'tm-0'],
      [1, 2, 'tm-1'],
    ],
  );
  // rescale 3 -> 6: producer i feeds consumers 2i and 2i+1.
  assert.equal(red2.producedPartitions[0]?.numberOfSubpartitions, 2);
  const sink5 = d(v3.id, 5).descriptor;
  assert.deepEqual(sink5.inputGates, [
    {
      edgeId: rescale.id,
      inputIndex: 0,
      channels: [
        { partitionId: `${JOB}.2.${rescale.id}.2`, subpartition: 1, producerSubtask: 2, producer: loc(2) },
      ],
    },
  ]);
  assert.deepEqual(sink5.producedPartitions, []);
});

test('every link appears once as a subpartition and once as a channel', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 6 }),
      fc.constantFrom('rebalance' as const, 'rescale' as const, 'broadcast' as const),
      (p, q, kind) => {
        const env = new StreamExecutionEnvironment(1, 'prop');
        const s = env.fromSequence(0, 9).setParallelism(p);
        const part = kind === 'rebalance' ? s.rebalance() : kind === 'rescale' ? s.rescale() : s.broadcast();
        part.sinkTo(new CollectSink()).setParallelism(q);
        const g = generateJobGraph(env).graph;
        const planned = plan(
          g,
          Array.from({ length: Math.max(p, q) }, (_, i) => loc(i)),
        );
        const produced = new Set<string>();
        for (const x of planned) {
          for (const pp of x.descriptor.producedPartitions) {
            for (let sp = 0; sp < pp.numberOfSubpartitions; sp++) produced.add(`${pp.partitionId}/${sp}`);
          }
        }
        const consumed: string[] = [];
        for (const x of planned) {
          for (const gate of x.descriptor.inputGates) {
            const producers = gate.channels.map((c) => c.producerSubtask);
            assert.deepEqual(
              producers,
              [...producers].sort((a, b) => a - b),
              'channels ordered by producer',
            );
            for (const c of gate.channels) consumed.push(`${c.partitionId}/${c.subpartition}`);
          }
        }
        assert.equal(new Set(consumed).size, consumed.length, 'no subpartition read twice');
        assert.deepEqual(new Set(consumed), produced);
      },
    ),
  );
});

test('placeSlots spreads round robin, most free slots first', () => {
  assert.deepEqual(
    placeSlots([offer(0, 1), offer(1, 3), offer(2, 2)], 5)?.map((l) => l.taskManagerId),
    ['tm-1', 'tm-2', 'tm-0', 'tm-1', 'tm-2'],
  );
  assert.deepEqual(
    placeSlots([offer(0, 2), offer(1, 2)], 2)?.map((l) => l.taskManagerId),
    ['tm-0', 'tm-1'],
  );
  assert.equal(placeSlots([offer(0, 2), offer(1, 0)], 3), undefined);
  assert.deepEqual(placeSlots([], 0), []);
});

test('placeSlots never over-commits a TaskManager and balances within one slot', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 8 }), { maxLength: 6 }),
      fc.integer({ min: 0, max: 30 }),
      (free, n) => {
        const offers = free.map((f, i) => offer(i, f));
        const total = free.reduce((a, b) => a + b, 0);
        const placement = placeSlots(offers, n);
        if (n > total) return assert.equal(placement, undefined);
        assert.ok(placement);
        assert.equal(placement.length, n);
        const used = new Map<string, number>();
        for (const l of placement) used.set(l.taskManagerId, (used.get(l.taskManagerId) ?? 0) + 1);
        for (const [i, f] of free.entries()) {
          const u = used.get(`tm-${i}`) ?? 0;
          assert.ok(u <= f, 'never more than free');
          // A TaskManager left with free slots got at least as many as any other TaskManager, minus one.
          if (u < f) for (const other of used.values()) assert.ok(other <= u + 1);
        }
      },
    ),
  );
});
