// @eddy/jobmanager: the JobManager process (Dispatcher, REST API, ResourceManager, JobMasters,
// BlobServer) and the pure scheduling, restart and job-state logic it is built on.
export { startJobManager, type JobManagerOptions, type JobManagerHandle } from './jobmanager.ts';
export { type JobState, type ExecutionState, JOB_STATES, isTerminal, canTransition } from './job-state.ts';
export {
  type RestartStrategy,
  type RestartDecision,
  restartStrategyFromConfig,
  decideRestart,
} from './restart-strategy.ts';
export { requiredSlots, placeSlots, buildDeploymentDescriptors } from './scheduler.ts';
export type { SlotOffer, DeploymentPlan, PlannedExecution } from './scheduler.ts';
