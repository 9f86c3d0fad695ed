// The `eddy` command as a user runs it (bin/eddy, one process per command) against a cluster it
// started itself with `eddy cluster start`: detached runs, list/info/cancel, a failing job, usage
// errors, and `eddy cluster stop`. EDDY_HOME is a fresh temporary directory and every port is picked
// by the OS, so the test never meets a developer's cluster on 8081. Commands after `cluster start`
// pass no -m: they find the cluster through $EDDY_HOME/cluster.json.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestClient, isProcessAlive, readClusterState, type ClusterState, type JobDetails } from '@eddy/cli';
import type { JobId } from '@eddy/common';
import { runCli, waitUntil, type CliResult } from './support/process-cluster.ts';

const home = mkdtempSync(join(tmpdir(), 'eddy-cli-home-'));
// An EDDY_JOBMANAGER of the developer's shell must not redirect the commands (empty means unset).
const env: NodeJS.ProcessEnv = { EDDY_HOME: home, EDDY_JOBMANAGER: '' };
const eddy = (...args: string[]): Promise<CliResult> => runCli(args, { env, timeoutMs: 60_000 });
const show = (r: CliResult): string => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

let restAddress = '';
let started: ClusterState | undefined;

before(async () => {
  const r = await eddy(
    'cluster',
    'start',
    '--taskmanagers',
    '2',
    '--rest-port',
    '0',
    '-D',
    'jobmanager.rpc.port=0',
    '-D',
    'metrics.port=0',
    '-D',
    'restart-strategy.type=none',
  );
  started = readClusterState(home);
  assert.equal(r.code, 0, show(r));
  restAddress = /REST http:\/\/(\S+:\d+) \(2 TaskManagers\)/.exec(r.stdout)?.[1] ?? '';
  assert.notEqual(restAddress, '', `no REST address on stdout:\n${show(r)}`);
});

after(() => {
  // Safety net when a test failed before `cluster stop`: the pids are the ones this file started.
  for (const p of started?.processes ?? []) {
    if (isProcessAlive(p.pid)) process.kill(p.pid, 'SIGKILL');
  }
  rmSync(home, { recursive: true, force: true });
});

function jobIdIn(text: string): JobId {
  const id = /\b([0-9a-f]{32})\b/.exec(text)?.[1];
  assert.ok(id !== undefined, `no job id in:\n${text}`);
  return id as JobId;
}

test('cluster start records a JobManager and 2 TaskManagers under EDDY_HOME', () => {
  assert.ok(started !== undefined, 'cluster.json written');
  assert.equal(started.restAddress, restAddress);
  assert.deepEqual(started.processes.map((p) => p.role).sort(), ['jobmanager', 'taskmanager', 'taskmanager']);
  for (const p of started.processes) assert.ok(isProcessAlive(p.pid), `pid ${p.pid} (${p.role}) runs`);
});

test('a second cluster start is refused while the first runs', async () => {
  const r = await eddy('cluster', 'start', '--taskmanagers', '1', '--rest-port', '0');
  assert.equal(r.code, 1, show(r));
  assert.match(
    r.stderr,
    /^eddy: a cluster is already running \(REST http:\/\/\S+, pids [\d, ]+\): stop it first/,
  );
  assert.deepEqual(readClusterState(home), started, 'cluster.json untouched');
});

test('run -d, then list, info and cancel a long-running job', async () => {
  const submitted = await eddy('run', '-d', '-p', '2', 'test/jobs/endless.ts', '--', '--name', 'endless-cli');
  assert.equal(submitted.code, 0, show(submitted));
  const jobId = jobIdIn(submitted.stdout);

  // Poll over REST (fast); then look with the CLI once every task runs.
  const rest = new RestClient(restAddress);
  const allRunning = (j: JobDetails): boolean =>
    j.state === 'RUNNING' && j.vertices.every((v) => v.tasks.every((t) => t['state'] === 'RUNNING'));
  await waitUntil(async () => allRunning(await rest.getJob(jobId)), 'every task of the job to run', 30_000);

  const list = await eddy('list', '--json');
  assert.equal(list.code, 0, show(list));
  const jobs = (JSON.parse(list.stdout) as { jobs: { jobId: string; name: string; state: string }[] }).jobs;
  const listed = jobs.find((j) => j.jobId === jobId);
  assert.deepEqual([listed?.name, listed?.state], ['endless-cli', 'RUNNING'], list.stdout);
  const table = await eddy('list');
  assert.match(table.stdout, new RegExp(`^${jobId}\\s+endless-cli\\s+RUNNING\\s`, 'm'));

  const info = await eddy('info', jobId, '--json');
  assert.equal(info.code, 0, show(info));
  const details = JSON.parse(info.stdout) as JobDetails;
  assert.equal(details.jobId, jobId);
  assert.equal(details.state, 'RUNNING');
  assert.deepEqual(
    details.vertices.map((v) => [v.name, v.parallelism, v.tasks.map((t) => t['state'])]),
    [
      ['Ticking Source', 2, ['RUNNING', 'RUNNING']],
      ['Double -> Discard', 2, ['RUNNING', 'RUNNING']],
    ],
  );
  // Two TaskManagers with one slot each: each runs one subtask of each vertex.
  assert.equal(new Set(details.vertices.flatMap((v) => v.tasks.map((t) => t['taskManagerId']))).size, 2);
  const text = await eddy('info', jobId);
  assert.match(text.stdout, /^State:\s+RUNNING$/m);
  assert.match(text.stdout, /Ticking Source\s+2\s+RUNNING 2/);

  const cancel = await eddy('cancel', jobId);
  assert.equal(cancel.code, 0, show(cancel));
  assert.equal(cancel.stdout, '');
  assert.match(cancel.stderr, new RegExp(`Cancellation of job ${jobId} requested`));
  await waitUntil(
    async () => (await rest.getJob(jobId)).state === 'CANCELED',
    'the job to be CANCELED',
    30_000,
  );
  const canceled = await eddy('info', jobId, '--json');
  const end = JSON.parse(canceled.stdout) as JobDetails;
  assert.equal(end.state, 'CANCELED');
  // Every task ended. (Consumers of a cancelled producer currently report FAILED with
  // PARTITION_RELEASED rather than CANCELED, so only "ended" is asserted here.)
  const ended = new Set(['CANCELED', 'FAILED', 'FINISHED']);
  assert.ok(
    end.vertices.every((v) => v.tasks.every((t) => ended.has(String(t['state'])))),
    canceled.stdout,
  );

  // A job that ended cannot be cancelled again: the JobManager's refusal is the message, exit 1.
  const again = await eddy('cancel', jobId);
  assert.equal(again.code, 1, show(again));
  assert.match(again.stderr, /^eddy: .+\n$/);
});

test('info of an unknown job exits 1 naming it; malformed ids and arguments exit 2', async () => {
  const unknown = 'a'.repeat(32);
  const r = await eddy('info', unknown);
  assert.equal(r.code, 1, show(r));
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(`^eddy: no job with id ${unknown}`));
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');

  for (const argv of [
    ['info', 'not-a-job-id'],
    ['cancel', '1234'],
    ['info', 'g'.repeat(32)],
  ]) {
    const bad = await eddy(...argv);
    assert.equal(bad.code, 2, `${argv.join(' ')}: ${show(bad)}`);
    assert.match(bad.stderr, /^eddy: invalid job id '.+': a job id is 32 hexadecimal characters/);
    assert.equal(bad.stdout, '');
  }
  const noJobFile = await eddy('run', '-d');
  assert.equal(noJobFile.code, 2, show(noJobFile));
  assert.match(noJobFile.stderr, /^eddy: name the job file/);
  const badFlag = await eddy('list', '--no-such-flag');
  assert.equal(badFlag.code, 2, show(badFlag));
});

test('run without -d of a failing job exits 1 and names the operator that failed', async () => {
  const r = await eddy('run', 'test/jobs/fails.ts', '--', '--fail-on', '42');
  assert.equal(r.code, 1, show(r));
  const jobId = jobIdIn(r.stdout);
  assert.match(r.stdout, new RegExp(`^Job ${jobId} FAILED`, 'm'));
  assert.match(
    r.stderr,
    new RegExp(`^eddy: job ${jobId} failed: .*'Explode On Record'.*record 42 is not welcome here`, 'm'),
  );
  // restart-strategy.type=none, given to `cluster start`, reached the JobManager.
  const info = JSON.parse((await eddy('info', jobId, '--json')).stdout) as JobDetails;
  assert.equal(info.state, 'FAILED');
  assert.equal(info.restarts, 0);
});

test('cluster stop ends every process and removes cluster.json', async () => {
  assert.ok(started !== undefined);
  const r = await eddy('cluster', 'stop');
  assert.equal(r.code, 0, show(r));
  assert.match(r.stderr, /Eddy cluster stopped \(3 processes\)/);
  for (const p of started.processes) assert.equal(isProcessAlive(p.pid), false, `pid ${p.pid} (${p.role})`);
  assert.equal(existsSync(join(home, 'cluster.json')), false);

  const again = await eddy('cluster', 'stop');
  assert.equal(again.code, 0, show(again));
  assert.match(again.stderr, /No cluster is running/);
  // Nothing to talk to any more: a clear error and exit 1, not a hang.
  const list = await eddy('list', '-m', restAddress);
  assert.equal(list.code, 1, show(list));
  assert.match(list.stderr, /cannot reach the JobManager at http:\/\/\S+/);
});
