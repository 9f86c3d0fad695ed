// Starting JobManager and TaskManager processes from this CLI (`eddy cluster start`) and from the
// integration tests: the same Node binary and flags, the CLI's main.ts, and a wait for the ready line
// that fails early, with the process's last log lines, when the process dies instead.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EddyError } from '@eddy/common';
import { parseReadyLine, type ReadyLine } from './ready-line.ts';

/** Absolute path of the CLI's entry point. */
export const CLI_MAIN: string = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Node flags for a child process: ours, without test-runner and debugger flags. */
export function childExecArgv(): string[] {
  const flags = process.execArgv.filter((a) => !/^--(test|inspect|watch|experimental-test)/.test(a));
  if (!flags.some((a) => a.startsWith('--disable-warning')))
    flags.push('--disable-warning=ExperimentalWarning');
  return flags;
}

/** Options of `spawnDetached`. */
export interface DetachedSpawnOptions {
  /** Receives the child's stdout (where the ready line appears). */
  readonly stdoutFile: string;
  /** Receives the child's stderr (its JSON logs). */
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Starts `eddy <args>` in its own process group, outliving this process. */
export function spawnDetached(args: readonly string[], options: DetachedSpawnOptions): ChildProcess {
  // Truncated: a ready line left from an earlier run must not be mistaken for this one's.
  const out = openSync(options.stdoutFile, 'w');
  const err = openSync(options.logFile, 'w');
  try {
    return spawn(process.execPath, [...childExecArgv(), CLI_MAIN, ...args], {
      detached: true,
      stdio: ['ignore', out, err],
      env: options.env ?? process.env,
      cwd: options.cwd ?? process.cwd(),
    });
  } finally {
    // The child has its own copies of the descriptors.
    closeSync(out);
    closeSync(err);
  }
}

/** The last `n` lines of a file, for error messages; empty when it cannot be read. */
export function tailOfFile(file: string, n = 10): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

/**
 * Waits until `file` (a detached child's stdout) holds the ready line of `role`. Rejects when the
 * child exits first or after `timeoutMs`, quoting `logFile`.
 */
export function waitForReadyLineInFile(
  child: ChildProcess,
  role: ReadyLine['role'],
  file: string,
  logFile: string,
  timeoutMs: number,
): Promise<ReadyLine> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const finish = (result: ReadyLine | Error): void => {
      clearInterval(poll);
      child.off('exit', onExit);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      // The line may have been written just before the exit; prefer it over the failure.
      const ready = scan();
      finish(ready ?? diedError(role, child.pid, code, signal, logFile));
    };
    const scan = (): ReadyLine | undefined => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        return undefined;
      }
      for (const line of text.split('\n')) {
        const r = parseReadyLine(line);
        if (r?.role === role) return r;
      }
      return undefined;
    };
    const poll = setInterval(() => {
      const ready = scan();
      if (ready !== undefined) finish(ready);
      else if (Date.now() - started > timeoutMs) finish(timeoutError(role, child.pid, timeoutMs, logFile));
    }, 50);
    child.once('exit', onExit);
  });
}

function diedError(
  role: string,
  pid: number | undefined,
  code: number | null,
  signal: NodeJS.Signals | null,
  logFile: string,
): EddyError {
  const tail = tailOfFile(logFile);
  return new EddyError(
    'PROCESS_DIED',
    `the ${role} (pid ${pid}) exited (${signal ?? `code ${code}`}) before it was ready; ` +
      `see ${logFile}${tail === '' ? '' : `:\n${tail}`}`,
    { domain: 'external' },
  );
}

function timeoutError(role: string, pid: number | undefined, timeoutMs: number, logFile: string): EddyError {
  const tail = tailOfFile(logFile);
  return new EddyError(
    'PROCESS_START_TIMEOUT',
    `the ${role} (pid ${pid}) was not ready within ${timeoutMs / 1000} s; ` +
      `see ${logFile}${tail === '' ? '' : `:\n${tail}`}`,
    { domain: 'external' },
  );
}
