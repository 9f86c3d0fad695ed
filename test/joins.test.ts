// Window join, coGroup, keyed connected streams and keyed broadcast state end to end on an in-process
// MiniCluster (real gRPC, 2 TaskManagers, -p 2), compared with naive references.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { MiniCluster, main, type CliIo } from '@eddy/cli';
import type { JobId } from '@eddy/common';

let cluster: MiniCluster;
before(async () => {
  cluster = await MiniCluster.start({ taskManagers: 2, slotsPerTaskManager: 1 });
});
after(async () => {
  await cluster.close();
});

async function collected(jobId: JobId, sink: string): Promise<string[]> {
  const res = await fetch(`http://${cluster.restAddress}/v1/jobs/${jobId}/collect?sink=${sink}`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { records: string[] }).records.sort();
}

test('window join, coGroup, keyed connect and broadcast state equal naive references', async () => {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: {} };
  const n = 200;
  const code = await main(
    [
      'run',
      '-p',
      '2',
      '-m',
      cluster.restAddress,
      join(import.meta.dirname, 'jobs/joins.ts'),
      '--',
      '--orders',
      String(n),
    ],
    io,
  );
  assert.equal(code, 0, `${out}\n${err}`);
  const jobId = /\b([0-9a-f]{32})\b/.exec(out)![1] as JobId;

  const orders = Array.from({ length: n }, (_, i) => ({ id: i, ts: i * 3, user: `u${i % 7}` }));
  const clicks = Array.from({ length: (n * 3) / 2 }, (_, i) => ({ id: i, ts: i * 2, user: `u${i % 5}` }));
  const win = (ts: number): number => Math.floor(ts / 50);

  const joined: string[] = [];
  for (const o of orders)
    for (const c of clicks)
      if (o.user === c.user && win(o.ts) === win(c.ts)) joined.push(`${o.user},${o.id},${c.id}`);
  assert.deepEqual(await collected(jobId, 'join'), joined.sort());

  const groups = new Map<string, [number, number]>();
  for (const o of orders) {
    const k = `${o.user},${win(o.ts)}`;
    groups.set(k, [(groups.get(k)?.[0] ?? 0) + 1, groups.get(k)?.[1] ?? 0]);
  }
  for (const c of clicks) {
    const k = `${c.user},${win(c.ts)}`;
    groups.set(k, [groups.get(k)?.[0] ?? 0, (groups.get(k)?.[1] ?? 0) + 1]);
  }
  assert.deepEqual(
    await collected(jobId, 'cogroup'),
    [...groups].map(([k, [a, b]]) => `${k},${a},${b}`).sort(),
  );

  const users = new Set([...orders, ...clicks].map((e) => e.user));
  assert.deepEqual(
    await collected(jobId, 'connected'),
    [...users]
      .map(
        (u) =>
          `${u},${orders.filter((o) => o.user === u).length},${clicks.filter((c) => c.user === u).length}`,
      )
      .sort(),
  );

  // Every subtask of the broadcast operator received every rule.
  assert.deepEqual(await collected(jobId, 'broadcast'), ['0,u0', '0,u1', '0,u2', '1,u0', '1,u1', '1,u2']);
});
