// Stop with drain: the sources end event time before the savepoint and stop after it, so the job
// FINISHES (every window and timer fired) instead of being canceled; a job restored from the
// savepoint then completes the output exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startProcessCluster, waitUntil } from './support/process-cluster.ts';

const KEYS = 12;
const PER_KEY = 1500;

function committed(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('part-'))
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
}

test('stop --drain finishes the job with a savepoint; restoring from it completes the output exactly once', async () => {
  const cluster = await startProcessCluster({ taskManagers: 2, slots: 2 });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'eddy-drain-'));
    const out = join(dir, 'out');
    const args = [
      '--keys',
      String(KEYS),
      '--per-key',
      String(PER_KEY),
      '--checkpoint-interval',
      '200',
      '--output',
      out,
    ];
    const run = await runCli([
      'run',
      '-d',
      '-p',
      '2',
      '-m',
      cluster.restAddress,
      'examples/seq-check.ts',
      '--',
      ...args,
      '--rate',
      '3000',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const jobId = /([0-9a-f]{32})/.exec(run.stdout)![1]!;
    await waitUntil(
      async () => (await cluster.rest.getJob(jobId as never)).state === 'RUNNING',
      'the job to run',
      30_000,
    );
    await new Promise((r) => setTimeout(r, 1500));
    const savepoint = join(dir, 'savepoint');
    const stop = await runCli([
      'stop',
      '-m',
      cluster.restAddress,
      jobId,
      '--savepoint-path',
      savepoint,
      '--drain',
    ]);
    assert.equal(stop.code, 0, stop.stderr);
    await waitUntil(
      async () => (await cluster.rest.getJob(jobId as never)).state === 'FINISHED',
      'the drained job to finish',
      30_000,
    );
    const partial = committed(out);
    assert.ok(
      partial.length > 0 && partial.length < KEYS * PER_KEY,
      `stopped part way: ${partial.length} lines`,
    );
    assert.equal(new Set(partial).size, partial.length, 'no duplicates before the restore');

    const resume = await runCli([
      'run',
      '-p',
      '3',
      '-m',
      cluster.restAddress,
      '--from-savepoint',
      savepoint,
      'examples/seq-check.ts',
      '--',
      ...args,
    ]);
    assert.equal(resume.code, 0, resume.stdout + resume.stderr);
    const all = committed(out);
    assert.equal(all.length, KEYS * PER_KEY, 'nothing duplicated');
    assert.equal(new Set(all).size, KEYS * PER_KEY, 'nothing lost');
  } finally {
    await cluster.stop();
  }
});
