// A corrupted checkpoint is refused, and the restore falls back to an older retained checkpoint:
// seq-check runs with 3 retained checkpoints; a TaskManager is killed and then the newest
// checkpoint's state is corrupted (same size, other bytes), so the restart must skip it and
// restore the one before, still exactly once. With nothing older to fall back to, the job fails
// with an error naming the corrupted object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startProcessCluster, waitUntil } from './support/process-cluster.ts';

const KEYS = 10;
const PER_KEY = 2000;

/** Completed checkpoint directories (with _metadata), newest first. */
function completed(jobDir: string): string[] {
  if (!existsSync(jobDir)) return [];
  return readdirSync(jobDir)
    .filter((d) => d.startsWith('chk-') && existsSync(join(jobDir, d, '_metadata')))
    .sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)));
}

/** Flips bytes in every state object of a checkpoint directory, keeping sizes. */
function corrupt(dir: string): void {
  for (const f of readdirSync(dir)) {
    if (f === '_metadata') continue;
    const bytes = readFileSync(join(dir, f));
    for (let i = 0; i < bytes.length; i += 7) bytes[i] = bytes[i]! ^ 0xff;
    writeFileSync(join(dir, f), bytes);
  }
}

async function run(
  retained: number,
): Promise<{ state: string; failure?: { code: string; message: string } | undefined; out: string }> {
  const cluster = await startProcessCluster({
    taskManagers: 2,
    slots: 1,
    config: {
      'heartbeat.interval': '200',
      'heartbeat.timeout': '1500',
      'restart-strategy.exponential-delay.initial-backoff': '100',
      'restart-strategy.max-attempts': '3',
    },
  });
  try {
    const chk = mkdtempSync(join(tmpdir(), 'eddy-corrupt-chk-'));
    const out = mkdtempSync(join(tmpdir(), 'eddy-corrupt-out-'));
    const submit = await runCli([
      'run',
      '-d',
      '-p',
      '2',
      '-m',
      cluster.restAddress,
      'examples/seq-check.ts',
      '--',
      '--keys',
      String(KEYS),
      '--per-key',
      String(PER_KEY),
      '--rate',
      '4000',
      '--checkpoint-interval',
      '200',
      '--retained-checkpoints',
      String(retained),
      '--checkpoint-dir',
      chk,
      '--output',
      out,
    ]);
    assert.equal(submit.code, 0, submit.stderr);
    const jobId = /([0-9a-f]{32})/.exec(submit.stdout)![1]!;
    const jobDir = join(chk, jobId);
    await waitUntil(() => completed(jobDir).length >= retained, `${retained} completed checkpoints`, 30_000);
    cluster.taskManagers[1]!.kill('SIGKILL');
    // No checkpoint can complete without the killed TaskManager's acks: the newest one stays newest.
    await new Promise((r) => setTimeout(r, 100));
    corrupt(join(jobDir, completed(jobDir)[0]!));
    await cluster.addTaskManager();
    await waitUntil(
      async () =>
        ['FINISHED', 'FAILED', 'CANCELED'].includes((await cluster.rest.getJob(jobId as never)).state),
      'the job to end',
      90_000,
    );
    const job = await cluster.rest.getJob(jobId as never);
    return { state: job.state, failure: job.failure, out };
  } finally {
    await cluster.stop();
  }
}

test('a corrupted newest checkpoint is skipped; the job restores the older one, exactly once', async () => {
  const { state, failure, out } = await run(3);
  assert.equal(state, 'FINISHED', JSON.stringify(failure));
  const lines = readdirSync(out)
    .filter((f) => f.startsWith('part-'))
    .flatMap((f) =>
      readFileSync(join(out, f), 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
  assert.equal(lines.length, KEYS * PER_KEY, 'no duplicates');
  assert.equal(new Set(lines).size, KEYS * PER_KEY, 'nothing lost');
});

test('with no intact checkpoint left, the job fails naming the corrupted checkpoint', async () => {
  const { state, failure } = await run(1);
  assert.equal(state, 'FAILED');
  assert.equal(failure?.code, 'CORRUPTED_CHECKPOINT');
  assert.match(failure?.message ?? '', /corrupt/i);
  assert.match(failure?.message ?? '', /retain more/);
});
