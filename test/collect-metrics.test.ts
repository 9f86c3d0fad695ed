// What a job shows the outside world while and after it runs, on an in-process MiniCluster (a
// JobManager and 2 TaskManagers with real gRPC on free ports): records of a CollectSink read back
// over REST, and the Prometheus /metrics of the JobManager and of each TaskManager. Jobs are
// submitted with the CLI's own `main` (`eddy run -d`), in this process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MiniCluster, main, type CliIo } from '@eddy/cli';
import type { JobId } from '@eddy/common';
import { waitUntil } from './support/process-cluster.ts';

const JOBS = join(import.meta.dirname, 'jobs');
const TASK_LABELS = ['job_id', 'job_name', 'subtask', 'vertex'];

let cluster: MiniCluster;
before(async () => {
  cluster = await MiniCluster.start({ taskManagers: 2, slotsPerTaskManager: 2 });
});
after(async () => {
  await cluster.close();
});

/** `eddy run -d` in this process; returns the job id. */
async function submit(job: string, args: readonly string[]): Promise<JobId> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: {} };
  const code = await main(
    ['run', '-d', '-p', '2', '-m', cluster.restAddress, join(JOBS, job), '--', ...args],
    io,
  );
  assert.equal(code, 0, `eddy run failed:\n${out}\n${err}`);
  const id = /\b([0-9a-f]{32})\b/.exec(out)?.[1];
  assert.ok(id !== undefined, `no job id in: ${out}`);
  return id as JobId;
}

/** One sample of the Prometheus text format. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses the Prometheus text exposition format (what prom-client writes). */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    assert.ok(m !== null, `not a Prometheus sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

async function scrape(address: string): Promise<Sample[]> {
  const res = await fetch(`http://${address}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  return parseMetrics(await res.text());
}

/** The /metrics addresses of the TaskManagers, as GET /v1/taskmanagers reports them. */
async function taskManagerMetricsAddresses(): Promise<string[]> {
  const body = (await cluster.rest.taskManagers()) as { taskmanagers: { metricsAddress?: string }[] };
  const addresses = body.taskmanagers.map((tm) => tm.metricsAddress ?? '');
  assert.equal(addresses.length, 2);
  for (const a of addresses) assert.match(a, /^\S+:\d+$/, 'every TaskManager serves /metrics');
  return addresses;
}

const ofJob = (samples: readonly Sample[], name: string, jobId: string): Sample[] =>
  samples.filter((s) => s.name === name && s.labels['job_id'] === jobId);
const seriesKey = (s: Sample): string => `${s.labels['vertex']}/${s.labels['subtask']}`;

test('a CollectSink with a uid delivers every record through GET /v1/jobs/:id/collect', async () => {
  const jobId = await submit('collect.ts', ['--records', '1000']);
  const job = await cluster.rest.waitForJob(jobId, { intervalMs: 50 });
  assert.equal(job.state, 'FINISHED', JSON.stringify(job.failure));
  // The sink ran as 2 subtasks, each fed by both source subtasks over the rebalance.
  assert.deepEqual(
    job.vertices.map((v) => v.parallelism),
    [2, 2],
  );

  const records = (await cluster.rest.collected(jobId, 'out')) as { n: number; square: number }[];
  assert.equal(records.length, 1000);
  const sorted = records.toSorted((a, b) => a.n - b.n);
  assert.deepEqual(
    sorted,
    Array.from({ length: 1000 }, (_, i) => ({ n: i + 1, square: (i + 1) * (i + 1) })),
  );

  // A uid that names no CollectSink is an error that lists the ones there are.
  await assert.rejects(cluster.rest.collected(jobId, 'typo'), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'SINK_NOT_FOUND');
    assert.match(err.message, /no CollectSink with uid 'typo' \(its CollectSinks: 'out'\)/);
    return true;
  });
});

test('/metrics of the TaskManagers and the JobManager while a job runs, and after it ends', async () => {
  const jobId = await submit('endless.ts', ['--name', 'endless-metrics']);
  const tms = await taskManagerMetricsAddresses();
  const jmAddress = cluster.jobManagerMetricsAddress;
  assert.ok(jmAddress !== undefined, 'the JobManager serves /metrics');

  // Every subtask of both vertices has counted records (the map subtasks receive over the network).
  let perTm: Sample[][] = [];
  await waitUntil(
    async () => {
      perTm = await Promise.all(tms.map(scrape));
      const counted = perTm
        .flatMap((s) => ofJob(s, 'eddy_task_records_in_total', jobId))
        .filter((s) => s.value > 0);
      return new Set(counted.map(seriesKey)).size === 4;
    },
    'every subtask to report eddy_task_records_in_total > 0',
    20_000,
  );

  for (const name of [
    'eddy_task_records_in_total',
    'eddy_task_records_out_total',
    'eddy_task_busy_seconds_total',
    'eddy_task_idle_seconds_total',
    'eddy_task_backpressured_seconds_total',
  ]) {
    const series = perTm.map((samples) => ofJob(samples, name, jobId));
    // Two slots used out of four: the scheduler may put both pipelines on one TaskManager, so only
    // the union over TaskManagers is fixed.
    assert.deepEqual(series.flat().map(seriesKey).sort(), ['v0/0', 'v0/1', 'v1/0', 'v1/1'], name);
    for (const s of series.flat()) {
      assert.deepEqual(Object.keys(s.labels).sort(), TASK_LABELS, `${name} labels`);
      assert.equal(s.labels['job_name'], 'endless-metrics');
      assert.ok(Number.isFinite(s.value) && s.value >= 0, `${name} ${JSON.stringify(s)}`);
    }
  }
  for (const samples of perTm) {
    const buffers = samples.filter((s) => s.name === 'eddy_task_network_buffers_in_use');
    assert.equal(buffers.length, 1, 'one network buffer gauge per TaskManager');
    assert.ok(buffers[0]!.value >= 0);
    assert.ok(
      samples.some((s) => s.name === 'eddy_process_nodejs_eventloop_lag_seconds'),
      'event-loop lag on the TaskManager',
    );
  }

  const jm = await scrape(jmAddress);
  const jmValue = (name: string): number | undefined => jm.find((s) => s.name === name)?.value;
  const overview = await cluster.rest.overview();
  assert.equal(jmValue('eddy_jobmanager_jobs_running'), 1);
  assert.equal(jmValue('eddy_jobmanager_taskmanagers_registered'), 2);
  assert.equal(jmValue('eddy_jobmanager_slots_available'), overview['slotsAvailable']);
  assert.ok(
    jm.some((s) => s.name === 'eddy_process_nodejs_eventloop_lag_seconds'),
    'event-loop lag on the JobManager',
  );
  assert.equal(ofJob(jm, 'eddy_task_records_in_total', jobId).length, 0, 'task series live on TaskManagers');

  // Cancelled: the job's task series disappear and the JobManager counts no running job.
  await cluster.rest.cancelJob(jobId);
  await cluster.rest.waitForJob(jobId, { intervalMs: 50 });
  await waitUntil(
    async () => {
      const all = (await Promise.all(tms.map(scrape))).flat();
      return all.every((s) => s.labels['job_id'] !== jobId);
    },
    "the ended job's task series to be removed from every TaskManager",
    10_000,
  );
  const jmAfter = await scrape(jmAddress);
  assert.equal(jmAfter.find((s) => s.name === 'eddy_jobmanager_jobs_running')?.value, 0);
});

test('checkpoint statistics appear in the JobManager metrics and in REST', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-metrics-chk-'));
  let out = '';
  const io: CliIo = { stdout: (t) => void (out += t), stderr: () => undefined, env: {} };
  const code = await main(
    [
      'run',
      '-d',
      '-p',
      '2',
      '-m',
      cluster.restAddress,
      join(import.meta.dirname, '..', 'examples', 'seq-check.ts'),
      '--',
      '--keys',
      '10',
      '--per-key',
      '600',
      '--rate',
      '2000',
      '--checkpoint-interval',
      '100',
      '--checkpoint-dir',
      join(dir, 'chk'),
      '--output',
      join(dir, 'out'),
    ],
    io,
  );
  assert.equal(code, 0);
  const jobId = /\b([0-9a-f]{32})\b/.exec(out)![1]!;
  const jm = cluster.jobManagerMetricsAddress!;
  await waitUntil(
    async () => ofJob(await scrape(jm), 'eddy_job_last_checkpoint_duration_seconds', jobId).length === 1,
    'a completed checkpoint',
    20_000,
  );
  const samples = await scrape(jm);
  assert.ok(ofJob(samples, 'eddy_job_last_checkpoint_size_bytes', jobId)[0]!.value > 0, 'state size');
  assert.ok(ofJob(samples, 'eddy_job_checkpoints_completed', jobId)[0]!.value >= 1);
  assert.equal(ofJob(samples, 'eddy_job_last_checkpoint_alignment_seconds', jobId).length, 1);
  const stats = (await (
    await fetch(`http://${cluster.restAddress}/v1/jobs/${jobId}/checkpoints`)
  ).json()) as {
    counts: { completed: number };
    latest: { id: number; stateSize: number } | null;
  };
  assert.ok(
    stats.counts.completed >= 1 && stats.latest !== null && stats.latest.stateSize > 0,
    JSON.stringify(stats),
  );
  await cluster.rest.waitForJob(jobId as JobId);
});
