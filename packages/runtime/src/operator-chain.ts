// The operators of one vertex, wired for one subtask: chained operators call each other directly
// (no serialization, no queue), network outputs append to result partitions. Errors thrown by user
// code are annotated with the operator that threw, so a failure names the function to fix.
import type {
  JobGraph,
  JobVertex,
  OneInputTransformation,
  OperatorNode,
  RuntimeContext,
  SinkWriterContext,
  Transformation,
  KeySelector,
} from '@eddy/api';
import { EddyError } from '@eddy/common';
import type { TaskDeploymentDescriptor } from './deployment.ts';
import type { ResultPartitionWriter } from './io.ts';
import {
  FilterOperator,
  FlatMapOperator,
  MapOperator,
  ProcessOperator,
} from './operators/basic-operators.ts';
import { KeyedReduceOperator } from './operators/keyed-reduce-operator.ts';
import { SinkOperator } from './operators/sink-operator.ts';
import { joinResults, type Output, type StreamOperator } from './operators/stream-operator.ts';
import { createRecordWriterOutput } from './record-writer.ts';
import type { TaskMetrics } from './task-metrics.ts';

/** What the chain needs from its task. */
export interface ChainContext {
  readonly descriptor: TaskDeploymentDescriptor;
  readonly graph: JobGraph;
  readonly vertex: JobVertex;
  readonly transformations: ReadonlyMap<number, Transformation>;
  readonly writers: ReadonlyMap<string, ResultPartitionWriter>;
  readonly metrics: TaskMetrics;
  /** Ships records of a collect sink to the JobManager. */
  readonly reportCollected: (sinkUid: string, records: readonly unknown[]) => Promise<void>;
}

/** Annotates a throwable from user code with the operator and subtask. */
export function operatorError(node: OperatorNode, subtask: number, phase: string, err: unknown): EddyError {
  if (err instanceof EddyError && err.code === 'OPERATOR_FAILED') return err;
  const msg = err instanceof Error ? err.message : String(err);
  const where = `operator '${node.name}' (uid ${node.uid}, subtask ${subtask}) failed in ${phase}`;
  // A user error that says retrying cannot help (a missing input file) fails the job at once;
  // anything else a user function throws may be transient, so the restart strategy decides.
  if (err instanceof EddyError && err.domain === 'user' && !err.retryable) {
    return new EddyError(err.code, `${where}: ${msg}`, { domain: 'user', retryable: false, cause: err });
  }
  return new EddyError('OPERATOR_FAILED', `${where}: ${msg}`, {
    domain: 'user',
    retryable: true,
    cause: err,
  });
}

/** Feeds a chained operator, turning its failures into annotated errors. */
class ChainingOutput implements Output {
  readonly #op: StreamOperator;
  readonly #node: OperatorNode;
  readonly #subtask: number;
  constructor(op: StreamOperator, node: OperatorNode, subtask: number) {
    this.#op = op;
    this.#node = node;
    this.#subtask = subtask;
  }
  collect(batch: readonly unknown[]): void | Promise<void> {
    let r: void | Promise<void>;
    try {
      r = this.#op.processBatch(batch, 0);
    } catch (err) {
      throw operatorError(this.#node, this.#subtask, 'processing', err);
    }
    if (r === undefined) return undefined;
    return r.catch((err: unknown) => {
      throw operatorError(this.#node, this.#subtask, 'processing', err);
    });
  }
}

/** Counts records leaving the task over the network. */
class CountingOutput implements Output {
  readonly #inner: Output;
  readonly #metrics: TaskMetrics;
  constructor(inner: Output, metrics: TaskMetrics) {
    this.#inner = inner;
    this.#metrics = metrics;
  }
  collect(batch: readonly unknown[]): void | Promise<void> {
    this.#metrics.recordsOut += batch.length;
    return this.#inner.collect(batch);
  }
}

/** Several downstream outputs. */
class BroadcastingOutput implements Output {
  readonly #outputs: readonly Output[];
  constructor(outputs: readonly Output[]) {
    this.#outputs = outputs;
  }
  collect(batch: readonly unknown[]): void | Promise<void> {
    const outs = this.#outputs;
    if (outs.length === 2) return joinResults([outs[0]!.collect(batch), outs[1]!.collect(batch)]);
    return joinResults(outs.map((o) => o.collect(batch)));
  }
}

/** Output of an operator that feeds nothing (a sink). */
const DISCARD: Output = { collect: () => undefined };

function transformationOf(ctx: ChainContext, node: OperatorNode): Transformation {
  const t = ctx.transformations.get(node.transformationId);
  if (t === undefined) {
    throw new EddyError(
      'JOB_GRAPH_MISMATCH',
      `the job module defines no transformation ${node.transformationId} for operator '${node.name}': the bundle does not match the submitted graph`,
      { domain: 'user' },
    );
  }
  return t;
}

function keySelectorOf(t: Transformation | undefined): KeySelector<unknown, unknown> | undefined {
  return t?.type === 'partition' ? t.keySelector : undefined;
}

function createOperator(ctx: ChainContext, node: OperatorNode, t: Transformation): StreamOperator {
  if (t.type === 'sink') {
    const sink = t.sink;
    return new SinkOperator(sink, (runtime): SinkWriterContext => ({
      ...runtime,
      reportCollected: (records) => ctx.reportCollected(node.uid, records),
    }));
  }
  if (t.type !== 'one-input')
    throw new TypeError(`operator '${node.name}' of kind ${node.kind} cannot be chained`);
  const o: OneInputTransformation = t;
  switch (o.kind) {
    case 'map':
      return new MapOperator(o.fn);
    case 'filter':
      return new FilterOperator(o.fn);
    case 'flat-map':
      return new FlatMapOperator(o.fn);
    case 'process':
      return new ProcessOperator(o.fn);
    case 'reduce': {
      const key = keySelectorOf(o.keyedBy);
      if (key === undefined) throw new TypeError(`operator '${node.name}' needs a keyed input`);
      return new KeyedReduceOperator(o.fn, key, ctx.graph.runtimeMode);
    }
    default:
      throw new TypeError(`unknown operator kind '${o.kind}' of '${node.name}'`);
  }
}

/** The wired operators of one subtask. */
export class OperatorChain {
  readonly #ctx: ChainContext;
  /** Operators by position in the vertex; undefined at a source head. */
  readonly #operators: (StreamOperator | undefined)[];
  readonly #outputs: Output[];
  readonly #runtime: RuntimeContext[];
  /** Where records entering the chain go: the head operator, or a source's output. */
  readonly input: Output;

  constructor(ctx: ChainContext) {
    this.#ctx = ctx;
    const { vertex, descriptor } = ctx;
    const n = vertex.operators.length;
    this.#operators = new Array<StreamOperator | undefined>(n);
    this.#outputs = new Array<Output>(n);
    this.#runtime = vertex.operators.map((node) => ({
      jobId: descriptor.jobId,
      jobName: descriptor.jobName,
      taskName: vertex.name,
      operatorUid: node.uid,
      subtaskIndex: descriptor.subtaskIndex,
      parallelism: descriptor.parallelism,
      maxParallelism: vertex.maxParallelism,
      attempt: descriptor.attempt,
    }));
    const inputs = new Array<Output>(n);
    // Build from the tail, so every operator's downstream exists when its output is made.
    for (let i = n - 1; i >= 0; i--) {
      const node = vertex.operators[i]!;
      const t = transformationOf(ctx, node);
      const targets: Output[] = node.chainedOutputs.map((j) => inputs[j]!);
      for (const edgeId of node.networkOutputs) targets.push(this.#networkOutput(edgeId));
      this.#outputs[i] =
        targets.length === 0 ? DISCARD : targets.length === 1 ? targets[0]! : new BroadcastingOutput(targets);
      if (t.type === 'source') {
        inputs[i] = this.#outputs[i]!;
        continue;
      }
      let op: StreamOperator;
      try {
        op = createOperator(ctx, node, t);
      } catch (err) {
        throw operatorError(node, descriptor.subtaskIndex, 'setup', err);
      }
      this.#operators[i] = op;
      inputs[i] = new ChainingOutput(op, node, descriptor.subtaskIndex);
    }
    this.input = inputs[0]!;
  }

  #networkOutput(edgeId: string): Output {
    const { graph, writers, descriptor, transformations, metrics } = this.#ctx;
    const edge = graph.edges.find((e) => e.id === edgeId);
    const writer = writers.get(edgeId);
    if (edge === undefined || writer === undefined)
      throw new TypeError(`no result partition for edge ${edgeId}`);
    const target = graph.vertices.find((v) => v.id === edge.target);
    const keySelector =
      edge.keySelector === undefined ? undefined : keySelectorOf(transformations.get(edge.keySelector));
    return new CountingOutput(
      createRecordWriterOutput({
        partitioner: edge.partitioner,
        writer,
        ...(keySelector === undefined ? {} : { keySelector }),
        maxParallelism: target?.maxParallelism ?? graph.maxParallelism,
        subtaskIndex: descriptor.subtaskIndex,
      }),
      metrics,
    );
  }

  /** Opens operators tail first, so nothing emits into an unopened operator. */
  async open(): Promise<void> {
    const nodes = this.#ctx.vertex.operators;
    for (let i = this.#operators.length - 1; i >= 0; i--) {
      const op = this.#operators[i];
      if (op === undefined) continue;
      try {
        await op.open({ runtime: this.#runtime[i]!, output: this.#outputs[i]! });
      } catch (err) {
        throw operatorError(nodes[i]!, this.#ctx.descriptor.subtaskIndex, 'open', err);
      }
    }
  }

  /** Ends input head first: each operator flushes what it holds into the (still open) rest. */
  async endInput(): Promise<void> {
    const nodes = this.#ctx.vertex.operators;
    for (let i = 0; i < this.#operators.length; i++) {
      try {
        await this.#operators[i]?.endInput();
      } catch (err) {
        throw operatorError(nodes[i]!, this.#ctx.descriptor.subtaskIndex, 'end of input', err);
      }
    }
  }

  /** Closes every operator, even when some fail; the first error wins. */
  async close(): Promise<void> {
    let first: unknown;
    const nodes = this.#ctx.vertex.operators;
    for (let i = 0; i < this.#operators.length; i++) {
      try {
        await this.#operators[i]?.close();
      } catch (err) {
        first ??= operatorError(nodes[i]!, this.#ctx.descriptor.subtaskIndex, 'close', err);
      }
    }
    if (first !== undefined) throw first;
  }

  /** The runtime context of the head (for a source reader). */
  headRuntime(): RuntimeContext {
    return this.#runtime[0]!;
  }
}
