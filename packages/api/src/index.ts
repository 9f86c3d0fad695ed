// @eddy/api: the DataStream API, user function types, sources and sinks, and the JobGraph.
export { StreamExecutionEnvironment } from './environment.ts';
export { DataStream, KeyedStream, DataStreamSink } from './data-stream.ts';
export type {
  RuntimeContext,
  RichFunction,
  Collector,
  MapFunction,
  FilterFunction,
  FlatMapFunction,
  ReduceFunction,
  KeySelector,
  ProcessContext,
  ProcessFunction,
} from './functions.ts';
export { unwrapFunction } from './functions.ts';
export { ElementsSource, NumberSequenceSource } from './source.ts';
export type { Source, SourceReader, SourceReaderContext } from './source.ts';
export { TextFileSource, fileSplit } from './file-source.ts';
export { TextFileSink } from './file-sink.ts';
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
