// @eddy/runtime: StreamTask, mailbox, operator chain, operators, and the data-plane interfaces.
export type {
  TaskManagerLocation,
  ResultPartitionDeploymentDescriptor,
  InputChannelDeploymentDescriptor,
  InputGateDeploymentDescriptor,
  JobSubmission,
  TaskDeploymentDescriptor,
} from './deployment.ts';
export { partitionId } from './deployment.ts';
export { distributionPattern, pointwiseConsumers, pointwiseProducers, edgeLinks } from './edge-pattern.ts';
export type { DistributionPattern, EdgeLink } from './edge-pattern.ts';
export type {
  RuntimeEvent,
  InputGateElement,
  NetworkMetrics,
  ResultPartitionWriter,
  InputGate,
  ShuffleEnvironment,
} from './io.ts';
