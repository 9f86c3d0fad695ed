// Exactly-once under faults: seq-check on a JobManager and 3 TaskManagers at parallelism 3, with a
// random TaskManager SIGKILLed every few seconds (a replacement started each time). The committed
// output must hold every (key, seq) exactly once. Runs for both state backends (heap, LevelDB), on local disk and on S3
// (a real S3-compatible server started here).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server } from '@eddy/checkpoint/testing';
import { runCli, startProcessCluster, waitUntil, type ProcessCluster } from './support/process-cluster.ts';
import { prng } from './support/text.ts';

const SEED = Number(process.env['EDDY_TEST_SEED'] ?? Date.now() % 100_000);
const KEYS = 30;
const PER_KEY = 1500;

let s3: Awaited<ReturnType<typeof startS3Server>>;
before(async () => {
  s3 = await startS3Server();
});
after(async () => {
  await s3.stop();
});

/** Every committed line, checked for exactly-once. */
function assertExactlyOnce(dir: string): void {
  const seen = new Map<string, number>();
  for (const f of readdirSync(dir)) {
    if (!f.startsWith('part-')) continue;
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (line === '') continue;
      seen.set(line, (seen.get(line) ?? 0) + 1);
    }
  }
  const duplicated = [...seen].filter(([, n]) => n > 1).map(([l]) => l);
  const missing: string[] = [];
  for (let k = 0; k < KEYS; k++)
    for (let s = 0; s < PER_KEY; s++) if (!seen.has(`${k},${s}`)) missing.push(`${k},${s}`);
  assert.equal(duplicated.length, 0, `duplicated: ${duplicated.slice(0, 10).join(' ')}`);
  assert.equal(missing.length, 0, `lost: ${missing.slice(0, 10).join(' ')}`);
  assert.equal(seen.size, KEYS * PER_KEY);
}

async function runWithKills(
  name: string,
  backend: 'heap' | 'leveldb',
  checkpointDir: string,
  extraConfig: Record<string, string>,
): Promise<void> {
  const rnd = prng(SEED);
  let cluster: ProcessCluster | undefined;
  try {
    cluster = await startProcessCluster({
      taskManagers: 3,
      slots: 1,
      config: {
        'heartbeat.interval': '200',
        'heartbeat.timeout': '1500',
        'restart-strategy.exponential-delay.initial-backoff': '100',
        'restart-strategy.exponential-delay.max-backoff': '1000',
        'restart-strategy.max-attempts': '0',
        ...extraConfig,
      },
    });
    const out = mkdtempSync(join(tmpdir(), `eddy-eo-${name}-`));
    const submit = await runCli([
      'run',
      '-d',
      '-p',
      '3',
      '-m',
      cluster.restAddress,
      'examples/seq-check.ts',
      '--',
      '--keys',
      String(KEYS),
      '--per-key',
      String(PER_KEY),
      '--rate',
      '5000',
      '--checkpoint-interval',
      '300',
      '--checkpoint-dir',
      checkpointDir,
      '--output',
      out,
      '--state-backend',
      backend,
    ]);
    assert.equal(submit.code, 0, submit.stderr);
    const jobId = /([0-9a-f]{32})/.exec(submit.stdout)![1] as never;
    const killed = new Set<number>();
    for (let kill = 0; kill < 3; kill++) {
      await new Promise((r) => setTimeout(r, 1500 + Math.floor(rnd() * 1500)));
      const job = await cluster.rest.getJob(jobId);
      if (job.state === 'FINISHED') break;
      const alive = cluster.taskManagers.filter((t) => !killed.has(t.pid));
      const victim = alive[Math.floor(rnd() * alive.length)]!;
      victim.kill('SIGKILL');
      killed.add(victim.pid);
      await cluster.addTaskManager();
    }
    await waitUntil(
      async () => ['FINISHED', 'FAILED', 'CANCELED'].includes((await cluster!.rest.getJob(jobId)).state),
      'the job to end',
      120_000,
    );
    const job = await cluster.rest.getJob(jobId);
    assert.equal(job.state, 'FINISHED', `seed ${SEED}: ${JSON.stringify(job.failure)}`);
    assert.ok(job.restarts >= 1, 'the kills hit the running job');
    assertExactlyOnce(out);
  } finally {
    await cluster?.stop();
  }
}

const S3_CONFIG = (): Record<string, string> => ({
  's3.endpoint': s3.endpoint,
  's3.access-key': s3.accessKeyId,
  's3.secret-key': s3.secretAccessKey,
  's3.path-style-access': 'true',
});

for (const backend of ['heap', 'leveldb'] as const) {
  test(`exactly once under TaskManager kills, ${backend} backend, local checkpoints (seed ${SEED})`, async () => {
    await runWithKills(`${backend}-fs`, backend, `file://${mkdtempSync(join(tmpdir(), 'eddy-eo-chk-'))}`, {});
  });
  test(`exactly once under TaskManager kills, ${backend} backend, S3 checkpoints (seed ${SEED})`, async () => {
    await runWithKills(`${backend}-s3`, backend, `s3://${s3.bucket}/checkpoints-${backend}`, S3_CONFIG());
  });
}
