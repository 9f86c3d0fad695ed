// Word count on a JobManager and two TaskManagers, all separate processes: the hash shuffle runs
// over gRPC between the TaskManagers, and the result must equal a naive count.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startProcessCluster, type ProcessCluster } from './support/process-cluster.ts';
import { generateText, naiveWordCount, readWordCounts } from './support/text.ts';

const dir = mkdtempSync(join(tmpdir(), 'eddy-wordcount-'));
let cluster: ProcessCluster;

before(async () => {
  cluster = await startProcessCluster({ taskManagers: 2, slots: 1 });
});
after(async () => {
  await cluster.stop();
});

test('word count across 2 TaskManagers equals a naive count', async () => {
  const text = generateText(60_000, 7);
  const input = join(dir, 'input.txt');
  const output = join(dir, 'counts.tsv');
  writeFileSync(input, text);
  const r = await runCli([
    'run',
    '-p',
    '2',
    '-m',
    cluster.restAddress,
    'examples/wordcount.ts',
    '--',
    '--input',
    input,
    '--output',
    output,
  ]);
  assert.equal(r.code, 0, `eddy run failed:\n${r.stdout}\n${r.stderr}`);
  const jobId = /([0-9a-f]{32})/.exec(r.stdout)?.[1];
  assert.ok(jobId, `no job id in:\n${r.stdout}`);
  assert.deepEqual(readWordCounts(output), naiveWordCount(text));

  // Both TaskManagers ran subtasks of the keyed vertex, so records crossed between them.
  const job = await cluster.rest.getJob(jobId as never);
  assert.equal(job.state, 'FINISHED');
  const tms = new Set(job.vertices.flatMap((v) => v.tasks.map((t) => t['taskManagerId'])));
  assert.equal(tms.size, 2, `tasks ran on ${[...tms].join(', ')}`);
});

test('relative paths resolve against the directory eddy run was started in', async () => {
  writeFileSync(join(dir, 'small.txt'), "It's a small, small world\n");
  const r = await runCli(
    [
      'run',
      '-p',
      '2',
      '-m',
      cluster.restAddress,
      join(process.cwd(), 'examples/wordcount.ts'),
      '--',
      '--input',
      'small.txt',
      '--output',
      'small.tsv',
    ],
    { cwd: dir },
  );
  assert.equal(r.code, 0, `eddy run failed:\n${r.stdout}\n${r.stderr}`);
  assert.deepEqual(
    readWordCounts(join(dir, 'small.tsv')),
    new Map([
      ["it's", 1],
      ['a', 1],
      ['small', 2],
      ['world', 1],
    ]),
  );
});
