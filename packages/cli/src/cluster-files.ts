// Files of a local cluster started by `eddy cluster start`: $EDDY_HOME (default ~/.eddy) holds
// cluster.json (what was started: pids, addresses, logs) and log/ (one stdout and one stderr file per
// process). `eddy cluster stop` reads cluster.json to find what to stop.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { userError } from '@eddy/common';

/** One process of a local cluster. */
export interface ClusterProcess {
  readonly role: 'jobmanager' | 'taskmanager';
  readonly pid: number;
  /** The process's stdout (ready line) and stderr (JSON logs). */
  readonly stdoutFile: string;
  readonly logFile: string;
}

/** The content of cluster.json. */
export interface ClusterState {
  readonly version: 1;
  readonly startedAt: string;
  /** `host:port` of the REST API, once known. */
  readonly restAddress?: string;
  readonly rpcAddress?: string;
  readonly processes: readonly ClusterProcess[];
}

/** $EDDY_HOME, or ~/.eddy. */
export function eddyHome(env: NodeJS.ProcessEnv): string {
  const h = env['EDDY_HOME'];
  return h !== undefined && h !== '' ? resolve(h) : join(homedir(), '.eddy');
}

/** Where cluster.json lives. */
export function clusterStateFile(home: string): string {
  return join(home, 'cluster.json');
}

/** Where the cluster's processes write their output. */
export function logDir(home: string): string {
  return join(home, 'log');
}

/** Reads cluster.json; `undefined` when there is none. */
export function readClusterState(home: string): ClusterState | undefined {
  const file = clusterStateFile(home);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    throw userError('CLUSTER_STATE_INVALID', `${file} is not valid JSON: delete it if no cluster is running`);
  }
  const s = state as Partial<ClusterState> | null;
  if (s === null || s.version !== 1 || !Array.isArray(s.processes)) {
    throw userError(
      'CLUSTER_STATE_INVALID',
      `${file} is not a cluster file: delete it if no cluster is running`,
    );
  }
  return s as ClusterState;
}

/** Writes cluster.json atomically (a crash leaves the old file or the new one, never half of one). */
export function writeClusterState(home: string, state: ClusterState): void {
  mkdirSync(home, { recursive: true });
  const file = clusterStateFile(home);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, file);
}

/** Removes cluster.json. */
export function removeClusterState(home: string): void {
  rmSync(clusterStateFile(home), { force: true });
}

/** Whether a process with this pid exists (and may be signalled by us). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else; still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The processes of `state` that are still alive. */
export function liveProcesses(state: ClusterState): ClusterProcess[] {
  return state.processes.filter((p) => isProcessAlive(p.pid));
}

/**
 * The REST address of the cluster `eddy cluster start` runs under $EDDY_HOME, when cluster.json
 * names one and its JobManager is alive; otherwise `undefined` (a missing, stale or unreadable
 * file is no reason to fail a command that may be meant for another cluster).
 */
export function localClusterRestAddress(env: NodeJS.ProcessEnv): string | undefined {
  let state: ClusterState | undefined;
  try {
    state = readClusterState(eddyHome(env));
  } catch {
    return undefined;
  }
  const jm = state?.processes.find((p) => p.role === 'jobmanager');
  if (state?.restAddress === undefined || jm === undefined || !isProcessAlive(jm.pid)) return undefined;
  return state.restAddress;
}
