// `eddy savepoint <jobId> [dir]`, `eddy stop <jobId> [--savepoint-path dir]` and `eddy checkpoints
// <jobId>`: savepoints and checkpoint statistics through the REST API. Triggers return a request id
// that these commands poll until the savepoint is complete; the savepoint's location is the data
// (stdout), progress goes to stderr. (`eddy savepoint --dispose` is in savepoint-dispose.ts: it
// works on storage directly, without a JobManager.)
import { resolve } from 'node:path';
import { EddyError, type JobId } from '@eddy/common';
import type { CliIo } from '../cli-io.ts';
import { formatBytes, formatDuration, formatTable, formatTimestamp, sanitizeCell } from '../format.ts';
import type { CheckpointsOverview, JobDetails, RestClient, SavepointRequestStatus } from '../rest-client.ts';

/** A savepoint path as the JobManager needs it: URIs as given, plain paths made absolute here. */
export function resolveStoragePath(path: string): string {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(path) ? path : resolve(path);
}

/** Options shared by `eddy savepoint` and `eddy stop`. */
export interface SavepointCommandOptions {
  readonly json: boolean;
  /** Poll interval (tests shorten it). */
  readonly intervalMs?: number;
}

/** `eddy savepoint <jobId> [targetDirectory]`: prints the savepoint's location when it is complete. */
export async function savepointCommand(
  rest: RestClient,
  jobId: JobId,
  targetDirectory: string | undefined,
  options: SavepointCommandOptions,
  io: CliIo,
): Promise<number> {
  const target = targetDirectory === undefined ? undefined : resolveStoragePath(targetDirectory);
  const { requestId } = await rest.triggerSavepoint(jobId, target);
  io.stderr(`Triggered a savepoint of job ${jobId} (request ${requestId}); waiting for it to complete...\n`);
  const status = await rest.waitForSavepoint(jobId, requestId, withInterval(options));
  const location = completedLocation(status, `savepoint of job ${jobId}`);
  if (options.json) io.stdout(JSON.stringify({ jobId, ...status }, null, 2) + '\n');
  else {
    io.stderr('Savepoint completed.\n');
    io.stdout(`${location}\n`);
  }
  return 0;
}

/** Options of `eddy stop`. */
export interface StopCommandOptions extends SavepointCommandOptions {
  readonly savepointPath?: string;
  readonly drain: boolean;
  /** How long to wait for the job to end after its savepoint (default 60 s). */
  readonly endTimeoutMs?: number;
}

/** `eddy stop <jobId>`: a savepoint, then the job is canceled; prints the savepoint's location. */
export async function stopCommand(
  rest: RestClient,
  jobId: JobId,
  options: StopCommandOptions,
  io: CliIo,
): Promise<number> {
  const target = options.savepointPath === undefined ? undefined : resolveStoragePath(options.savepointPath);
  const { requestId } = await rest.stopJob(jobId, {
    ...(target === undefined ? {} : { targetDirectory: target }),
    drain: options.drain,
  });
  io.stderr(`Stopping job ${jobId} with a savepoint (request ${requestId})...\n`);
  const status = await rest.waitForSavepoint(jobId, requestId, withInterval(options));
  const location = completedLocation(status, `stop of job ${jobId}`);
  if (!options.json) {
    io.stderr('Savepoint completed.\n');
    io.stdout(`${location}\n`);
  }
  // The JobManager cancels the job once the savepoint is complete: report how it ended.
  let job: JobDetails | undefined;
  try {
    job = await rest.waitForJob(jobId, {
      intervalMs: options.intervalMs ?? 200,
      signal: AbortSignal.timeout(options.endTimeoutMs ?? 60_000),
    });
    if (!options.json) io.stderr(`Job ${jobId} is ${job.state}\n`);
  } catch {
    if (!options.json) io.stderr(`Job ${jobId} has not ended yet; see 'eddy info ${jobId}'\n`);
  }
  if (options.json) {
    io.stdout(JSON.stringify({ jobId, ...status, jobState: job?.state ?? null }, null, 2) + '\n');
  }
  return 0;
}

function withInterval(o: SavepointCommandOptions): { intervalMs?: number } {
  return o.intervalMs === undefined ? {} : { intervalMs: o.intervalMs };
}

function completedLocation(status: SavepointRequestStatus, what: string): string {
  if (status.status === 'COMPLETED' && status.location !== undefined) return status.location;
  const f = status.failure;
  throw new EddyError(
    f?.code ?? 'SAVEPOINT_FAILED',
    `${what} failed: ${f?.message ?? 'the JobManager reported no reason'}`,
    { domain: 'external' },
  );
}

/** `eddy checkpoints <jobId>`. */
export async function checkpointsCommand(
  rest: RestClient,
  jobId: JobId,
  json: boolean,
  io: CliIo,
): Promise<number> {
  const overview = await rest.checkpoints(jobId);
  io.stdout(json ? JSON.stringify(overview, null, 2) + '\n' : formatCheckpoints(overview));
  return 0;
}

/** The text of `eddy checkpoints`: counts, then the history newest first. */
export function formatCheckpoints(o: CheckpointsOverview): string {
  const c = o.counts;
  const head = `Completed: ${c.completed}  Failed: ${c.failed}  In progress: ${c.inProgress}\n`;
  const latest =
    o.latest === null
      ? 'Latest:    -\n'
      : `Latest:    ${o.latest.id} at ${o.latest.path ?? '-'} (${formatDuration(o.latest.durationMs)}, ${formatBytes(o.latest.stateSize)})\n`;
  if (o.history.length === 0) return `${head}${latest}`;
  const rows = [...o.history]
    .sort((a, b) => b.id - a.id)
    .map((h) => [
      String(h.id),
      h.kind,
      h.status.toUpperCase(),
      formatTimestamp(h.triggerTime),
      formatDuration(h.durationMs),
      formatBytes(h.stateSize),
      formatDuration(h.alignmentMs),
      sanitizeCell(h.status === 'failed' ? (h.failure ?? '-') : (h.path ?? '-')),
    ]);
  return `${head}${latest}\n${formatTable(
    ['ID', 'KIND', 'STATUS', 'TRIGGERED', 'DURATION', 'SIZE', 'ALIGNMENT', 'PATH / FAILURE'],
    rows,
  )}`;
}
