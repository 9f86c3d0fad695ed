// Credit-based flow control end to end: a fast source feeds a deliberately slow sink on the other
// TaskManager. The producer must be held back by credit (backpressure), the TaskManagers' network
// buffers must stay within what credit allows, and every record must arrive.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startProcessCluster, waitUntil, type ProcessCluster } from './support/process-cluster.ts';

let cluster: ProcessCluster;
before(async () => {
  cluster = await startProcessCluster({
    taskManagers: 2,
    slots: 1,
    config: { 'metrics.port': '0', 'taskmanager.network.buffer-timeout': '10' },
  });
});
after(async () => {
  await cluster.stop();
});

/** Reads one metric (summed over its series) from a TaskManager's /metrics. */
async function metric(address: string, name: string): Promise<number> {
  const text = await (await fetch(`http://${address}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(name) && (line[name.length] === '{' || line[name.length] === ' '))
      sum += Number(line.split(' ').pop());
  return sum;
}

test('a slow consumer backpressures a fast producer without unbounded buffering or loss', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'eddy-flow-'));
  const records = 400_000;
  const submit = await runCli([
    'run',
    '-d',
    '-p',
    '2',
    '-m',
    cluster.restAddress,
    'test/jobs/slow-sink.ts',
    '--',
    '--records',
    String(records),
    '--sink-delay-ms',
    '25',
    '--output',
    out,
  ]);
  assert.equal(submit.code, 0, submit.stderr);
  const jobId = /([0-9a-f]{32})/.exec(submit.stdout)?.[1] as never;
  const tms = (await cluster.rest.taskManagers()) as { taskmanagers: { metricsAddress: string }[] };
  const metricsAddresses = tms.taskmanagers.map((t) => t.metricsAddress).filter((a) => a !== '');
  assert.equal(metricsAddresses.length, 2);

  // While it runs, the buffers held by each TaskManager stay bounded by the credit configuration:
  // per gate 2 channels x 2 exclusive + 8 floating = 12 buffers received, and a bounded queue at
  // each producer subpartition. 400k records is ~100 buffers per subpartition, so an unbounded
  // producer would show far more.
  let maxBuffers = 0;
  let backpressured = 0;
  let state = 'CREATED';
  while (!['FINISHED', 'FAILED', 'CANCELED'].includes(state)) {
    for (const a of metricsAddresses) {
      maxBuffers = Math.max(maxBuffers, await metric(a, 'eddy_task_network_buffers_in_use'));
      backpressured = Math.max(backpressured, await metric(a, 'eddy_task_backpressured_seconds_total'));
    }
    state = (await cluster.rest.getJob(jobId)).state;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.diagnostic(
    `max network buffers held by a TaskManager: ${maxBuffers}; source backpressured ${backpressured.toFixed(2)} s`,
  );
  assert.equal(state, 'FINISHED');
  assert.ok(maxBuffers > 0, 'buffers were in use while the job ran');
  assert.ok(maxBuffers <= 40, `a TaskManager held ${maxBuffers} network buffers`);
  assert.ok(backpressured > 0.2, `the source reported ${backpressured} s of backpressure`);

  // Nothing was lost: counts and sums over both sink subtasks add up.
  await waitUntil(() => readdirSync(out).length === 2, 'both sink subtasks to write their totals', 10_000);
  let count = 0;
  let sum = 0;
  for (const f of readdirSync(out)) {
    const [c, s] = readFileSync(join(out, f), 'utf8').trim().split(' ').map(Number);
    count += c!;
    sum += s!;
  }
  assert.equal(count, records);
  assert.equal(sum, (records * (records + 1)) / 2);
});
