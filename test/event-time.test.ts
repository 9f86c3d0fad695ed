// Event time across TaskManagers on an in-process MiniCluster (real gRPC): timestamps travel with
// records over the network, watermarks in-band, every event-time timer fires exactly once and only
// once the watermark passed it, and side outputs reach their own sink.
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

async function collected(jobId: JobId, sink: string): Promise<unknown[]> {
  const res = await fetch(`http://${cluster.restAddress}/v1/jobs/${jobId}/collect?sink=${sink}`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { records: unknown[] }).records;
}

for (const backend of ['heap', 'leveldb'] as const)
  test(`event-time timers fire once each, after the watermark passed them; side outputs arrive (${backend} state)`, async () => {
    let out = '';
    let err = '';
    const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: {} };
    const records = 5000;
    const code = await main(
      [
        'run',
        '-p',
        '2',
        '-m',
        cluster.restAddress,
        join(import.meta.dirname, 'jobs/event-time.ts'),
        '--',
        '--records',
        String(records),
        '--watermark-interval',
        '0',
        '--state-backend',
        backend,
      ],
      io,
    );
    assert.equal(code, 0, `${out}\n${err}`);
    const jobId = /\b([0-9a-f]{32})\b/.exec(out)![1] as JobId;

    const fired = (await collected(jobId, 'fired')) as string[];
    assert.equal(fired.length, records, 'one timer per event (timestamps are distinct)');
    const times = new Set<number>();
    for (const line of fired) {
      const [key, time, watermark, ts] = line.split(',').map(Number) as [number, number, number, number];
      assert.equal(key, (time / 10) % 5, 'the timer fired under the key that registered it');
      assert.ok(watermark >= time, `timer ${time} fired at watermark ${watermark}`);
      assert.equal(ts, time, 'onTimer output is stamped with the timer time');
      times.add(time);
    }
    assert.equal(times.size, records);
    // Per-record watermarks crossed the network in-band: most timers fired long before the end.
    const early = fired.filter((l) => Number(l.split(',')[2]) < Number.MAX_SAFE_INTEGER).length;
    // (The combined watermark is the minimum of both source subtasks, so about half fire early.)
    assert.ok(early > records / 4, `only ${early} timers fired before the end of input`);
    const sevens = ((await collected(jobId, 'sevens')) as number[]).sort((a, b) => a - b);
    assert.deepEqual(
      sevens,
      Array.from({ length: Math.ceil(records / 7) }, (_, i) => i * 7),
    );
  });
