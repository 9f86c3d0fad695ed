import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  clusterStateFile,
  eddyHome,
  isProcessAlive,
  liveProcesses,
  localClusterRestAddress,
  readClusterState,
  removeClusterState,
  writeClusterState,
  type ClusterState,
} from './cluster-files.ts';
import { jobManagerReadyLine, parseReadyLine, taskManagerReadyLine } from './ready-line.ts';
import { taskManagerCount } from './commands/cluster.ts';

test('EDDY_HOME isolates the cluster files; ~/.eddy otherwise', () => {
  assert.equal(eddyHome({}), join(homedir(), '.eddy'));
  assert.equal(eddyHome({ EDDY_HOME: '/tmp/x' }), '/tmp/x');
});

test('cluster.json round-trips, and a broken one is a clear user error', () => {
  const home = mkdtempSync(join(tmpdir(), 'eddy-home-'));
  try {
    assert.equal(readClusterState(home), undefined);
    const state: ClusterState = {
      version: 1,
      startedAt: new Date().toISOString(),
      restAddress: '127.0.0.1:8081',
      processes: [
        { role: 'jobmanager', pid: process.pid, stdoutFile: 'a', logFile: 'b' },
        { role: 'taskmanager', pid: 2 ** 22 + 12345, stdoutFile: 'c', logFile: 'd' },
      ],
    };
    writeClusterState(home, state);
    assert.deepEqual(readClusterState(home), state);
    assert.deepEqual(
      liveProcesses(state).map((p) => p.pid),
      [process.pid],
    );
    removeClusterState(home);
    assert.equal(readClusterState(home), undefined);
    writeFileSync(clusterStateFile(home), '{not json');
    assert.throws(() => readClusterState(home), /cluster\.json is not valid JSON: delete it/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('localClusterRestAddress: only a cluster whose JobManager is alive', () => {
  const home = mkdtempSync(join(tmpdir(), 'eddy-home-'));
  const env = { EDDY_HOME: home };
  const state = (pid: number): ClusterState => ({
    version: 1,
    startedAt: new Date().toISOString(),
    restAddress: '127.0.0.1:40001',
    processes: [{ role: 'jobmanager', pid, stdoutFile: 'a', logFile: 'b' }],
  });
  try {
    assert.equal(localClusterRestAddress(env), undefined);
    writeClusterState(home, state(process.pid));
    assert.equal(localClusterRestAddress(env), '127.0.0.1:40001');
    writeClusterState(home, state(2 ** 22 + 12345));
    assert.equal(localClusterRestAddress(env), undefined, 'stale');
    writeFileSync(clusterStateFile(home), '{not json');
    assert.equal(localClusterRestAddress(env), undefined, 'unreadable');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('isProcessAlive', () => {
  assert.equal(isProcessAlive(process.pid), true);
  assert.equal(isProcessAlive(2 ** 22 + 12345), false);
});

test('ready lines round-trip and other lines are ignored', () => {
  const jm = jobManagerReadyLine('http://127.0.0.1:8081', '127.0.0.1:6123');
  assert.equal(jm, 'eddy jobmanager ready rest=127.0.0.1:8081 rpc=127.0.0.1:6123');
  assert.deepEqual(parseReadyLine(jm), {
    role: 'jobmanager',
    restAddress: '127.0.0.1:8081',
    rpcAddress: '127.0.0.1:6123',
  });
  const tm = taskManagerReadyLine('tm-abc', '127.0.0.1:40000');
  assert.deepEqual(parseReadyLine(tm), { role: 'taskmanager', id: 'tm-abc', rpcAddress: '127.0.0.1:40000' });
  assert.equal(parseReadyLine('{"level":30,"msg":"eddy jobmanager ready"}'), undefined);
  assert.equal(parseReadyLine(''), undefined);
});

test('taskManagerCount reads the overview', () => {
  assert.equal(taskManagerCount({ taskmanagers: 3, slotsTotal: 3 }), 3);
  assert.equal(taskManagerCount({ taskManagers: [{}, {}] }), 2);
  assert.equal(taskManagerCount({}), 0);
});
