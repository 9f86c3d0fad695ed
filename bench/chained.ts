// Benchmark (a): a chained stateless pipeline (sequence source -> map -> filter -> discarding sink)
// in one task slot, as a TaskManager runs it. Prints records/s and records/s per core (CPU time of
// this process). Usage: node bench/chained.ts [records=50000000]
import { performance } from 'node:perf_hooks';
import { StreamExecutionEnvironment, generateJobGraph } from '@eddy/api';
import { executionId, silentLogger, type JobId } from '@eddy/common';
import { StreamTask, type ShuffleEnvironment } from '@eddy/runtime';

const records = Number(process.argv[2] ?? 50_000_000);
let sunk = 0;
const env = new StreamExecutionEnvironment(1, 'bench-chained');
env
  .fromSequence(1, records)
  .map((x) => x * 3 + 1)
  .filter((x) => (x & 1) === 0)
  .sinkTo({
    describe: () => ({ kind: 'count' }),
    createWriter: () => ({ write: (b) => void (sunk += b.length) }),
  });
const { graph, transformations } = generateJobGraph(env);
const jobId = '0'.repeat(32) as JobId;
const v = graph.vertices[0]!;
const noShuffle = {} as ShuffleEnvironment; // a single chained vertex has no partitions or gates
const task = new StreamTask({
  descriptor: {
    jobId,
    jobName: graph.jobName,
    attempt: 0,
    executionId: executionId(jobId, 0, v.id, 0),
    vertexId: v.id,
    subtaskIndex: 0,
    parallelism: 1,
    submission: { args: [], defaultParallelism: 1, graphHash: graph.hash },
    producedPartitions: [],
    inputGates: [],
  },
  graph,
  transformations: new Map(transformations.map((t) => [t.id, t])),
  shuffle: noShuffle,
  logger: silentLogger(),
  reportCollected: () => Promise.resolve(),
});
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await task.run();
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cores = (cpu.user + cpu.system) / 1e6 / seconds;
const rate = records / seconds;
console.log(`chained map+filter: ${records} records in ${seconds.toFixed(2)} s, sunk ${sunk}`);
console.log(
  `  ${(rate / 1e6).toFixed(2)} M records/s, ${(rate / cores / 1e6).toFixed(2)} M records/s per core (${cores.toFixed(2)} cores busy)`,
);
