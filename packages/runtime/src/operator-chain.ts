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
  TaskInfo,
  Transformation,
  KeySelector,
  StateDescriptor,
} from '@eddy/api';
import { EddyError, userError } from '@eddy/common';
import {
  HeapKeyedStateBackend,
  keyGroupRangeForSubtask,
  type KeyGroupRange,
  type KeyedStateBackend,
} from '@eddy/state';
import type { OperatorRestore, OperatorSnapshot } from './checkpointing/operator-snapshot.ts';
import type { TaskDeploymentDescriptor } from './deployment.ts';
import type { ResultPartitionWriter } from './io.ts';
import {
  ONE_INPUT_OPERATORS,
  TWO_INPUT_OPERATORS,
  type OneInputOperatorFactory,
} from './operators/operator-factories.ts';
import { SinkOperator } from './operators/sink-operator.ts';
import {
  joinResults,
  type Output,
  type StreamOperator,
  type Timestamps,
} from './operators/stream-operator.ts';
import type { TaskMailbox } from './mailbox.ts';
import type { ProcessingTimeService } from './timers/processing-time-service.ts';
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
  readonly processingTime: ProcessingTimeService;
  readonly mailbox: TaskMailbox;
  /** What each operator (by uid) restores from; undefined on a fresh start. */
  readonly restore?: ReadonlyMap<string, OperatorRestore> | undefined;
  /** Creates the keyed state backend of a keyed operator (default: heap). */
  readonly createKeyedBackend?:
    | ((
        maxParallelism: number,
        range: KeyGroupRange,
        operator: { readonly uid: string; readonly name: string; readonly kind: string },
      ) => Promise<KeyedStateBackend>)
    | undefined;
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
  readonly #input: number;
  constructor(op: StreamOperator, node: OperatorNode, subtask: number, input = 0) {
    this.#op = op;
    this.#node = node;
    this.#subtask = subtask;
    this.#input = input;
  }
  #guard(phase: string, call: () => void | Promise<void>): void | Promise<void> {
    let r: void | Promise<void>;
    try {
      r = call();
    } catch (err) {
      throw operatorError(this.#node, this.#subtask, phase, err);
    }
    if (r === undefined) return undefined;
    return r.catch((err: unknown) => {
      throw operatorError(this.#node, this.#subtask, phase, err);
    });
  }
  collect(batch: readonly unknown[], timestamps?: Timestamps): void | Promise<void> {
    return this.#guard('processing', () => this.#op.processBatch(batch, timestamps, this.#input));
  }
  collectSide(): void {
    // Side outputs never chain: they leave over edges of their own.
  }
  emitWatermark(watermark: number): void | Promise<void> {
    return this.#guard('processing a watermark', () => this.#op.processWatermark(watermark));
  }
  emitWatermarkStatus(idle: boolean): void {
    this.#op.processWatermarkStatus(idle);
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
  collect(batch: readonly unknown[], timestamps?: Timestamps): void | Promise<void> {
    this.#metrics.recordsOut += batch.length;
    return this.#inner.collect(batch, timestamps);
  }
  collectSide(tag: string, batch: readonly unknown[], timestamps?: Timestamps): void | Promise<void> {
    return this.#inner.collectSide(tag, batch, timestamps);
  }
  emitWatermark(watermark: number): void | Promise<void> {
    return this.#inner.emitWatermark(watermark);
  }
  emitWatermarkStatus(idle: boolean): void {
    this.#inner.emitWatermarkStatus(idle);
  }
}

/**
 * The output of one operator: its main targets (chained operators, network edges) and, per side
 * output tag, the edges reading that side output.
 */
class OperatorOutput implements Output {
  readonly #main: readonly Output[];
  readonly #sides: ReadonlyMap<string, readonly Output[]>;
  constructor(main: readonly Output[], sides: ReadonlyMap<string, readonly Output[]>) {
    this.#main = main;
    this.#sides = sides;
  }
  collect(batch: readonly unknown[], timestamps?: Timestamps): void | Promise<void> {
    const outs = this.#main;
    if (outs.length === 1) return outs[0]!.collect(batch, timestamps);
    return joinResults(outs.map((o) => o.collect(batch, timestamps)));
  }
  collectSide(tag: string, batch: readonly unknown[], timestamps?: Timestamps): void | Promise<void> {
    const outs = this.#sides.get(tag);
    if (outs === undefined) return undefined;
    return joinResults(outs.map((o) => o.collect(batch, timestamps)));
  }
  emitWatermark(watermark: number): void | Promise<void> {
    const results: (void | Promise<void>)[] = this.#main.map((o) => o.emitWatermark(watermark));
    for (const outs of this.#sides.values()) for (const o of outs) results.push(o.emitWatermark(watermark));
    return joinResults(results);
  }
  emitWatermarkStatus(idle: boolean): void {
    for (const o of this.#main) o.emitWatermarkStatus(idle);
    for (const outs of this.#sides.values()) for (const o of outs) o.emitWatermarkStatus(idle);
  }
}

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
  const factory =
    t.type === 'one-input'
      ? ONE_INPUT_OPERATORS[t.kind]
      : t.type === 'two-input'
        ? (TWO_INPUT_OPERATORS[t.kind] as OneInputOperatorFactory | undefined)
        : undefined;
  if (factory === undefined) throw new TypeError(`unknown operator kind '${node.kind}' of '${node.name}'`);
  return factory(t as OneInputTransformation, { graph: ctx.graph });
}

/** The wired operators of one subtask. */
export class OperatorChain {
  readonly #ctx: ChainContext;
  /** Operators by position in the vertex; undefined at a source head. */
  readonly #operators: (StreamOperator | undefined)[];
  readonly #outputs: Output[];
  readonly #runtime: TaskInfo[];
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
      const main: Output[] = node.chainedOutputs.map((j) => inputs[j]!);
      const sides = new Map<string, Output[]>();
      for (const edgeId of node.networkOutputs) {
        const { output, tag } = this.#networkOutput(edgeId);
        if (tag === undefined) main.push(output);
        else sides.set(tag, [...(sides.get(tag) ?? []), output]);
      }
      this.#outputs[i] = new OperatorOutput(main, sides);
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
    const head = this.#operators[0];
    this.#secondInput =
      head === undefined
        ? undefined
        : new ChainingOutput(head, vertex.operators[0]!, descriptor.subtaskIndex, 1);
  }

  readonly #secondInput: Output | undefined;

  /** Where records of the head's input `index` go (two-input heads have inputs 0 and 1). */
  inputFor(index: number): Output {
    if (index === 0) return this.input;
    if (index === 1 && this.#secondInput !== undefined) return this.#secondInput;
    throw new EddyError('INTERNAL', `the head of '${this.#ctx.vertex.name}' has no input ${index}`);
  }

  #networkOutput(edgeId: string): { output: Output; tag: string | undefined } {
    const { graph, writers, descriptor, transformations, metrics } = this.#ctx;
    const edge = graph.edges.find((e) => e.id === edgeId);
    const writer = writers.get(edgeId);
    if (edge === undefined || writer === undefined)
      throw new TypeError(`no result partition for edge ${edgeId}`);
    const target = graph.vertices.find((v) => v.id === edge.target);
    const keySelector =
      edge.keySelector === undefined ? undefined : keySelectorOf(transformations.get(edge.keySelector));
    const output = new CountingOutput(
      createRecordWriterOutput({
        partitioner: edge.partitioner,
        writer,
        ...(keySelector === undefined ? {} : { keySelector }),
        maxParallelism: target?.maxParallelism ?? graph.maxParallelism,
        subtaskIndex: descriptor.subtaskIndex,
      }),
      metrics,
    );
    return { output, tag: edge.outputTag };
  }

  /** Opens operators tail first, so nothing emits into an unopened operator. */
  async open(): Promise<void> {
    const nodes = this.#ctx.vertex.operators;
    for (let i = this.#operators.length - 1; i >= 0; i--) {
      const op = this.#operators[i];
      if (op === undefined) continue;
      try {
        await op.open(await this.#operatorContext(i));
      } catch (err) {
        throw operatorError(nodes[i]!, this.#ctx.descriptor.subtaskIndex, 'open', err);
      }
    }
  }

  /** The keyed state, key selectors and runtime context of operator `i`. */
  async #operatorContext(i: number): Promise<Parameters<StreamOperator['open']>[0]> {
    const { vertex, descriptor, transformations } = this.#ctx;
    const node = vertex.operators[i]!;
    const t = transformations.get(node.transformationId);
    const keySelectors = t === undefined ? [] : keyedInputs(t).map(keySelectorOf);
    const keyed = keySelectors.some((k) => k !== undefined);
    const restore = this.#ctx.restore?.get(node.uid);
    let backend: KeyedStateBackend | undefined;
    if (keyed) {
      const range = keyGroupRangeForSubtask(
        vertex.maxParallelism,
        descriptor.parallelism,
        descriptor.subtaskIndex,
      );
      backend =
        (await this.#ctx.createKeyedBackend?.(vertex.maxParallelism, range, node)) ??
        new HeapKeyedStateBackend(vertex.maxParallelism, range);
      this.#backends.push(backend);
      if (i === 0) {
        this.#headBackend = backend;
        this.#headKeySelectors = keySelectors;
      }
      if (restore !== undefined && restore.keyed.length > 0) await backend.restore(restore.keyed);
    }
    return {
      restore,
      runtime: runtimeContext(this.#runtime[i]!, backend, node.name),
      output: this.#outputs[i]!,
      processingTime: this.#ctx.processingTime,
      mailbox: this.#ctx.mailbox,
      keyedBackend: backend,
      keySelectors,
    };
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

  readonly #backends: KeyedStateBackend[] = [];
  #headBackend: KeyedStateBackend | undefined;
  #headKeySelectors: readonly (KeySelector<unknown, unknown> | undefined)[] = [];

  /**
   * Loads the keyed state of a batch's keys before the head operator sees the batch (one batched
   * read for backends off the heap; nothing for the heap backend).
   */
  prefetch(batch: readonly unknown[], input: number): void | Promise<void> {
    const backend = this.#headBackend;
    const selector = this.#headKeySelectors[input];
    if (backend === undefined || selector === undefined || backend instanceof HeapKeyedStateBackend)
      return undefined;
    const entries = new Array<{ key: unknown }>(batch.length);
    for (let i = 0; i < batch.length; i++) entries[i] = { key: selector(batch[i]) };
    return backend.prefetch(entries);
  }

  /** After a batch: backends that buffer writes flush them once enough are pending. */
  afterBatch(): void | Promise<void> {
    const backend = this.#headBackend as
      | (KeyedStateBackend & {
          dirtyRows?: number;
          cachedRows?: number;
          cacheEntries?: number;
          flush?: () => Promise<void>;
        })
      | undefined;
    if (backend?.flush === undefined) return undefined;
    // Write back when dirty rows fill half of the working set (only clean rows can be evicted), or
    // when the working set outgrew its budget (flushing also evicts). Snapshots flush anyway.
    const budget = backend.cacheEntries ?? Number.POSITIVE_INFINITY;
    const overCache = (backend.cachedRows ?? 0) > budget;
    if ((backend.dirtyRows ?? 0) < Math.max(16_384, budget / 2) && !overCache) return undefined;
    return backend.flush();
  }

  /**
   * Snapshots every operator, head first (the state all of them have after the records before the
   * barrier). Sources add their reader position to operator 0's snapshot.
   */
  async snapshotState(checkpointId: number): Promise<Map<string, OperatorSnapshot>> {
    const out = new Map<string, OperatorSnapshot>();
    const nodes = this.#ctx.vertex.operators;
    for (let i = 0; i < nodes.length; i++) {
      const op = this.#operators[i];
      if (op === undefined) continue;
      try {
        out.set(nodes[i]!.uid, await op.snapshotState(checkpointId));
      } catch (err) {
        throw operatorError(nodes[i]!, this.#ctx.descriptor.subtaskIndex, 'snapshotting state', err);
      }
    }
    return out;
  }

  /** Tells every operator that checkpoint `checkpointId` completed. */
  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    const nodes = this.#ctx.vertex.operators;
    for (let i = 0; i < nodes.length; i++) {
      try {
        await this.#operators[i]?.notifyCheckpointComplete(checkpointId);
      } catch (err) {
        throw operatorError(
          nodes[i]!,
          this.#ctx.descriptor.subtaskIndex,
          'committing checkpoint ' + checkpointId,
          err,
        );
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
    for (const b of this.#backends.splice(0)) await Promise.resolve(b.close()).catch(() => undefined);
    if (first !== undefined) throw first;
  }

  /** The task info of the head (for a source reader). */
  headRuntime(): TaskInfo {
    return this.#runtime[0]!;
  }
}

/** The partition transformations that key each input of `t` (undefined for unkeyed inputs). */
function keyedInputs(t: Transformation): (Transformation | undefined)[] {
  if (t.type === 'one-input') return [t.keyedBy];
  if (t.type === 'two-input') return [t.keyedBy1, t.keyedBy2];
  return [];
}

/** A RuntimeContext whose state getters use `backend`, or explain why there is no keyed state. */
function runtimeContext(
  info: TaskInfo,
  backend: KeyedStateBackend | undefined,
  operator: string,
): RuntimeContext {
  const state = <S>(descriptor: StateDescriptor): S => {
    if (backend === undefined) {
      throw userError(
        'NOT_KEYED',
        `operator '${operator}' asked for keyed state '${descriptor.name}', but its input is not keyed: apply it after keyBy(...)`,
      );
    }
    return backend.getOrCreateKeyedState<S>(descriptor);
  };
  return {
    ...info,
    getState: (d) => state(d as StateDescriptor),
    getListState: (d) => state(d as StateDescriptor),
    getMapState: (d) => state(d as StateDescriptor),
    getReducingState: (d) => state(d as StateDescriptor),
    getAggregatingState: (d) => state(d as StateDescriptor),
  };
}
