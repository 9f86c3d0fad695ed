// Integration-test support: a cluster of REAL processes (`eddy jobmanager` and `eddy taskmanager`
// started from packages/cli/src/main.ts on free ports), and `runCli` to run bin/eddy as a user would.
// Every process this module starts is SIGKILLed when the test process exits, so a failing test never
// leaves a cluster behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CLI_MAIN, RestClient, childExecArgv, parseReadyLine, type ReadyLine } from '@eddy/cli';

/** The repository root. */
export const REPO_ROOT: string = resolve(import.meta.dirname, '..', '..');

const STARTUP_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

/** One started process. */
export interface ClusterProcessHandle {
  readonly pid: number;
  /** Sends a signal (e.g. 'SIGKILL' to simulate a crash). */
  kill(signal?: NodeJS.Signals): void;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it printed on stdout so far (ready line, print sinks), one entry per line. */
  stdoutLines(): readonly string[];
  /** Its last stderr lines (JSON logs), for failure messages. */
  stderrTail(): string;
}

/** A TaskManager process. */
export interface ProcessTaskManager extends ClusterProcessHandle {
  readonly id: string;
  readonly rpcAddress: string;
}

/** Options of `startProcessCluster`. */
export interface ProcessClusterOptions {
  /** TaskManagers to start (default 1). */
  readonly taskManagers?: number;
  /** Slots per TaskManager (default 1). */
  readonly slots?: number;
  /** Extra -D key=value configuration for every process. */
  readonly config?: Readonly<Record<string, string>>;
  /** Extra environment for every process. */
  readonly env?: NodeJS.ProcessEnv;
}

/** A running cluster of processes. */
export interface ProcessCluster {
  /** `host:port` of the REST API. */
  readonly restAddress: string;
  /** `host:port` of the JobManager's gRPC server. */
  readonly rpcAddress: string;
  readonly jobManager: ClusterProcessHandle;
  /** Every TaskManager started, in start order (killed ones included). */
  readonly taskManagers: readonly ProcessTaskManager[];
  /** Starts one more TaskManager and waits until the JobManager has registered it. */
  addTaskManager(): Promise<ProcessTaskManager>;
  readonly rest: RestClient;
  /** SIGTERM everything, wait, SIGKILL stragglers. Idempotent. */
  stop(): Promise<void>;
}

const everyChild = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of everyChild) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Started extends ClusterProcessHandle {
  readonly ready: ReadyLine;
}

async function startProcess(
  role: ReadyLine['role'],
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<Started> {
  const child = spawn(process.execPath, [...childExecArgv(), CLI_MAIN, role, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  everyChild.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => {
      everyChild.delete(child);
      r({ code, signal });
    }),
  );
  const stdout: string[] = [];
  const stderr: string[] = [];
  const stderrTail = (): string => stderr.slice(-30).join('\n');
  createInterface({ input: child.stderr }).on('line', (l) => {
    stderr.push(l);
    if (stderr.length > 200) stderr.splice(0, stderr.length - 200);
  });
  const ready = await new Promise<ReadyLine>((resolveReady, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${role} printed no ready line within ${STARTUP_TIMEOUT_MS} ms:\n${stderrTail()}`));
    }, STARTUP_TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${role} exited (${signal ?? `code ${code}`}) before it was ready:\n${stderrTail()}`));
    });
    createInterface({ input: child.stdout }).on('line', (l) => {
      stdout.push(l);
      const r = parseReadyLine(l);
      if (r?.role === role) {
        clearTimeout(timer);
        resolveReady(r);
      }
    });
  });
  return {
    pid: child.pid ?? -1,
    ready,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    stdoutLines: () => stdout,
    stderrTail,
  };
}

function dynamic(config: Readonly<Record<string, string>>): string[] {
  return Object.entries(config).flatMap(([k, v]) => ['-D', `${k}=${v}`]);
}

/** Starts a JobManager and `taskManagers` TaskManagers as processes; resolves once all are registered. */
export async function startProcessCluster(options: ProcessClusterOptions = {}): Promise<ProcessCluster> {
  const env = options.env ?? {};
  const jm = await startProcess(
    'jobmanager',
    [
      ...dynamic({ 'rest.port': '0', 'jobmanager.rpc.port': '0', 'metrics.port': '0' }),
      ...dynamic(options.config ?? {}),
    ],
    env,
  );
  if (jm.ready.role !== 'jobmanager') throw new Error('unreachable');
  const { restAddress, rpcAddress } = jm.ready;
  const rest = new RestClient(restAddress);
  const taskManagers: ProcessTaskManager[] = [];
  let stopping: Promise<void> | undefined;

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const all: ClusterProcessHandle[] = [...taskManagers, jm];
      for (const p of all) p.kill('SIGTERM');
      const timer = setTimeout(() => {
        for (const p of all) p.kill('SIGKILL');
      }, STOP_TIMEOUT_MS);
      await Promise.all(all.map((p) => p.exited));
      clearTimeout(timer);
    })();
    return stopping;
  };

  const addTaskManager = async (): Promise<ProcessTaskManager> => {
    const tm = await startProcess(
      'taskmanager',
      [
        '--jobmanager',
        rpcAddress,
        ...dynamic({
          'taskmanager.number-of-task-slots': String(options.slots ?? 1),
          'taskmanager.rpc.port': '0',
          'metrics.port': '0',
        }),
        ...dynamic(options.config ?? {}),
      ],
      env,
    );
    if (tm.ready.role !== 'taskmanager') throw new Error('unreachable');
    const handle: ProcessTaskManager = { ...tm, id: tm.ready.id, rpcAddress: tm.ready.rpcAddress };
    taskManagers.push(handle);
    // Wait for this TaskManager's id (a count would race with the loss of a killed one).
    await waitUntil(async () => {
      const list = (await rest.taskManagers()) as { taskmanagers?: { id: string }[] };
      return (list.taskmanagers ?? []).some((t) => t.id === handle.id);
    }, `TaskManager ${handle.id} to register with the JobManager`);
    return handle;
  };

  try {
    await waitUntil(async () => (await rest.overview()) !== undefined, 'the REST API to answer');
    for (let i = 0; i < (options.taskManagers ?? 1); i++) await addTaskManager();
  } catch (err) {
    await stop();
    throw err;
  }
  return { restAddress, rpcAddress, jobManager: jm, taskManagers, addTaskManager, rest, stop };
}

/** Polls `condition` every 50 ms until it holds; throws after `timeoutMs` naming what was awaited. */
export async function waitUntil(
  condition: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = STARTUP_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await condition()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}` +
      (last === undefined ? '' : `; last error: ${(last as Error).message}`),
  );
}

/** What `runCli` returns. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `bin/eddy <args>` from the repository root; resolves when it exits. */
export function runCli(
  args: readonly string[],
  options: { readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number; readonly cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolveResult, reject) => {
    const child = spawn(resolve(REPO_ROOT, 'bin', 'eddy'), [...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    everyChild.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timeoutMs = options.timeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`eddy ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // 'close', not 'exit': all output has been read by then.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      everyChild.delete(child);
      resolveResult({ code: code ?? (signal === null ? 1 : 128), stdout, stderr });
    });
  });
}
