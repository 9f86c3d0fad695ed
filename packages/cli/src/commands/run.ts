// `eddy run job.ts [-- args]`: builds the JobGraph here (so a broken job fails before anything is
// uploaded), bundles the module, uploads the bundle, submits the graph and, unless detached, polls the
// job to its end. SIGINT (or SIGTERM) while waiting cancels the job; a second one stops waiting. `--local` runs
// the same steps against a MiniCluster started in this process.
import { statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { createLogger, userError, type JobId } from '@eddy/common';
import { installJobModuleResolver, loadJob, type JobGraph } from '@eddy/api';
import { bundleJob } from '../bundle.ts';
import type { CliIo } from '../cli-io.ts';
import { formatDuration } from '../format.ts';
import { usageError } from '../usage-error.ts';
import { RestClient, restOptionsFromEnv, type JobDetails } from '../rest-client.ts';
import { resolveStoragePath } from './savepoints.ts';

/** Options of `eddy run`. */
export interface RunCommandOptions {
  readonly jobFile: string;
  readonly jobArgs: readonly string[];
  /** -p: default parallelism of the job's operators (default 1). */
  readonly parallelism?: number;
  /** -d: return once the job is submitted. */
  readonly detached: boolean;
  /** --local: run on an in-process cluster. */
  readonly local: boolean;
  /** REST `host:port` of the cluster (ignored with --local). */
  readonly restAddress: string;
  /** -s/--from-savepoint: the savepoint (URI or path) the job starts from. */
  readonly fromSavepoint?: string;
  /** -n/--allow-non-restored-state: drop savepoint state of operators the job no longer has. */
  readonly allowNonRestoredState?: boolean;
}

/** Runs `eddy run`; resolves with the exit code (0 only when the job FINISHED or was detached). */
export async function runCommand(options: RunCommandOptions, io: CliIo): Promise<number> {
  if (options.local && options.detached) {
    throw usageError(
      'CLI_BAD_FLAG',
      '--local runs the job to its end in this process; it cannot be combined with -d/--detached',
    );
  }
  if (options.allowNonRestoredState === true && options.fromSavepoint === undefined) {
    throw usageError(
      'CLI_BAD_FLAG',
      '--allow-non-restored-state only applies to a restore: give the savepoint with -s/--from-savepoint',
    );
  }
  const path = resolve(options.jobFile);
  if (!isFile(path)) throw userError('JOB_NOT_FOUND', `job file not found: ${options.jobFile}`);
  const parallelism = options.parallelism ?? 1;

  // Job files may live outside the repository: their @eddy/* imports resolve to this CLI's packages.
  installJobModuleResolver((specifier) => import.meta.resolve(specifier));
  const { graph } = await loadJob(path, {
    args: options.jobArgs,
    defaultParallelism: parallelism,
    defaultName: basename(path, extname(path)),
  });
  const bundle = await bundleJob(path);

  if (!options.local) {
    const rest = new RestClient(options.restAddress, restOptionsFromEnv(io.env));
    return submitAndWait(rest, graph, bundle, options, io);
  }
  const slots = Math.max(parallelism, ...graph.vertices.map((v) => v.parallelism));
  // The job's progress is reported on stderr already; the cluster's own logs only when something breaks.
  const logger = createLogger('eddy-local', io.env['EDDY_LOG_LEVEL'] ?? 'error');
  // Imported here: only --local needs the JobManager and TaskManager packages.
  const { MiniCluster } = await import('../local-cluster.ts');
  const cluster = await MiniCluster.start({ taskManagers: 1, slotsPerTaskManager: slots, logger });
  try {
    return await submitAndWait(cluster.rest, graph, bundle, options, io);
  } finally {
    await cluster.close();
    logger.flush();
  }
}

async function submitAndWait(
  rest: RestClient,
  graph: JobGraph,
  bundle: Uint8Array,
  options: RunCommandOptions,
  io: CliIo,
): Promise<number> {
  const { bundleKey } = await rest.uploadBundle(bundle);
  const { jobId } = await rest.submitJob({
    bundleKey,
    jobGraph: graph,
    args: options.jobArgs,
    defaultParallelism: options.parallelism ?? 1,
    // TaskManagers resolve the job's relative paths against where the user ran `eddy run`.
    workingDirectory: process.cwd(),
    ...(options.fromSavepoint === undefined
      ? {}
      : {
          fromSavepoint: resolveStoragePath(options.fromSavepoint),
          allowNonRestoredState: options.allowNonRestoredState === true,
        }),
  });
  io.stdout(`Job submitted: ${jobId}\n`);
  if (options.fromSavepoint !== undefined) {
    io.stderr(`Job ${jobId} restores from savepoint ${resolveStoragePath(options.fromSavepoint)}\n`);
  }
  if (options.detached) return 0;
  const job = await waitWithCancelOnInterrupt(rest, jobId, io);
  return reportFinalState(job, io);
}

/** Polls the job to a terminal state. The first SIGINT cancels it; a second one stops waiting. */
async function waitWithCancelOnInterrupt(rest: RestClient, jobId: JobId, io: CliIo): Promise<JobDetails> {
  const stopWaiting = new AbortController();
  let interrupts = 0;
  const onInterrupt = (): void => {
    interrupts++;
    if (interrupts === 1) {
      io.stderr(`Cancelling job ${jobId} (press Ctrl-C again to stop waiting)...\n`);
      rest.cancelJob(jobId).catch((err: unknown) => {
        io.stderr(`eddy: could not cancel job ${jobId}: ${(err as Error).message}\n`);
      });
    } else {
      stopWaiting.abort(
        userError('RUN_INTERRUPTED', `stopped waiting for job ${jobId}; see 'eddy info ${jobId}'`),
      );
    }
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  let lastState: string | undefined;
  try {
    return await rest.waitForJob(jobId, {
      intervalMs: 200,
      signal: stopWaiting.signal,
      onStatus: (job) => {
        if (job.state !== lastState) {
          lastState = job.state;
          io.stderr(`Job ${jobId} is ${job.state}\n`);
        }
      },
    });
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}

/** Prints the final state; the exit code is 0 only for FINISHED. */
export function reportFinalState(job: JobDetails, io: CliIo): number {
  const duration = durationOf(job);
  io.stdout(`Job ${job.jobId} ${job.state}${duration === undefined ? '' : ` after ${duration}`}\n`);
  if (job.state === 'FINISHED') return 0;
  if (job.state === 'FAILED') {
    const why = job.failure === undefined ? 'no failure reported' : job.failure.message;
    io.stderr(`eddy: job ${job.jobId} failed: ${why}\n`);
  }
  return 1;
}

function durationOf(job: JobDetails): string | undefined {
  const t = (v: number | string | null | undefined): number =>
    typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
  const ms = t(job.endTime) - t(job.startTime);
  return Number.isFinite(ms) && ms >= 0 ? formatDuration(ms) : undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
