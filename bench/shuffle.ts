// Benchmark (b): a keyed shuffle across 2 TaskManager processes (sequence source -> map -> keyBy
// -> count, parallelism 2, so half the records cross over gRPC). Prints records/s and records/s per
// core, where cores are the CPU seconds the two TaskManagers used (from /proc) over the job's run.
// Usage: node bench/shuffle.ts [records=20000000] [keys=10000]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { runCli, startProcessCluster } from '../test/support/process-cluster.ts';

const records = Number(process.argv[2] ?? 20_000_000);
const keys = Number(process.argv[3] ?? 10_000);

/** CPU seconds (user + system) of a process so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const cluster = await startProcessCluster({ taskManagers: 2, slots: 1, env: { EDDY_LOG_LEVEL: 'warn' } });
try {
  const tms = cluster.taskManagers;
  const cpu0 = tms.map((t) => cpuSeconds(t.pid));
  const t0 = performance.now();
  const r = await runCli(
    [
      'run',
      '-p',
      '2',
      '-m',
      cluster.restAddress,
      'bench/jobs/keyed-shuffle.ts',
      '--',
      '--records',
      String(records),
      '--keys',
      String(keys),
    ],
    { timeoutMs: 600_000 },
  );
  const wall = (performance.now() - t0) / 1000;
  if (r.code !== 0) throw new Error(`job failed:\n${r.stdout}\n${r.stderr}`);
  const cpu = tms.reduce((s, t, i) => s + cpuSeconds(t.pid) - cpu0[i]!, 0);
  const jobId = /([0-9a-f]{32})/.exec(r.stdout)?.[1] as never;
  const job = await cluster.rest.getJob(jobId);
  const runSeconds =
    Number(job.endTime) > 0 && Number(job.startTime) > 0
      ? (Number(job.endTime) - Number(job.startTime)) / 1000
      : wall;
  const counted = tms.flatMap((t) => t.stdoutLines()).filter((l) => l.includes('counted'));
  console.log(
    `keyed shuffle, 2 TaskManagers, ${keys} keys: ${records} records; job ran ${runSeconds.toFixed(2)} s (${wall.toFixed(2)} s with submission)`,
  );
  console.log(
    `  ${(records / runSeconds / 1e6).toFixed(2)} M records/s, ${(records / cpu / 1e6).toFixed(2)} M records/s per core (${cpu.toFixed(1)} CPU s in TaskManagers)`,
  );
  console.log(`  ${counted.join('; ')}`);
} finally {
  await cluster.stop();
}
