// StreamTask over an in-memory shuffle (the network has its own tests): chaining, partitioners,
// end of input, failures annotated with the operator, cancellation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  StreamExecutionEnvironment,
  generateJobGraph,
  type Sink,
  type Transformation,
  type JobGraph,
} from '@eddy/api';
import { executionId, silentLogger, type JobId } from '@eddy/common';
import { subtaskForKey } from '@eddy/state';
import { edgeLinks, partitionId } from './index.ts';
import type { InputGate, InputGateElement, ResultPartitionWriter, ShuffleEnvironment } from './io.ts';
import type { InputGateDeploymentDescriptor, TaskDeploymentDescriptor } from './deployment.ts';
import { StreamTask } from './stream-task.ts';

/** Unbounded in-memory queues per (partition, subpartition). */
class MemoryShuffle implements ShuffleEnvironment {
  readonly queues = new Map<string, InputGateElement[]>();
  readonly waiters = new Set<() => void>();
  readonly metrics = { buffersInUse: () => 0 };
  #queue(id: string): InputGateElement[] {
    let q = this.queues.get(id);
    if (q === undefined) this.queues.set(id, (q = []));
    return q;
  }
  #wake(): void {
    for (const w of [...this.waiters]) w();
    this.waiters.clear();
  }
  createResultPartition(
    _j: JobId,
    _a: number,
    desc: { partitionId: string; numberOfSubpartitions: number },
  ): ResultPartitionWriter {
    const push = (s: number, el: InputGateElement): void => {
      this.#queue(`${desc.partitionId}/${s}`).push(el);
      this.#wake();
    };
    return {
      partitionId: desc.partitionId,
      numberOfSubpartitions: desc.numberOfSubpartitions,
      emit: (s, records, start = 0, end = records.length) =>
        push(s, { kind: 'records', channel: 0, records: records.slice(start, end) }),
      broadcastEvent: (event) => {
        for (let s = 0; s < desc.numberOfSubpartitions; s++) push(s, { kind: 'event', channel: 0, event });
      },
      broadcastInline: (event) => {
        for (let s = 0; s < desc.numberOfSubpartitions; s++) push(s, { kind: 'event', channel: 0, event });
      },
      flushAll: () => undefined,
      isAvailable: () => true,
      whenAvailable: () => Promise.resolve(),
      finish: () => {
        for (let s = 0; s < desc.numberOfSubpartitions; s++)
          push(s, { kind: 'event', channel: 0, event: { kind: 'end-of-partition' } });
      },
      whenConsumed: () => Promise.resolve(),
      release: () => undefined,
    };
  }
  createInputGate(_j: JobId, _a: number, desc: InputGateDeploymentDescriptor): InputGate {
    const ended = new Set<number>();
    const ids = desc.channels.map((c) => `${c.partitionId}/${c.subpartition}`);
    return {
      numberOfChannels: ids.length,
      pollNext: () => {
        for (let c = 0; c < ids.length; c++) {
          const el = this.#queue(ids[c]!).shift();
          if (el === undefined) continue;
          if (el.kind === 'event' && el.event.kind === 'end-of-partition') ended.add(c);
          return { ...el, channel: c };
        }
        return undefined;
      },
      whenAvailable: () =>
        ids.some((id) => (this.queues.get(id)?.length ?? 0) > 0)
          ? Promise.resolve()
          : new Promise((r) => this.waiters.add(r)),
      isFinished: () => ended.size === ids.length,
      blockChannel: () => undefined,
      unblockAllChannels: () => undefined,
      close: () => undefined,
    };
  }
  releaseJob(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const JOB = '0123456789abcdef0123456789abcdef' as JobId;

/** Descriptors of every subtask of `graph`, as the JobManager's scheduler builds them. */
function descriptors(graph: JobGraph): TaskDeploymentDescriptor[] {
  const location = { taskManagerId: 'tm' as never, address: 'local' };
  return graph.vertices.flatMap((v) =>
    Array.from({ length: v.parallelism }, (_, i): TaskDeploymentDescriptor => ({
      jobId: JOB,
      jobName: graph.jobName,
      attempt: 0,
      executionId: executionId(JOB, 0, v.id, i),
      vertexId: v.id,
      subtaskIndex: i,
      parallelism: v.parallelism,
      submission: { args: [], defaultParallelism: graph.defaultParallelism, graphHash: graph.hash },
      producedPartitions: graph.edges
        .filter((e) => e.source === v.id)
        .map((e) => {
          const target = graph.vertices.find((t) => t.id === e.target)!;
          const n = edgeLinks(e.partitioner, v.parallelism, target.parallelism).filter(
            (l) => l.producer === i,
          ).length;
          return { edgeId: e.id, partitionId: partitionId(JOB, 0, e.id, i), numberOfSubpartitions: n };
        }),
      inputGates: graph.edges
        .filter((e) => e.target === v.id)
        .map((e) => {
          const source = graph.vertices.find((s) => s.id === e.source)!;
          const channels = edgeLinks(e.partitioner, source.parallelism, v.parallelism)
            .filter((l) => l.consumer === i)
            .map((l) => ({
              partitionId: partitionId(JOB, 0, e.id, l.producer),
              subpartition: l.subpartition,
              producerSubtask: l.producer,
              producer: location,
            }));
          return { edgeId: e.id, inputIndex: e.inputIndex, channels };
        }),
    })),
  );
}

/** Runs every subtask of the job built by `build` concurrently in this process. */
async function runJob(
  build: (env: StreamExecutionEnvironment) => void,
  parallelism = 2,
): Promise<StreamTask[]> {
  const env = new StreamExecutionEnvironment(parallelism, 'test');
  build(env);
  const { graph, transformations } = generateJobGraph(env);
  const shuffle = new MemoryShuffle();
  const byId = new Map<number, Transformation>(transformations.map((t) => [t.id, t]));
  const tasks = descriptors(graph).map(
    (descriptor) =>
      new StreamTask({
        descriptor,
        graph,
        transformations: byId,
        shuffle,
        logger: silentLogger(),
        reportCollected: () => Promise.resolve(),
      }),
  );
  const outcomes = await Promise.all(tasks.map((t) => t.run()));
  assert.deepEqual(new Set(outcomes), new Set(['finished']));
  return tasks;
}

/** A sink collecting into an array shared by its subtasks, remembering which subtask wrote what. */
function memorySink<T>(out: { subtask: number; value: T }[]): Sink<T> {
  return {
    describe: () => ({ kind: 'memory' }),
    createWriter: (ctx) => ({
      write: (batch) => void out.push(...batch.map((value) => ({ subtask: ctx.subtaskIndex, value }))),
    }),
  };
}

test('a chained map/filter/flatMap pipeline over a rebalance', async () => {
  const out: { subtask: number; value: number }[] = [];
  await runJob((env) => {
    env
      .fromSequence(1, 10_000)
      .map((x) => x * 2)
      .filter((x) => x % 3 !== 0)
      .rebalance()
      .flatMap<number>((x, c) => {
        c.collect(x);
        c.collect(-x);
      })
      .sinkTo(memorySink(out));
  }, 3);
  const expected = [];
  for (let x = 1; x <= 10_000; x++) if ((x * 2) % 3 !== 0) expected.push(x * 2, -x * 2);
  assert.deepEqual(
    out.map((r) => r.value).sort((a, b) => a - b),
    expected.sort((a, b) => a - b),
  );
  assert.equal(new Set(out.map((r) => r.subtask)).size, 3, 'rebalance spreads over every subtask');
});

test('keyBy sends every key to the subtask owning its key group; batch reduce emits once per key', async () => {
  const out: { subtask: number; value: { k: string; n: number } }[] = [];
  await runJob((env) => {
    env.setRuntimeMode('batch');
    env
      .fromSequence(0, 9_999)
      .map((x) => ({ k: `key-${x % 37}`, n: 1 }))
      .keyBy((r) => r.k)
      .sum('n')
      .sinkTo(memorySink(out));
  }, 4);
  assert.equal(out.length, 37);
  for (const { subtask, value } of out) {
    assert.equal(subtask, subtaskForKey(value.k, 128, 4));
    const i = Number(value.k.slice(4));
    assert.equal(value.n, Math.floor((9_999 - i) / 37) + 1);
  }
});

test('a failing user function fails the task with an error naming the operator', async () => {
  await assert.rejects(
    runJob((env) => {
      env
        .fromSequence(1, 100)
        .map((x) => {
          if (x === 42) throw new Error('bad record 42');
          return x;
        })
        .name('Explode')
        .print();
    }, 1),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'OPERATOR_FAILED');
      assert.match(err.message, /operator 'Explode'.*bad record 42/);
      return true;
    },
  );
});

test('cancel stops an unbounded task promptly', async () => {
  const env = new StreamExecutionEnvironment(1, 'cancel');
  env
    .fromSource({
      boundedness: 'unbounded',
      describe: () => ({ kind: 'forever' }),
      createReader: () => ({ pollNext: () => [], isAvailable: () => new Promise(() => undefined) }),
    })
    .print();
  const { graph, transformations } = generateJobGraph(env);
  const [descriptor] = descriptors(graph);
  const task = new StreamTask({
    descriptor: descriptor!,
    graph,
    transformations: new Map(transformations.map((t) => [t.id, t])),
    shuffle: new MemoryShuffle(),
    logger: silentLogger(),
    reportCollected: () => Promise.resolve(),
  });
  const run = task.run();
  await new Promise((r) => setTimeout(r, 20));
  task.cancel();
  assert.equal(await run, 'canceled');
});
