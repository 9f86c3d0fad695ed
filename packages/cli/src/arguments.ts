// Validation of command-line values the CLI checks itself, before anything is sent anywhere:
// addresses, job ids and counts. Every failure is a UsageError (exit code 2) that names the flag and
// the fix.
import { isJobId, type JobId } from '@eddy/common';
import { usageError } from './usage-error.ts';

/** Where the REST API is when neither -m nor EDDY_JOBMANAGER says otherwise. */
export const DEFAULT_REST_ADDRESS = '127.0.0.1:8081';

/** A `host:port` pair. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `host:port` (also `http://host:port` and `[::1]:port`). `what` names the value in errors,
 * e.g. "JobManager address".
 */
export function parseHostPort(value: string, what: string): HostPort {
  const s = value
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:/[\]\s]+):(\d{1,5})$/.exec(s);
  const port = m === null ? NaN : Number(m[2]);
  if (m === null || m[1] === undefined || !(port >= 1 && port <= 65535)) {
    throw usageError(
      'CLI_BAD_ADDRESS',
      `invalid ${what} '${value}': expected host:port with a port in 1..65535, e.g. ${DEFAULT_REST_ADDRESS}`,
    );
  }
  return { host: m[1], port };
}

/** `host:port` as a string. */
export function formatHostPort(a: HostPort): string {
  return `${a.host}:${a.port}`;
}

/**
 * The REST address to use: -m wins over EDDY_JOBMANAGER, which wins over `local()` (the cluster
 * `eddy cluster start` runs, if any), which wins over the default.
 */
export function resolveRestAddress(
  flag: unknown,
  env: NodeJS.ProcessEnv,
  local: () => string | undefined = () => undefined,
): string {
  if (typeof flag === 'string' && flag !== '') {
    return formatHostPort(parseHostPort(flag, 'JobManager address (-m/--jobmanager)'));
  }
  const fromEnv = env['EDDY_JOBMANAGER'];
  if (fromEnv !== undefined && fromEnv !== '') {
    return formatHostPort(parseHostPort(fromEnv, 'JobManager address (EDDY_JOBMANAGER)'));
  }
  return local() ?? DEFAULT_REST_ADDRESS;
}

/** A job id argument, checked before any request is made. */
export function parseJobIdArgument(value: unknown): JobId {
  const s = typeof value === 'string' ? value.trim().toLowerCase() : String(value);
  if (!isJobId(s)) {
    throw usageError(
      'CLI_BAD_JOB_ID',
      `invalid job id '${String(value)}': a job id is 32 hexadecimal characters (see 'eddy list')`,
    );
  }
  return s;
}

/** An integer flag that must be >= `min`; `undefined` stays undefined. */
export function parseIntegerFlag(value: unknown, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < min) {
    // yargs turns a non-number into NaN (shown as null); name what was expected instead.
    throw usageError('CLI_BAD_FLAG', `${flag} must be an integer >= ${min}`);
  }
  return n;
}

/** The `-D key=value` flags as a list (yargs gives a string, an array, or nothing). */
export function dynamicProperties(value: unknown): string[] {
  if (value === undefined) return [];
  const all = (Array.isArray(value) ? value : [value]).map(String);
  for (const d of all) {
    if (d.indexOf('=') <= 0) throw usageError('CLI_BAD_FLAG', `-D expects key=value, got '${d}'`);
  }
  return all;
}

/** Splits argv at the first `--`: what yargs parses, and the job's own arguments passed through untouched. */
export function splitJobArguments(argv: readonly string[]): {
  readonly cli: readonly string[];
  readonly job: readonly string[] | undefined;
} {
  const i = argv.indexOf('--');
  if (i < 0) return { cli: argv, job: undefined };
  return { cli: argv.slice(0, i), job: argv.slice(i + 1) };
}
