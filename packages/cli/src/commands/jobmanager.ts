// `eddy jobmanager`: runs a JobManager in the foreground until SIGTERM/SIGINT. Prints exactly one
// line on stdout, the ready line, once the REST and gRPC servers listen; logs go to stderr.
import { ConfigOptions, createLogger } from '@eddy/common';
import { startJobManager } from '@eddy/jobmanager';
import type { CliIo } from '../cli-io.ts';
import { explainStartupError, loadProcessConfiguration } from '../configuration.ts';
import { jobManagerReadyLine } from '../ready-line.ts';
import { onShutdownSignal } from '../signals.ts';

/** Options of `eddy jobmanager`. */
export interface JobManagerCommandOptions {
  readonly configFile?: string;
  readonly dynamic: readonly string[];
}

/** Runs the JobManager until a shutdown signal; resolves with the exit code. */
export async function jobManagerCommand(options: JobManagerCommandOptions, io: CliIo): Promise<number> {
  const config = loadProcessConfiguration(options.configFile, options.dynamic, io.env);
  const logger = createLogger('jobmanager', config.get(ConfigOptions.logLevel));
  // Listen for signals before starting so that a SIGTERM during startup still closes cleanly.
  const shutdown = onShutdownSignal();
  try {
    const jm = await startJobManager({ config, logger }).catch((err: unknown) => {
      throw explainStartupError(err, 'JobManager');
    });
    io.stdout(jobManagerReadyLine(jm.restAddress, jm.rpcAddress) + '\n');
    const signal = await shutdown.signal;
    logger.info({ signal }, 'shutting down');
    await jm.close();
    logger.info('stopped');
    return 0;
  } finally {
    shutdown.dispose();
    logger.flush();
  }
}
