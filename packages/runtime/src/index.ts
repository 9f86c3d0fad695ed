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
export { TaskMailbox, type Mail } from './mailbox.ts';
export { TaskMetrics } from './task-metrics.ts';
export { OperatorChain, operatorError, type ChainContext } from './operator-chain.ts';
export { createRecordWriterOutput, type RecordWriterSpec } from './record-writer.ts';
export { StreamTask, SOURCE_BATCH_SIZE, type StreamTaskOptions, type TaskOutcome } from './stream-task.ts';
export type { Output, StreamOperator, OperatorContext } from './operators/stream-operator.ts';
