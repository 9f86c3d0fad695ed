// @eddy/api: the DataStream API, user function types, sources and sinks, and the JobGraph.
export { StreamExecutionEnvironment } from './environment.ts';
export { DataStream, KeyedStream, DataStreamSink } from './data-stream.ts';
export type {
  RuntimeContext,
  TaskInfo,
  RichFunction,
  Collector,
  MapFunction,
  FilterFunction,
  FlatMapFunction,
  ReduceFunction,
  KeySelector,
  ProcessContext,
  ProcessFunction,
  KeyedProcessContext,
  KeyedProcessFunction,
  OnTimerContext,
  TimerService,
} from './functions.ts';
export { OutputTag } from './output-tag.ts';
export {
  WatermarkStrategy,
  BoundedOutOfOrdernessWatermarks,
  MIN_WATERMARK,
  MAX_WATERMARK,
  type WatermarkGenerator,
  type WatermarkOutput,
  type TimestampAssigner,
} from './watermark.ts';
export { StateDescriptors, withTtl } from './state.ts';
export type {
  AggregateFunction,
  ValueState,
  ListState,
  MapState,
  ReducingState,
  AggregatingState,
  ValueStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  AggregatingStateDescriptor,
  StateDescriptor,
  StateDescriptorOptions,
  StateTtlConfig,
  StateTtlOptions,
  KeyedStateStore,
} from './state.ts';
export { unwrapFunction } from './functions.ts';
export { ElementsSource, NumberSequenceSource } from './source.ts';
export type { Source, SourceReader, SourceReaderContext } from './source.ts';
export { TextFileSource, fileSplit } from './file-source.ts';
export { TextFileSink } from './file-sink.ts';
export { TransactionalFileSink } from './transactional-file-sink.ts';
export { PrintSink, CollectSink, formatRecord } from './sink.ts';
export type { Sink, SinkWriter, SinkWriterContext } from './sink.ts';
export type {
  Transformation,
  PhysicalTransformation,
  SourceTransformation,
  OneInputTransformation,
  SinkTransformation,
  PartitionTransformation,
  UnionTransformation,
  TwoInputTransformation,
  SideOutputTransformation,
} from './transformation.ts';
export { isPhysical } from './transformation.ts';
export { generateJobGraph, type GeneratedJob } from './job-graph-generator.ts';
export {
  defineJob,
  buildJob,
  JobArgs,
  type JobDefinition,
  type JobBuilder,
  type BuildJobOptions,
} from './job.ts';
export { installJobModuleResolver, loadJob } from './job-loader.ts';
export { validateJobGraph, hashJobGraph, canonicalJson } from './job-graph.ts';
export type {
  JobGraph,
  JobVertex,
  JobEdge,
  OperatorNode,
  PartitionerKind,
  RuntimeMode,
} from './job-graph.ts';
// Windows (assigners, triggers, evictors, window functions).
export { TimeWindow, GlobalWindow, type Window } from './windowing/window.ts';
export {
  isMergingWindowAssigner,
  type WindowAssigner,
  type MergingWindowAssigner,
  type WindowAssignerContext,
} from './windowing/window-assigner.ts';
export { TumblingEventTimeWindows, TumblingProcessingTimeWindows } from './windowing/tumbling-windows.ts';
export {
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  slidingWindowsOf,
} from './windowing/sliding-windows.ts';
export {
  EventTimeSessionWindows,
  ProcessingTimeSessionWindows,
  type SessionWindowTimeGapExtractor,
} from './windowing/session-windows.ts';
export { GlobalWindows, NeverTrigger } from './windowing/global-windows.ts';
export {
  TriggerResult,
  isFire,
  isPurge,
  describeTrigger,
  type Trigger,
  type TriggerContext,
  type OnMergeContext,
} from './windowing/trigger.ts';
export { EventTimeTrigger } from './windowing/event-time-trigger.ts';
export { ProcessingTimeTrigger } from './windowing/processing-time-trigger.ts';
export { CountTrigger } from './windowing/count-trigger.ts';
export { PurgingTrigger } from './windowing/purging-trigger.ts';
export { ContinuousEventTimeTrigger } from './windowing/continuous-event-time-trigger.ts';
export { ContinuousProcessingTimeTrigger } from './windowing/continuous-processing-time-trigger.ts';
export {
  describeEvictor,
  type Evictor,
  type EvictorContext,
  type TimestampedValue,
} from './windowing/evictor.ts';
export { CountEvictor } from './windowing/count-evictor.ts';
export { TimeEvictor } from './windowing/time-evictor.ts';
export type {
  ProcessWindowFunction,
  ProcessAllWindowFunction,
  ProcessWindowFunctionContext,
  WindowFunction,
} from './windowing/window-function.ts';
export {
  WindowedStream,
  AllWindowedStream,
  type WindowTransformationBuilder,
} from './windowing/windowed-stream.ts';
export {
  describeWindowSpec,
  type WindowSpec,
  type WindowFunctionSpec,
  type AnyProcessWindowFunction,
} from './windowing/window-spec.ts';
// Connected streams, broadcast state and joins.
export { ConnectedStreams, KeyedConnectedStreams } from './connected-streams.ts';
export type {
  CoMapFunction,
  CoFlatMapFunction,
  CoProcessFunction,
  CoProcessOnTimerContext,
  KeyedCoProcessFunction,
} from './co-functions.ts';
export {
  BroadcastStream,
  BroadcastConnectedStream,
  type BroadcastProcessSpec,
  type ReadOnlyBroadcastState,
  type BroadcastState,
  type BroadcastProcessFunction,
  type BroadcastProcessContext,
  type BroadcastProcessReadOnlyContext,
  type KeyedBroadcastProcessFunction,
  type KeyedBroadcastProcessContext,
  type KeyedBroadcastProcessReadOnlyContext,
  type KeyedBroadcastOnTimerContext,
  type KeyedStateFunction,
} from './broadcast.ts';
export {
  IntervalJoin,
  IntervalJoined,
  type IntervalJoinSpec,
  type ProcessJoinFunction,
  type ProcessJoinContext,
} from './interval-join.ts';
export {
  JoinedStreams,
  JoinEqualTo,
  JoinWithWindow,
  CoGroupedStreams,
  CoGroupEqualTo,
  CoGroupWithWindow,
  type JoinFunction,
  type CoGroupFunction,
  type TaggedUnion,
} from './window-join.ts';
export {
  DEFAULT_CHECKPOINT_CONFIG,
  isCheckpointedFunction,
  isCheckpointListener,
  type CheckpointConfig,
  type CheckpointingMode,
  type OperatorStateStore,
  type FunctionInitializationContext,
  type FunctionSnapshotContext,
  type CheckpointedFunction,
  type CheckpointListener,
} from './checkpointing.ts';
export type { StateBackendKind } from './job-graph.ts';
