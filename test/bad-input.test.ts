// Bad input gets a clear error and the cluster stays up: a missing job file, a job that throws
// while building, a job that builds a different graph on the TaskManager, a malformed REST body,
// and an oversized bundle.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startProcessCluster, type ProcessCluster } from './support/process-cluster.ts';

let cluster: ProcessCluster;
before(async () => {
  cluster = await startProcessCluster({
    taskManagers: 1,
    slots: 2,
    config: { 'jobmanager.bundle.max-size': String(256 * 1024) },
  });
});
after(async () => {
  await cluster.stop();
});

async function assertClusterUp(): Promise<void> {
  const o = await cluster.rest.overview();
  assert.equal(o['taskmanagers'], 1, JSON.stringify(o));
}

test('a job file that does not exist', async () => {
  const r = await runCli(['run', '-m', cluster.restAddress, 'test/jobs/no-such-job.ts']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /job file not found: .*no-such-job\.ts/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace for a user error');
});

test('a job that throws while building', async () => {
  const r = await runCli(['run', '-m', cluster.restAddress, 'test/jobs/throws.ts']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /throws.*threw while building its dataflow: no input configured for this job/);
  await assertClusterUp();
});

test('a job that builds a different graph on the TaskManager fails with JOB_GRAPH_MISMATCH, without restarts', async () => {
  const r = await runCli(['run', '-m', cluster.restAddress, 'test/jobs/nondeterministic.ts']);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout + r.stderr, /FAILED/);
  assert.match(r.stdout + r.stderr, /different dataflow on the TaskManager/);
  const jobs = await cluster.rest.listJobs();
  const job = await cluster.rest.getJob(jobs.at(-1)!.jobId);
  assert.equal(job.state, 'FAILED');
  assert.equal(job.failure?.code, 'JOB_GRAPH_MISMATCH');
  assert.equal(job.restarts, 0);
  await assertClusterUp();
});

test('a malformed REST body is a 400 naming the problem', async () => {
  const res = await fetch(`http://${cluster.restAddress}/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"bundleKey": "abc", ',
  });
  assert.equal(res.status, 400);
  const body = (await res.json()) as { errors: { code: string; message: string }[] };
  assert.equal(body.errors.length, 1, JSON.stringify(body));
  assert.equal(body.errors[0]?.code, 'MALFORMED_JSON');
  assert.match(body.errors[0]?.message ?? '', /JSON/);
  await assertClusterUp();
});

test('an oversized bundle is refused with 413 and the limit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-big-'));
  const job = join(dir, 'big.ts');
  // 400 KiB of string constant survives bundling and exceeds the 256 KiB limit of this cluster.
  writeFileSync(
    job,
    `import { defineJob } from '@eddy/api';\nconst BLOB = ${JSON.stringify('x'.repeat(400 * 1024))};\n` +
      `export default defineJob((env) => { env.fromElements(BLOB.length).print(); });\n`,
  );
  const r = await runCli(['run', '-m', cluster.restAddress, job]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /262144|256 KiB/);
  await assertClusterUp();

  // And a good job still runs afterwards.
  const ok = await runCli([
    'run',
    '-m',
    cluster.restAddress,
    'examples/wordcount.ts',
    '--',
    '--input',
    'README.md',
    '--output',
    join(dir, 'wc.tsv'),
  ]);
  assert.equal(ok.code, 0, ok.stderr);
});
