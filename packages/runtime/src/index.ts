// @eddy/runtime: StreamTask, mailbox, operator chain, operators, and the data-plane interfaces.
export type {
  TaskManagerLocation,
  ResultPartitionDeploymentDescriptor,
  InputChannelDeploymentDescriptor,
  InputGateDeploymentDescriptor,
  JobSubmission,
  TaskDeploymentDescriptor,
  StateObjectReference,
  SubtaskStateReference,
  CheckpointingDeployment,
  RestoreDeployment,
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
export { AbstractStreamOperator, BatchCollector } from './operators/abstract-stream-operator.ts';
export type { Timestamps } from './operators/stream-operator.ts';
export {
  ONE_INPUT_OPERATORS,
  TWO_INPUT_OPERATORS,
  type OneInputOperatorFactory,
  type TwoInputOperatorFactory,
  type OperatorFactoryContext,
} from './operators/operator-factories.ts';
export { InternalTimerService, type Timer, type Triggerable } from './timers/internal-timer-service.ts';
export {
  SystemProcessingTimeService,
  ManualProcessingTimeService,
  type ProcessingTimeService,
} from './timers/processing-time-service.ts';
export { StatusWatermarkValve, type ValveOutput } from './watermark-valve.ts';
export { WatermarkEmitter } from './watermark-emitter.ts';
export {
  OperatorTestHarness,
  type HarnessElement,
  type HarnessOptions,
} from './testing/operator-test-harness.ts';
export { CoMapOperator, CoFlatMapOperator } from './operators/co-map-operators.ts';
export { CoProcessOperator } from './operators/co-process-operator.ts';
export { BroadcastProcessOperator } from './operators/broadcast-process-operator.ts';
export { HeapBroadcastState } from './operators/broadcast-state.ts';
export { IntervalJoinOperator } from './operators/interval-join-operator.ts';
export {
  assignRestore,
  type IncrementalKeyedState,
  type OperatorSnapshot,
  type OperatorRestore,
  type TimerSnapshotEntry,
} from './checkpointing/operator-snapshot.ts';
export { BarrierAligner, type AlignerAction } from './checkpointing/barrier-aligner.ts';
export type { TaskCheckpointing, CheckpointOptions } from './stream-task.ts';
export {
  encodeOperatorSnapshot,
  decodeOperatorSnapshot,
  decodeOperatorSnapshotObject,
  encodeKeyGroupObject,
  decodeKeyGroupObject,
  type KeyGroupReference,
} from './checkpointing/snapshot-codec.ts';
