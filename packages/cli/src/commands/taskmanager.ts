// `eddy taskmanager`: runs a TaskManager in the foreground until SIGTERM/SIGINT. Registers with the
// JobManager's gRPC address and prints its ready line on stdout; logs go to stderr.
import { ConfigOptions, createLogger } from '@eddy/common';
import { startTaskManager } from '@eddy/taskmanager';
import { formatHostPort, parseHostPort } from '../arguments.ts';
import type { CliIo } from '../cli-io.ts';
import { explainStartupError, loadProcessConfiguration } from '../configuration.ts';
import { taskManagerReadyLine } from '../ready-line.ts';
import { onShutdownSignal } from '../signals.ts';

/** Options of `eddy taskmanager`. */
export interface TaskManagerCommandOptions {
  readonly configFile?: string;
  readonly dynamic: readonly string[];
  /** The JobManager's gRPC `host:port`; default from jobmanager.rpc.address and jobmanager.rpc.port. */
  readonly jobManager?: string;
}

/** Runs the TaskManager until a shutdown signal; resolves with the exit code. */
export async function taskManagerCommand(options: TaskManagerCommandOptions, io: CliIo): Promise<number> {
  const config = loadProcessConfiguration(options.configFile, options.dynamic, io.env);
  const jobManagerAddress =
    options.jobManager !== undefined
      ? formatHostPort(parseHostPort(options.jobManager, 'JobManager RPC address (--jobmanager)'))
      : `${config.get(ConfigOptions.jobManagerRpcAddress)}:${config.get(ConfigOptions.jobManagerRpcPort)}`;
  const logger = createLogger('taskmanager', config.get(ConfigOptions.logLevel));
  const shutdown = onShutdownSignal();
  try {
    const tm = await startTaskManager({ config, jobManagerAddress, logger }).catch((err: unknown) => {
      throw explainStartupError(err, 'TaskManager');
    });
    io.stdout(taskManagerReadyLine(tm.id, tm.rpcAddress) + '\n');
    const signal = await shutdown.signal;
    logger.info({ signal }, 'shutting down');
    await tm.close();
    logger.info('stopped');
    return 0;
  } finally {
    shutdown.dispose();
    logger.flush();
  }
}
