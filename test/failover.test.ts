// A TaskManager SIGKILLed mid-job: the JobManager notices within the heartbeat timeout, restarts
// the job once a TaskManager is available again, and the job finishes with the correct output.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startProcessCluster, waitUntil, type ProcessCluster } from './support/process-cluster.ts';
import { generateText, naiveWordCount, readWordCounts } from './support/text.ts';

let cluster: ProcessCluster;
before(async () => {
  cluster = await startProcessCluster({
    taskManagers: 2,
    slots: 1,
    config: {
      'heartbeat.interval': '200',
      'heartbeat.timeout': '1500',
      'restart-strategy.exponential-delay.initial-backoff': '200',
    },
  });
});
after(async () => {
  await cluster.stop();
});

test('a SIGKILLed TaskManager fails the job over to a replacement, and the output is still correct', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-failover-'));
  const text = generateText(40_000, 11);
  const input = join(dir, 'input.txt');
  const output = join(dir, 'counts.tsv');
  writeFileSync(input, text);
  const submit = await runCli([
    'run',
    '-d',
    '-p',
    '2',
    '-m',
    cluster.restAddress,
    'test/jobs/slow-wordcount.ts',
    '--',
    '--input',
    input,
    '--output',
    output,
    '--pause-ms',
    '10',
  ]);
  assert.equal(submit.code, 0, submit.stderr);
  const jobId = /([0-9a-f]{32})/.exec(submit.stdout)?.[1] as never;

  await waitUntil(
    async () => {
      const job = await cluster.rest.getJob(jobId);
      return (
        job.state === 'RUNNING' && job.vertices.every((v) => v.tasks.every((t) => t['state'] === 'RUNNING'))
      );
    },
    'every task to run',
    30_000,
  );
  await new Promise((r) => setTimeout(r, 300));
  const victim = cluster.taskManagers[1]!;
  victim.kill('SIGKILL');
  const killedAt = Date.now();
  await waitUntil(
    async () => {
      const job = await cluster.rest.getJob(jobId);
      return job.restarts >= 1 || job.state === 'RESTARTING';
    },
    'the job to fail over',
    10_000,
  );
  const noticedAfter = Date.now() - killedAt;
  assert.ok(noticedAfter < 1500 + 2000, `the loss was noticed after ${noticedAfter} ms`);

  // One slot is left but the job needs two: it waits until a replacement registers.
  await cluster.addTaskManager();
  const done = await cluster.rest.waitForJob(jobId);
  assert.equal(done.state, 'FINISHED', JSON.stringify(done.failure));
  assert.ok(done.restarts >= 1);
  assert.deepEqual(readWordCounts(output), naiveWordCount(text));
  const history = (await (
    await fetch(`http://${cluster.restAddress}/v1/jobs/${jobId}/exceptions`)
  ).json()) as {
    history: { error: { code: string; message: string } }[];
  };
  assert.ok(
    // Noticed by the heartbeat timeout or, sooner, by a broken connection to it: either names it.
    history.history.some((h) => h.error.message.includes(victim.id)),
    JSON.stringify(history),
  );
});
