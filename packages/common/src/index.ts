// @eddy/common: ids, errors, clock, configuration, logging and metrics shared by every package.
export {
  type Brand,
  type JobId,
  type VertexId,
  type TaskManagerId,
  type ExecutionId,
  type SubtaskIndex,
} from './ids.ts';
export { newJobId, isJobId, newTaskManagerId, executionId } from './ids.ts';
export { EddyError, userError, internalError, invariant } from './errors.ts';
export type { ErrorDomain, EddyErrorOptions, SerializedError } from './errors.ts';
export { type Clock, systemClock, ManualClock } from './clock.ts';
export { ConfigOptions, Configuration, loadConfiguration } from './config.ts';
export type { ConfigOption, ConfigSources } from './config.ts';
export { type Logger, LogFields, createLogger, silentLogger } from './logger.ts';
export { MetricNames, TaskLabels, createRegistry, serveMetrics } from './metrics.ts';
