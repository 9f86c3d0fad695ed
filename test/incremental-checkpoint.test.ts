// Incremental checkpoints of the LevelDB backend on a process cluster (JobManager + TaskManagers):
// test/jobs/hot-keys.ts first gives every one of 2000 keys a payload, then updates only 4 hot keys.
// Checked: (a) once the cold keys are in, checkpoints upload a small fraction of what they reference
// (read from the checkpoints' own `_metadata` in storage, and from REST); (b) a TaskManager SIGKILLed
// mid-run restores from an incremental checkpoint and the committed output is exactly once;
// (c) retention deleted shared objects, but none that a retained checkpoint references.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckpointMetadata } from '@eddy/checkpoint';
import { runCli, startProcessCluster, waitUntil, type ProcessCluster } from './support/process-cluster.ts';

const KEYS = 2000;
const HOT = 4;
const PER_KEY = 2500;

/** Every `_metadata` currently in the job's checkpoint directory, by checkpoint id. */
function readMetadata(jobDir: string, into: Map<number, CheckpointMetadata>): void {
  if (!existsSync(jobDir)) return;
  for (const d of readdirSync(jobDir)) {
    const m = /^chk-(\d+)$/.exec(d);
    if (m === null || into.has(Number(m[1]))) continue;
    try {
      into.set(
        Number(m[1]),
        JSON.parse(readFileSync(join(jobDir, d, '_metadata'), 'utf8')) as CheckpointMetadata,
      );
    } catch {
      // Not complete yet, or being deleted.
    }
  }
}

function handles(m: CheckpointMetadata): { path: string; size: number; shared?: boolean }[] {
  return m.operators.flatMap((o) => o.subtasks.flatMap((s) => s.objects));
}

test('LevelDB incremental checkpoints: smaller uploads, exactly-once restore, safe retention', async () => {
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
      },
    });
    const out = mkdtempSync(join(tmpdir(), 'eddy-inc-out-'));
    const chk = mkdtempSync(join(tmpdir(), 'eddy-inc-chk-'));
    const submit = await runCli([
      'run',
      '-d',
      '-p',
      // Every TaskManager runs a subtask, so that any killed one hits the job.
      '3',
      '-m',
      cluster.restAddress,
      'test/jobs/hot-keys.ts',
      '--',
      '--keys',
      String(KEYS),
      '--hot',
      String(HOT),
      '--per-key',
      String(PER_KEY),
      '--rate',
      '1500',
      '--checkpoint-interval',
      '250',
      '--retained-checkpoints',
      '3',
      '--checkpoint-dir',
      `file://${chk}`,
      '--output',
      out,
    ]);
    assert.equal(submit.code, 0, submit.stderr);
    const jobId = /([0-9a-f]{32})/.exec(submit.stdout)![1] as never;
    const jobDir = join(chk, jobId);
    const seen = new Map<number, CheckpointMetadata>();
    const poll = setInterval(() => readMetadata(jobDir, seen), 50);
    try {
      // Wait for incremental checkpoints after the cold keys are in, then kill a TaskManager.
      await waitUntil(
        async () => {
          const h = (await cluster!.rest.checkpoints(jobId)).history as readonly {
            status: string;
            stateSize?: number;
            checkpointedSize?: number;
          }[];
          const done = h.filter((r) => r.status === 'completed');
          const full = Math.max(0, ...done.map((r) => r.stateSize ?? 0));
          return (
            done.filter((r) => (r.stateSize ?? 0) > 0.9 * full && (r.checkpointedSize ?? full) < 0.2 * full)
              .length >= 2
          );
        },
        'incremental checkpoints',
        60_000,
      );
      const victim = cluster.taskManagers[0]!;
      victim.kill('SIGKILL');
      await cluster.addTaskManager();
      await waitUntil(
        async () => ['FINISHED', 'FAILED', 'CANCELED'].includes((await cluster!.rest.getJob(jobId)).state),
        'the job to end',
        120_000,
      );
    } finally {
      clearInterval(poll);
    }
    const job = await cluster.rest.getJob(jobId);
    assert.equal(job.state, 'FINISHED', JSON.stringify(job.failure));
    assert.ok(job.restarts >= 1, 'the kill hit the running job');

    // (b) exactly once.
    const lines = new Map<string, number>();
    for (const f of readdirSync(out)) {
      if (!f.startsWith('part-')) continue;
      for (const l of readFileSync(join(out, f), 'utf8').split('\n'))
        if (l !== '') lines.set(l, (lines.get(l) ?? 0) + 1);
    }
    const dup = [...lines].filter(([, n]) => n > 1).map(([l]) => l);
    assert.deepEqual(dup.slice(0, 10), []);
    const missing: string[] = [];
    for (let k = 0; k < KEYS; k++) {
      for (let s = 0; s < (k < HOT ? PER_KEY : 1); s++)
        if (!lines.has(`${k},${s}`)) missing.push(`${k},${s}`);
    }
    assert.deepEqual(missing.slice(0, 10), []);
    assert.equal(lines.size, KEYS - HOT + HOT * PER_KEY);

    // (a) from storage: what each checkpoint uploaded = its own objects + shared ones that the
    // checkpoint before it did not reference.
    readMetadata(jobDir, seen);
    const ids = [...seen.keys()].sort((a, b) => a - b);
    const rows: { id: number; total: number; uploaded: number }[] = [];
    for (const id of ids) {
      const prev = seen.get(id - 1);
      if (prev === undefined) continue;
      const before = new Set(
        handles(prev)
          .filter((h) => h.shared === true)
          .map((h) => h.path),
      );
      const hs = handles(seen.get(id)!);
      rows.push({
        id,
        total: hs.reduce((n, h) => n + h.size, 0),
        uploaded: hs.filter((h) => h.shared !== true || !before.has(h.path)).reduce((n, h) => n + h.size, 0),
      });
    }
    const full = Math.max(...rows.map((r) => r.total));
    const first = ids
      .map((id) => handles(seen.get(id)!).reduce((n, h) => n + h.size, 0))
      .find((t) => t > 0.9 * full)!;
    const small = rows.filter((r) => r.total > 0.9 * full && r.uploaded < 0.2 * first);
    console.log(
      `checkpoints seen ${ids.length}; full state ${full} B; incremental uploads: ${small
        .slice(0, 8)
        .map((r) => `chk-${r.id} ${r.uploaded} B`)
        .join(', ')}`,
    );
    assert.ok(
      small.length >= 2,
      `expected small incremental uploads, got ${JSON.stringify(rows.slice(0, 20))}`,
    );
    assert.ok(
      [...seen.values()].some((m) => handles(m).some((h) => h.shared === true)),
      'checkpoints reference shared objects',
    );

    // (c) every shared object a retained checkpoint references exists with its size; retention
    // deleted others.
    const retained = readdirSync(jobDir).filter(
      (d) => /^chk-\d+$/.test(d) && existsSync(join(jobDir, d, '_metadata')),
    );
    assert.ok(retained.length >= 1 && retained.length <= 3, `retained: ${retained.join(' ')}`);
    const sharedDir = join(jobDir, 'shared');
    for (const d of retained) {
      const m = JSON.parse(readFileSync(join(jobDir, d, '_metadata'), 'utf8')) as CheckpointMetadata;
      for (const h of handles(m)) {
        const p = h.shared === true ? join(sharedDir, h.path) : join(jobDir, d, h.path);
        assert.ok(existsSync(p), `${d} references ${h.path}, which retention deleted`);
        assert.equal(statSync(p).size, h.size);
      }
    }
    const everReferenced = new Set(
      [...seen.values()].flatMap((m) =>
        handles(m)
          .filter((h) => h.shared === true)
          .map((h) => h.path),
      ),
    );
    const present = readdirSync(sharedDir).filter((f) => !f.startsWith('.'));
    assert.ok(
      present.length < everReferenced.size,
      `retention deleted no shared object (${present.length} present)`,
    );
  } finally {
    await cluster?.stop();
  }
});
