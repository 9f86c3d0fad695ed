// Transformations: the logical dataflow a job builds, before chaining. Physical ones become
// operators; virtual ones (partition, union) only shape the edges between them.
import type { PartitionerKind } from './job-graph.ts';
import type { KeySelector } from './functions.ts';
import type { Source } from './source.ts';
import type { Sink } from './sink.ts';
import type { WatermarkStrategy } from './watermark.ts';

interface TransformationBase {
  /** Creation order within the job; how a TaskManager finds a transformation again. */
  readonly id: number;
  name: string;
  uid: string | undefined;
  parallelism: number | undefined;
  maxParallelism: number | undefined;
  /** 'never' disables chaining to and from this operator; 'head' starts a new chain here. */
  chaining: 'always' | 'head' | 'never';
}

/** Reads a Source. */
export interface SourceTransformation extends TransformationBase {
  readonly type: 'source';
  readonly source: Source<unknown>;
  /** Timestamps and watermarks generated in the source (per split), when given. */
  readonly watermarkStrategy: WatermarkStrategy<unknown> | undefined;
}

/** A one-input operator: map, filter, flat-map, process, reduce. */
export interface OneInputTransformation extends TransformationBase {
  readonly type: 'one-input';
  readonly input: Transformation;
  readonly kind: string;
  /** The user function (or function object) of the operator. */
  readonly fn: unknown;
  /** Kind-specific JSON, hashed with the graph. */
  readonly config: unknown;
  /** For keyed operators: the keyBy transformation that keys the input. */
  readonly keyedBy: PartitionTransformation | undefined;
}

/** A two-input operator (connect, joins): input1 and input2 arrive as inputs 0 and 1. */
export interface TwoInputTransformation extends TransformationBase {
  readonly type: 'two-input';
  readonly input1: Transformation;
  readonly input2: Transformation;
  readonly kind: string;
  readonly fn: unknown;
  readonly config: unknown;
  readonly keyedBy1: PartitionTransformation | undefined;
  readonly keyedBy2: PartitionTransformation | undefined;
}

/** Virtual: the side output `tag` of the operator `input`. */
export interface SideOutputTransformation extends TransformationBase {
  readonly type: 'side-output';
  readonly input: Transformation;
  readonly tag: string;
}

/** Writes to a Sink. */
export interface SinkTransformation extends TransformationBase {
  readonly type: 'sink';
  readonly input: Transformation;
  readonly sink: Sink<unknown>;
}

/** Virtual: how records travel to the next operator. */
export interface PartitionTransformation extends TransformationBase {
  readonly type: 'partition';
  readonly input: Transformation;
  readonly partitioner: PartitionerKind;
  readonly keySelector: KeySelector<unknown, unknown> | undefined;
}

/** Virtual: several streams read as one. */
export interface UnionTransformation extends TransformationBase {
  readonly type: 'union';
  readonly inputs: readonly Transformation[];
}

/** Any node of the logical dataflow. */
export type Transformation =
  | SourceTransformation
  | OneInputTransformation
  | TwoInputTransformation
  | SinkTransformation
  | PartitionTransformation
  | UnionTransformation
  | SideOutputTransformation;

/** Physical transformations become operators. */
export type PhysicalTransformation =
  SourceTransformation | OneInputTransformation | TwoInputTransformation | SinkTransformation;

/** Whether `t` becomes an operator. */
export function isPhysical(t: Transformation): t is PhysicalTransformation {
  return t.type === 'source' || t.type === 'one-input' || t.type === 'two-input' || t.type === 'sink';
}
