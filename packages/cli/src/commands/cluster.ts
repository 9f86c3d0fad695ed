// `eddy cluster start|stop`: a local standalone cluster of separate processes. `start` spawns a
// detached JobManager and N TaskManagers (this CLI's `jobmanager`/`taskmanager` commands), records
// them in $EDDY_HOME/cluster.json, and returns once every process printed its ready line and the
// JobManager sees all TaskManagers. `stop` signals what cluster.json lists.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigOptions, EddyError, userError } from '@eddy/common';
import type { CliIo } from '../cli-io.ts';
import {
  eddyHome,
  isProcessAlive,
  liveProcesses,
  logDir,
  readClusterState,
  removeClusterState,
  writeClusterState,
  type ClusterProcess,
  type ClusterState,
} from '../cluster-files.ts';
import { spawnDetached, waitForReadyLineInFile } from '../process-launcher.ts';
import { RestClient, restOptionsFromEnv } from '../rest-client.ts';

/** Options of `eddy cluster start`. */
export interface ClusterStartOptions {
  readonly taskManagers: number;
  readonly slots: number;
  readonly restPort?: number;
  readonly dynamic: readonly string[];
  readonly configFile?: string;
  /** How long each step may take, in ms (default 60 s). */
  readonly timeoutMs?: number;
}

/** Starts the cluster; resolves with the exit code. */
export async function clusterStartCommand(options: ClusterStartOptions, io: CliIo): Promise<number> {
  const home = eddyHome(io.env);
  const previous = readClusterState(home);
  if (previous !== undefined) {
    const alive = liveProcesses(previous);
    if (alive.length > 0) {
      throw userError(
        'CLUSTER_RUNNING',
        `a cluster is already running (REST http://${previous.restAddress ?? '?'}, ` +
          `pids ${alive.map((p) => p.pid).join(', ')}): stop it first with 'eddy cluster stop'`,
      );
    }
    io.stderr(`Removing stale ${join(home, 'cluster.json')} (its processes are gone).\n`);
    removeClusterState(home);
  }
  const logs = logDir(home);
  mkdirSync(logs, { recursive: true });
  const timeoutMs = options.timeoutMs ?? 60_000;
  const common = [
    ...(options.configFile === undefined ? [] : ['--config', options.configFile]),
    ...options.dynamic.flatMap((d) => ['-D', d]),
  ];
  const children: ChildProcess[] = [];
  let state: ClusterState = { version: 1, startedAt: new Date().toISOString(), processes: [] };
  const launch = (role: ClusterProcess['role'], name: string, args: readonly string[]) => {
    const stdoutFile = join(logs, `${name}.out`);
    const logFile = join(logs, `${name}.log`);
    const child = spawnDetached(args, { stdoutFile, logFile, env: io.env });
    // A failed spawn (e.g. EAGAIN) surfaces as 'exit'/'error'; the ready-line wait reports it.
    child.on('error', () => {});
    children.push(child);
    if (child.pid !== undefined) {
      state = { ...state, processes: [...state.processes, { role, pid: child.pid, stdoutFile, logFile }] };
      // Recorded at once, so that `eddy cluster stop` finds every process even if this one dies now.
      writeClusterState(home, state);
    }
    return { child, stdoutFile, logFile };
  };

  try {
    const jmArgs = [
      'jobmanager',
      ...common,
      ...(options.restPort === undefined ? [] : ['-D', `${ConfigOptions.restPort.key}=${options.restPort}`]),
    ];
    const jm = launch('jobmanager', 'jobmanager', jmArgs);
    const jmReady = await waitForReadyLineInFile(
      jm.child,
      'jobmanager',
      jm.stdoutFile,
      jm.logFile,
      timeoutMs,
    );
    if (jmReady.role !== 'jobmanager') throw new EddyError('INTERNAL', 'expected the JobManager ready line');
    state = { ...state, restAddress: jmReady.restAddress, rpcAddress: jmReady.rpcAddress };
    writeClusterState(home, state);

    const tmArgs = [
      'taskmanager',
      '--jobmanager',
      jmReady.rpcAddress,
      ...common,
      '-D',
      `${ConfigOptions.numberOfTaskSlots.key}=${options.slots}`,
      // One host, many TaskManagers: a fixed metrics port would collide, so each picks a free one.
      ...(options.dynamic.some((d) => d.startsWith(`${ConfigOptions.metricsPort.key}=-1`))
        ? []
        : ['-D', `${ConfigOptions.metricsPort.key}=0`]),
    ];
    const tms = Array.from({ length: options.taskManagers }, (_, i) =>
      launch('taskmanager', `taskmanager-${i}`, tmArgs),
    );
    await Promise.all(
      tms.map((tm) => waitForReadyLineInFile(tm.child, 'taskmanager', tm.stdoutFile, tm.logFile, timeoutMs)),
    );

    const rest = new RestClient(jmReady.restAddress, restOptionsFromEnv(io.env));
    await waitForTaskManagers(rest, options.taskManagers, timeoutMs);
    for (const c of children) c.unref();
    io.stderr(`Logs: ${logs}\n`);
    io.stdout(
      `Eddy cluster ready: REST http://${jmReady.restAddress} (${options.taskManagers} TaskManager${
        options.taskManagers === 1 ? '' : 's'
      })\n`,
    );
    return 0;
  } catch (err) {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      c.unref();
    }
    removeClusterState(home);
    throw err;
  }
}

/** Polls GET /v1/overview until the JobManager counts `n` TaskManagers. */
async function waitForTaskManagers(rest: RestClient, n: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = 0;
  while (Date.now() < deadline) {
    seen = taskManagerCount(await rest.overview());
    if (seen >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new EddyError(
    'CLUSTER_START_TIMEOUT',
    `only ${seen} of ${n} TaskManagers registered with the JobManager within ${timeoutMs / 1000} s`,
    { domain: 'external' },
  );
}

/** The number of registered TaskManagers in a /v1/overview answer. */
export function taskManagerCount(overview: Record<string, unknown>): number {
  for (const key of ['taskManagers', 'taskmanagers', 'numTaskManagers']) {
    const v = overview[key];
    if (typeof v === 'number') return v;
    if (Array.isArray(v)) return v.length;
  }
  return 0;
}

/** Options of `eddy cluster stop`. */
export interface ClusterStopOptions {
  /** How long to wait after SIGTERM before SIGKILL, in ms (default 15 s). */
  readonly timeoutMs?: number;
}

/** Stops the cluster of cluster.json; resolves with the exit code. */
export async function clusterStopCommand(options: ClusterStopOptions, io: CliIo): Promise<number> {
  const home = eddyHome(io.env);
  const state = readClusterState(home);
  if (state === undefined) {
    io.stderr(`No cluster is running (no ${join(home, 'cluster.json')}).\n`);
    return 0;
  }
  // TaskManagers first: the JobManager should not spend its shutdown reacting to lost workers.
  const ordered = [
    ...state.processes.filter((p) => p.role === 'taskmanager'),
    ...state.processes.filter((p) => p.role === 'jobmanager'),
  ];
  const alive = ordered.filter((p) => isProcessAlive(p.pid));
  for (const p of alive) signal(p.pid, 'SIGTERM');
  let remaining = await waitForExit(alive, options.timeoutMs ?? 15_000);
  for (const p of remaining) signal(p.pid, 'SIGKILL');
  if (remaining.length > 0) remaining = await waitForExit(remaining, 5_000);
  removeClusterState(home);
  const stopped = alive.length - remaining.length;
  io.stderr(`Eddy cluster stopped (${stopped} process${stopped === 1 ? '' : 'es'})\n`);
  if (remaining.length > 0) {
    throw new EddyError(
      'CLUSTER_STOP_FAILED',
      `processes ${remaining.map((p) => p.pid).join(', ')} survived SIGKILL`,
      { domain: 'external' },
    );
  }
  return 0;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

async function waitForExit(
  processes: readonly ClusterProcess[],
  timeoutMs: number,
): Promise<ClusterProcess[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = processes.filter((p) => isProcessAlive(p.pid));
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    alive = alive.filter((p) => isProcessAlive(p.pid));
  }
  return alive;
}
