// Savepoints end to end on real processes (a JobManager and 3 TaskManagers of 2 slots), driven with
// bin/eddy as a user would: a savepoint of a running seq-check job, stop-with-savepoint, and
// restores at parallelism 2 and 5 whose committed output holds every (key, seq) exactly once;
// savepoint state for an operator the new job lacks (refused, then allowed); disposing savepoints;
// and the REST API's error answers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobDetails } from '@eddy/cli';
import type { JobId } from '@eddy/common';
import {
  runCli,
  startProcessCluster,
  waitUntil,
  type CliResult,
  type ProcessCluster,
} from './support/process-cluster.ts';

const KEYS = 30;
const PER_KEY = 1500;
// 45,000 records at 3,000/s: the first run lasts about 15 s, long enough for a savepoint and a stop.
const RATE = 3000;

let cluster: ProcessCluster;
const root = mkdtempSync(join(tmpdir(), 'eddy-savepoint-test-'));
const show = (r: CliResult): string => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
// -m after the command name: main.ts looks at argv[0] for the command.
const eddy = (command: string, ...args: string[]): Promise<CliResult> =>
  runCli([command, '-m', cluster.restAddress, ...args], { env: { EDDY_JOBMANAGER: '' } });

before(async () => {
  cluster = await startProcessCluster({
    taskManagers: 3,
    slots: 2,
    config: { 'restart-strategy.type': 'none' },
  });
});
after(async () => {
  await cluster?.stop();
  rmSync(root, { recursive: true, force: true });
});

function jobIdIn(text: string): JobId {
  const id = /\b([0-9a-f]{32})\b/.exec(text)?.[1];
  assert.ok(id !== undefined, `no job id in:\n${text}`);
  return id as JobId;
}

const allRunning = (j: JobDetails): boolean =>
  j.state === 'RUNNING' && j.vertices.every((v) => v.tasks.every((t) => t['state'] === 'RUNNING'));

async function waitForAllRunning(jobId: JobId): Promise<void> {
  await waitUntil(
    async () => allRunning(await cluster.rest.getJob(jobId)),
    `every task of ${jobId} to run`,
    60_000,
  );
}

async function waitForEnd(jobId: JobId): Promise<JobDetails> {
  let job: JobDetails | undefined;
  await waitUntil(
    async () => ['FINISHED', 'CANCELED', 'FAILED'].includes((job = await cluster.rest.getJob(jobId)).state),
    `job ${jobId} to end`,
    120_000,
  );
  return job!;
}

/** Every committed line of seq-check's output, checked for exactly-once. */
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
  assert.equal(duplicated.length, 0, `${dir}: duplicated: ${duplicated.slice(0, 10).join(' ')}`);
  assert.equal(missing.length, 0, `${dir}: lost ${missing.length}: ${missing.slice(0, 10).join(' ')}`);
  assert.equal(seen.size, KEYS * PER_KEY);
}

/** The parts of REST answers the tests look at. */
interface RestBody {
  readonly errors: readonly { readonly code: string; readonly message: string }[];
  readonly latest?: { readonly path?: unknown } | null;
}

async function rest(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: RestBody }> {
  const res = await fetch(`http://${cluster.restAddress}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, json: (await res.json()) as RestBody };
}

const seqArgs = (output: string): string[] => [
  '--',
  '--keys',
  String(KEYS),
  '--per-key',
  String(PER_KEY),
  '--rate',
  String(RATE),
  '--checkpoint-interval',
  '500',
  '--checkpoint-dir',
  `file://${join(root, 'checkpoints')}`,
  '--output',
  output,
];

// Shared by the tests below, in order.
let stoppedJob: JobId | undefined;
let firstSavepoint = '';
const stopSavepoint = join(root, 'stop-savepoint');

test('savepoint of a running job, stop with a savepoint, restore at parallelism 2 and 5: exactly once', async () => {
  const out = join(root, 'out');
  const submitted = await eddy('run', '-d', '-p', '3', 'examples/seq-check.ts', ...seqArgs(out));
  assert.equal(submitted.code, 0, show(submitted));
  const jobId = jobIdIn(submitted.stdout);
  stoppedJob = jobId;
  await waitForAllRunning(jobId);

  // A savepoint without a directory goes under the job's checkpoint storage.
  const sp = await eddy('savepoint', jobId);
  assert.equal(sp.code, 0, show(sp));
  firstSavepoint = sp.stdout.trim();
  assert.match(
    firstSavepoint,
    new RegExp(`/checkpoints/savepoints/savepoint-${jobId.slice(0, 6)}-[0-9a-f]+$`),
  );
  const firstDir = firstSavepoint.replace(/^file:\/\//, '');
  assert.ok(existsSync(join(firstDir, '_metadata')), `${firstDir}/_metadata exists`);

  const checkpoints = await eddy('checkpoints', jobId, '--json');
  assert.equal(checkpoints.code, 0, show(checkpoints));
  const stats = JSON.parse(checkpoints.stdout) as {
    counts: { completed: number };
    history: { kind: string; status: string; path?: string }[];
  };
  assert.ok(
    stats.history.some((h) => h.kind === 'savepoint' && h.status === 'completed'),
    checkpoints.stdout,
  );
  assert.ok(stats.counts.completed >= 1);
  const table = await eddy('checkpoints', jobId);
  assert.match(table.stdout, /^ID\s+KIND\s+STATUS/m);
  assert.match(table.stdout, /\bsavepoint\s+COMPLETED\b/);

  const stop = await eddy('stop', jobId, '--savepoint-path', stopSavepoint);
  assert.equal(stop.code, 0, show(stop));
  // The location is the directory as given (made absolute by the CLI).
  assert.equal(stop.stdout.trim(), stopSavepoint);
  const ended = await waitForEnd(jobId);
  assert.ok(['CANCELED', 'FINISHED'].includes(ended.state), `stopped job is ${ended.state}`);
  assert.ok(existsSync(join(stopSavepoint, '_metadata')));
  const metadata = JSON.parse(readFileSync(join(stopSavepoint, '_metadata'), 'utf8')) as {
    kind: string;
    checkpointId: number;
  };
  assert.equal(metadata.kind, 'savepoint');

  // The output as it was at the stop, for the second restore.
  const out5 = join(root, 'out-5');
  cpSync(out, out5, { recursive: true });

  for (const [p, dir] of [
    ['2', out],
    ['5', out5],
  ] as const) {
    const restored = await eddy(
      'run',
      '-p',
      p,
      '--from-savepoint',
      stopSavepoint,
      'examples/seq-check.ts',
      ...seqArgs(dir),
    );
    assert.equal(restored.code, 0, `restore at -p ${p}: ${show(restored)}`);
    assert.match(restored.stdout, /FINISHED/);
    assertExactlyOnce(dir);
    // Checkpoint ids continue after the savepoint's: the sink's part-<subtask>-<id> files of the
    // restored run never reuse an id of the first run.
    const restoredId = jobIdIn(restored.stdout);
    const history = (await cluster.rest.checkpoints(restoredId)).history;
    assert.ok(
      history.every((h) => h.id > metadata.checkpointId),
      `ids after ${metadata.checkpointId}: ${history.map((h) => h.id).join(',')}`,
    );
  }
});

test('savepoint state of an operator the new job lacks: refused, then accepted with --allow-non-restored-state', async () => {
  const checkpointDir = `file://${join(root, 'ticks-checkpoints')}`;
  const first = await eddy(
    'run',
    '-d',
    '-p',
    '2',
    'test/jobs/counting-ticks.ts',
    '--',
    '--checkpoint-dir',
    checkpointDir,
  );
  assert.equal(first.code, 0, show(first));
  const jobId = jobIdIn(first.stdout);
  await waitForAllRunning(jobId);
  const savepoint = join(root, 'ticks-savepoint');
  const stop = await eddy('stop', jobId, '--savepoint-path', savepoint);
  assert.equal(stop.code, 0, show(stop));

  const args = ['test/jobs/counting-ticks-without-counter.ts', '--', '--checkpoint-dir', checkpointDir];
  const refused = await eddy('run', '-d', '-s', savepoint, ...args);
  assert.equal(refused.code, 1, show(refused));
  assert.match(refused.stderr, /^eddy: savepoint .* has state for operator uid 'counter' that the job/m);
  assert.match(refused.stderr, /--allow-non-restored-state/);
  assert.doesNotMatch(refused.stdout, /Job submitted/);

  const accepted = await eddy('run', '-d', '-s', savepoint, '--allow-non-restored-state', ...args);
  assert.equal(accepted.code, 0, show(accepted));
  const restored = jobIdIn(accepted.stdout);
  await waitForAllRunning(restored);
  const cancel = await eddy('cancel', restored);
  assert.equal(cancel.code, 0, show(cancel));
  await waitForEnd(restored);

  // --allow-non-restored-state alone is a usage error.
  const alone = await eddy('run', '-d', '--allow-non-restored-state', ...args);
  assert.equal(alone.code, 2, show(alone));
  assert.match(alone.stderr, /--allow-non-restored-state only applies to a restore/);
});

test('a missing or corrupted savepoint is refused with a clear message', async () => {
  assert.ok(existsSync(join(stopSavepoint, '_metadata')), 'runs after the first test');
  const args = ['examples/seq-check.ts', ...seqArgs(join(root, 'never'))];
  const missing = await eddy('run', '-d', '-s', join(root, 'no-such-savepoint'), ...args);
  assert.equal(missing.code, 1, show(missing));
  assert.match(missing.stderr, /^eddy: no savepoint at \/.*\/no-such-savepoint: it has no _metadata/);

  const corrupted = join(root, 'corrupted-savepoint');
  cpSync(stopSavepoint, corrupted, { recursive: true });
  const victim = readdirSync(corrupted).find((f) => f !== '_metadata')!;
  writeFileSync(join(corrupted, victim), 'not the state that was written');
  const r = await eddy('run', '-d', '-s', corrupted, ...args);
  assert.equal(r.code, 1, show(r));
  assert.match(r.stderr, new RegExp(`corrupted checkpoint \\d+ at file://${corrupted}/: object '${victim}'`));
});

test('REST errors: unknown job 404, savepoint of an ended job 409, drain 400, unknown request 404', async () => {
  assert.ok(stoppedJob !== undefined, 'runs after the first test');
  const unknown = 'ab'.repeat(16);
  const notFound = await rest('POST', `/v1/jobs/${unknown}/savepoints`, {});
  assert.equal(notFound.status, 404);
  assert.equal(notFound.json.errors[0]?.code, 'JOB_NOT_FOUND');
  assert.equal((await rest('GET', `/v1/jobs/${unknown}/checkpoints`)).status, 404);

  const ended = await rest('POST', `/v1/jobs/${stoppedJob}/savepoints`, {});
  assert.equal(ended.status, 409);
  assert.equal(ended.json.errors[0]?.code, 'JOB_NOT_RUNNING');
  assert.match(
    ended.json.errors[0]?.message ?? '',
    /is (CANCELED|FINISHED): savepoints can be taken only of a running job/,
  );
  const cli = await eddy('savepoint', stoppedJob);
  assert.equal(cli.code, 1, show(cli));
  assert.match(cli.stderr, /^eddy: job [0-9a-f]{32} is (CANCELED|FINISHED): savepoints can be taken only/);
  const cliUnknown = await eddy('stop', unknown);
  assert.equal(cliUnknown.code, 1, show(cliUnknown));
  assert.match(cliUnknown.stderr, new RegExp(`^eddy: no job with id ${unknown}`));

  const drain = await rest('POST', `/v1/jobs/${stoppedJob}/stop`, { targetDirectory: '/tmp/x', drain: true });
  assert.equal(drain.status, 409, 'a job that ended cannot be stopped, with or without drain');

  const badTarget = await rest('POST', `/v1/jobs/${stoppedJob}/savepoints`, { targetDirectory: 'relative' });
  assert.equal(badTarget.status, 400);
  const request = await rest('GET', `/v1/jobs/${stoppedJob}/savepoints/${'0'.repeat(32)}`);
  assert.equal(request.status, 404);
  assert.equal(request.json.errors[0]?.code, 'SAVEPOINT_REQUEST_NOT_FOUND');
  const stats = await rest('GET', `/v1/jobs/${stoppedJob}/checkpoints`);
  assert.equal(stats.status, 200);
  assert.ok(typeof stats.json.latest?.path === 'string');
});

test('savepoint --dispose removes a savepoint and refuses anything else', async () => {
  assert.ok(firstSavepoint !== '', 'runs after the first test');
  const dir = firstSavepoint.replace(/^file:\/\//, '');
  const r = await eddy('savepoint', '--dispose', dir);
  assert.equal(r.code, 0, show(r));
  assert.match(r.stderr, /Disposed of savepoint/);
  assert.equal(existsSync(join(dir, '_metadata')), false);
  assert.deepEqual(existsSync(dir) ? readdirSync(dir) : [], []);

  // Not a savepoint: the output directory (no _metadata), and a retained checkpoint.
  const notSavepoint = await eddy('savepoint', '--dispose', join(root, 'out'));
  assert.equal(notSavepoint.code, 1, show(notSavepoint));
  assert.match(notSavepoint.stderr, /no _metadata at .*: it is not a checkpoint or savepoint directory/);
  assert.ok(
    readdirSync(join(root, 'out')).some((f) => f.startsWith('part-')),
    'output untouched',
  );
  const jobs = readdirSync(join(root, 'checkpoints')).filter((f) => /^[0-9a-f]{32}$/.test(f));
  const chk = jobs
    .flatMap((j) => readdirSync(join(root, 'checkpoints', j)).map((c) => join(root, 'checkpoints', j, c)))
    .find((c) => existsSync(join(c, '_metadata')));
  assert.ok(chk !== undefined, 'the stopped and restored jobs retained a checkpoint');
  const refused = await eddy('savepoint', '--dispose', chk);
  assert.equal(refused.code, 1, show(refused));
  assert.match(refused.stderr, /holds a checkpoint, not a savepoint/);
  assert.ok(existsSync(join(chk, '_metadata')));
  const both = await eddy('savepoint', 'ab'.repeat(16), '--dispose', dir);
  assert.equal(both.code, 2, show(both));
});
