// The MiniCluster: a JobManager and N TaskManagers in this process, on loopback with real gRPC and
// free ports. `eddy run --local` uses it for one job; integration tests use it as Flink's tests use
// theirs. Same code paths as separate processes, only without the process boundaries.
import { ConfigOptions, Configuration, loadConfiguration, silentLogger, type Logger } from '@eddy/common';
import { startJobManager, type JobManagerHandle } from '@eddy/jobmanager';
import { startTaskManager, type TaskManagerHandle } from '@eddy/taskmanager';
import { RestClient } from './rest-client.ts';
import { stripScheme } from './ready-line.ts';

/** Options of `MiniCluster.start`. */
export interface MiniClusterOptions {
  /** TaskManagers to start (default 1). */
  readonly taskManagers?: number;
  /** Slots per TaskManager (default 1). */
  readonly slotsPerTaskManager?: number;
  /** Extra configuration; ports not set here are 0 (free ports). */
  readonly config?: Configuration | Readonly<Record<string, string | number | boolean>>;
  readonly logger?: Logger;
}

/** An in-process cluster. `close()` is idempotent. */
export class MiniCluster {
  /** `host:port` of the REST API. */
  readonly restAddress: string;
  /** `host:port` of the JobManager's gRPC server. */
  readonly rpcAddress: string;
  /** `host:port` of the JobManager's /metrics, or undefined when metrics.port is -1. */
  readonly jobManagerMetricsAddress: string | undefined;
  /** A client of the REST API. */
  readonly rest: RestClient;
  readonly #jobManager: JobManagerHandle;
  readonly #taskManagers: TaskManagerHandle[] = [];
  readonly #config: Configuration;
  readonly #logger: Logger;
  #closing: Promise<void> | undefined;

  private constructor(jobManager: JobManagerHandle, config: Configuration, logger: Logger) {
    this.#jobManager = jobManager;
    this.#config = config;
    this.#logger = logger;
    this.restAddress = stripScheme(jobManager.restAddress);
    this.rpcAddress = stripScheme(jobManager.rpcAddress);
    this.jobManagerMetricsAddress =
      jobManager.metricsAddress === undefined ? undefined : stripScheme(jobManager.metricsAddress);
    this.rest = new RestClient(this.restAddress);
  }

  /** Starts a JobManager and the TaskManagers; on any failure stops what was started. */
  static async start(options: MiniClusterOptions = {}): Promise<MiniCluster> {
    const config = miniClusterConfiguration(options);
    const logger = options.logger ?? silentLogger();
    const jobManager = await startJobManager({ config, logger: logger.child({ component: 'jobmanager' }) });
    const cluster = new MiniCluster(jobManager, config, logger);
    try {
      for (let i = 0; i < (options.taskManagers ?? 1); i++) await cluster.addTaskManager();
    } catch (err) {
      await cluster.close();
      throw err;
    }
    return cluster;
  }

  /** The running TaskManagers, in start order. */
  get taskManagers(): readonly TaskManagerHandle[] {
    return this.#taskManagers;
  }

  /** Starts one more TaskManager with the cluster's configuration. */
  async addTaskManager(): Promise<TaskManagerHandle> {
    const tm = await startTaskManager({
      config: this.#config,
      jobManagerAddress: this.rpcAddress,
      logger: this.#logger.child({ component: 'taskmanager' }),
    });
    this.#taskManagers.push(tm);
    return tm;
  }

  /** Stops TaskManager `tm` (as if its process ended) and forgets it. */
  async stopTaskManager(tm: TaskManagerHandle): Promise<void> {
    const i = this.#taskManagers.indexOf(tm);
    if (i >= 0) this.#taskManagers.splice(i, 1);
    await tm.close();
  }

  /** Stops the TaskManagers, then the JobManager. */
  close(): Promise<void> {
    this.#closing ??= this.#doClose();
    return this.#closing;
  }

  async #doClose(): Promise<void> {
    const tms = this.#taskManagers.splice(0);
    const results = await Promise.allSettled(tms.map((tm) => tm.close()));
    const jm = await Promise.allSettled([this.#jobManager.close()]);
    const failed = [...results, ...jm].find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }
}

/** The configuration of a MiniCluster: free ports unless the options say otherwise. */
export function miniClusterConfiguration(options: MiniClusterOptions): Configuration {
  const given =
    options.config instanceof Configuration ? options.config.entries() : Object.entries(options.config ?? {});
  const values = new Map<string, string | number | boolean>([
    [ConfigOptions.restPort.key, 0],
    [ConfigOptions.jobManagerRpcPort.key, 0],
    [ConfigOptions.metricsPort.key, 0],
    [ConfigOptions.taskManagerRpcPort.key, 0],
    [ConfigOptions.numberOfTaskSlots.key, options.slotsPerTaskManager ?? 1],
  ]);
  for (const [k, v] of given) values.set(k, v);
  if (options.slotsPerTaskManager !== undefined) {
    values.set(ConfigOptions.numberOfTaskSlots.key, options.slotsPerTaskManager);
  }
  // Through loadConfiguration so that a misspelt key or a wrong type fails here, naming the key.
  return loadConfiguration({ dynamic: [...values].map(([k, v]) => `${k}=${String(v)}`) });
}
