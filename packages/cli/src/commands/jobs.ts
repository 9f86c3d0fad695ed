// `eddy list`, `eddy info <jobId>` and `eddy cancel <jobId>`: reading and driving jobs through the
// REST API. Tables for people, --json for machines; both on stdout.
import type { JobId } from '@eddy/common';
import type { CliIo } from '../cli-io.ts';
import { formatDuration, formatTable, formatTimestamp, sanitizeCell } from '../format.ts';
import type { JobDetails, JobSummary, RestClient } from '../rest-client.ts';

/** `eddy list`. */
export async function listCommand(rest: RestClient, json: boolean, io: CliIo): Promise<number> {
  const jobs = await rest.listJobs();
  if (json) {
    io.stdout(JSON.stringify({ jobs }, null, 2) + '\n');
    return 0;
  }
  if (jobs.length === 0) {
    io.stderr('No jobs.\n');
    return 0;
  }
  io.stdout(formatJobList(jobs));
  return 0;
}

/** The table of `eddy list`: newest first. */
export function formatJobList(jobs: readonly JobSummary[]): string {
  const sorted = [...jobs].sort((a, b) => timeOf(b.startTime) - timeOf(a.startTime));
  return formatTable(
    ['JOB ID', 'NAME', 'STATE', 'START', 'DURATION'],
    sorted.map((j) => [
      j.jobId,
      sanitizeCell(j.name),
      j.restarts > 0 ? `${j.state} (${j.restarts} restarts)` : j.state,
      formatTimestamp(j.startTime),
      formatDuration(j.durationMs),
    ]),
  );
}

function timeOf(t: number | string | null | undefined): number {
  if (typeof t === 'number') return t;
  if (typeof t === 'string') return Date.parse(t) || 0;
  return 0;
}

/** `eddy info <jobId>`. */
export async function infoCommand(rest: RestClient, jobId: JobId, json: boolean, io: CliIo): Promise<number> {
  const job = await rest.getJob(jobId);
  io.stdout(json ? JSON.stringify(job, null, 2) + '\n' : formatJobDetails(job, Date.now()));
  return 0;
}

/** The text of `eddy info`. */
export function formatJobDetails(job: JobDetails, now: number): string {
  const start = timeOf(job.startTime);
  const end = job.endTime === null || job.endTime === undefined ? now : timeOf(job.endTime);
  const lines = [
    `Job:       ${job.jobId}`,
    `Name:      ${sanitizeCell(job.name)}`,
    `State:     ${job.state}`,
    `Attempt:   ${job.attempt} (${job.restarts} restarts)`,
    `Started:   ${formatTimestamp(job.startTime)}`,
    `Ended:     ${formatTimestamp(job.endTime)}`,
    `Duration:  ${start > 0 ? formatDuration(end - start) : '-'}`,
  ];
  if (job.failure !== undefined) lines.push(`Failure:   ${job.failure.code}: ${job.failure.message}`);
  const vertices = job.vertices;
  if (vertices.length > 0) {
    lines.push('', 'Vertices:');
    const table = formatTable(
      ['ID', 'NAME', 'PARALLELISM', 'TASKS'],
      vertices.map((v) => [v.id, sanitizeCell(v.name), String(v.parallelism), summarizeTasks(v.tasks)]),
    );
    lines.push(
      ...table
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
    );
  }
  return lines.join('\n') + '\n';
}

/** Task states of a vertex as counts, e.g. `RUNNING 3, FAILED 1`. */
export function summarizeTasks(tasks: readonly Record<string, unknown>[]): string {
  const counts = new Map<string, number>();
  for (const t of tasks) {
    const state = typeof t['state'] === 'string' ? t['state'] : 'UNKNOWN';
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  if (counts.size === 0) return '-';
  return [...counts].map(([s, n]) => `${s} ${n}`).join(', ');
}

/** `eddy cancel <jobId>`. */
export async function cancelCommand(rest: RestClient, jobId: JobId, io: CliIo): Promise<number> {
  await rest.cancelJob(jobId);
  io.stderr(`Cancellation of job ${jobId} requested.\n`);
  return 0;
}
