// @eddy/cli: the `eddy` command (main.ts) and what tests and tools reuse of it.
export { main } from './main.ts';
export type { CliIo } from './cli-io.ts';
export { ExitCode, UsageError } from './usage-error.ts';
export {
  RestClient,
  TERMINAL_JOB_STATES,
  errorFromResponse,
  restOptionsFromEnv,
  type RestClientOptions,
  type JobSummary,
  type JobDetails,
  type JobFailure,
  type JobVertexStatus,
  type SubmitJobRequest,
  type WaitForJobOptions,
  type CheckpointStatsRow,
  type CheckpointsOverview,
  type SavepointRequestStatus,
  type WaitForSavepointOptions,
} from './rest-client.ts';
export { MiniCluster, miniClusterConfiguration, type MiniClusterOptions } from './local-cluster.ts';
export { bundleJob, type BundleJobOptions } from './bundle.ts';
export { formatTable, formatDuration, formatTimestamp } from './format.ts';
export {
  parseReadyLine,
  jobManagerReadyLine,
  taskManagerReadyLine,
  stripScheme,
  type ReadyLine,
} from './ready-line.ts';
export { CLI_MAIN, childExecArgv, spawnDetached, waitForReadyLineInFile } from './process-launcher.ts';
export {
  eddyHome,
  readClusterState,
  isProcessAlive,
  localClusterRestAddress,
  type ClusterState,
} from './cluster-files.ts';
