// Turns an environment's transformations into a JobGraph: resolves virtual nodes into edges, picks
// partitioners and parallelism, chains operators (forward edge, equal parallelism, single input),
// assigns uids. Pure and deterministic: the client and every TaskManager must get the same graph.
import { createHash } from 'node:crypto';
import { userError, type VertexId } from '@eddy/common';
import type { StreamExecutionEnvironment } from './environment.ts';
import {
  isPhysical,
  type PhysicalTransformation,
  type Transformation,
  type PartitionTransformation,
} from './transformation.ts';
import {
  hashJobGraph,
  type JobEdge,
  type JobGraph,
  type JobVertex,
  type OperatorNode,
  type PartitionerKind,
} from './job-graph.ts';

/** A physical input of an operator after virtual nodes are resolved. */
interface ResolvedInput {
  readonly from: PhysicalTransformation;
  readonly partitioner: PartitionerKind | undefined;
  readonly keyBy: PartitionTransformation | undefined;
  readonly inputIndex: number;
  readonly outputTag: string | undefined;
}

function resolveInputs(
  t: Transformation,
  partition: PartitionTransformation | undefined,
  tag: string | undefined,
  inputIndex: number,
  out: ResolvedInput[],
): void {
  switch (t.type) {
    case 'partition':
      // The partitioner closest to the consumer wins, as in Flink.
      resolveInputs(t.input, partition ?? t, tag, inputIndex, out);
      return;
    case 'union':
      for (const i of t.inputs) resolveInputs(i, partition, tag, inputIndex, out);
      return;
    case 'side-output':
      resolveInputs(t.input, partition, t.tag, inputIndex, out);
      return;
    default:
      out.push({
        from: t,
        partitioner: partition?.partitioner,
        keyBy: partition,
        inputIndex,
        outputTag: tag,
      });
  }
}

function inputsOf(t: PhysicalTransformation): ResolvedInput[] {
  const out: ResolvedInput[] = [];
  if (t.type === 'two-input') {
    resolveInputs(t.input1, undefined, undefined, 0, out);
    resolveInputs(t.input2, undefined, undefined, 1, out);
  } else if (t.type !== 'source') {
    resolveInputs(t.input, undefined, undefined, 0, out);
  }
  return out;
}

function kindOf(t: PhysicalTransformation): string {
  return t.type === 'one-input' || t.type === 'two-input' ? t.kind : t.type;
}

function configOf(t: PhysicalTransformation): unknown {
  if (t.type === 'source') {
    const source = t.source.describe() ?? null;
    return t.watermarkStrategy === undefined
      ? source
      : { source, watermarks: t.watermarkStrategy.describe() };
  }
  if (t.type === 'sink') return t.sink.describe() ?? null;
  return t.config ?? null;
}

/** The result of generating a JobGraph: the graph and the transformations it refers to by id. */
export interface GeneratedJob {
  readonly graph: JobGraph;
  readonly transformations: readonly Transformation[];
}

/** Generates the JobGraph of `env`. Throws a user error naming the operator when the dataflow is invalid. */
export function generateJobGraph(env: StreamExecutionEnvironment): GeneratedJob {
  const all = env.getTransformations();
  const physical = all.filter(isPhysical);
  if (!physical.some((t) => t.type === 'sink')) {
    throw userError('JOB_NO_SINK', 'the job defines no sink: end each stream with .sinkTo(...) or .print()');
  }
  const parallelism = new Map<number, number>();
  const maxParallelism = new Map<number, number>();
  for (const t of physical) {
    const p = t.parallelism ?? env.getParallelism();
    const mp = t.maxParallelism ?? env.getMaxParallelism();
    if (p > mp) {
      throw userError(
        'JOB_PARALLELISM',
        `operator '${t.name}' has parallelism ${p} above its max parallelism ${mp}: lower -p or raise setMaxParallelism`,
      );
    }
    parallelism.set(t.id, p);
    maxParallelism.set(t.id, mp);
  }
  const par = (t: PhysicalTransformation): number => parallelism.get(t.id) ?? 1;

  // Edges and chaining decisions, per consumer.
  interface LogicalEdge {
    from: PhysicalTransformation;
    to: PhysicalTransformation;
    partitioner: PartitionerKind;
    keyBy: PartitionTransformation | undefined;
    inputIndex: number;
    outputTag: string | undefined;
  }
  const inputs = new Map<number, LogicalEdge[]>();
  const chainedTo = new Map<number, number>(); // consumer id -> producer id it is chained to
  for (const t of physical) {
    const resolved = inputsOf(t);
    const edges: LogicalEdge[] = resolved.map((r) => {
      let partitioner = r.partitioner;
      if (partitioner === undefined) partitioner = par(r.from) === par(t) ? 'forward' : 'rebalance';
      if (partitioner === 'forward' && par(r.from) !== par(t)) {
        throw userError(
          'JOB_FORWARD_PARALLELISM',
          `forward partitioning from '${r.from.name}' (parallelism ${par(r.from)}) to '${t.name}' (parallelism ${par(t)}) needs equal parallelism: use rebalance() or set equal parallelism`,
        );
      }
      return {
        from: r.from,
        to: t,
        partitioner,
        keyBy: partitioner === 'hash' ? r.keyBy : undefined,
        inputIndex: r.inputIndex,
        outputTag: r.outputTag,
      };
    });
    inputs.set(t.id, edges);
    const only = edges.length === 1 ? edges[0] : undefined;
    if (
      only !== undefined &&
      env.isChainingEnabled() &&
      only.partitioner === 'forward' &&
      only.outputTag === undefined &&
      only.from.type !== 'sink' &&
      only.from.chaining !== 'never' &&
      t.chaining === 'always'
    ) {
      chainedTo.set(t.id, only.from.id);
    }
  }

  // Vertices: one per chain head, ordered by head id (which is a topological order).
  const headOf = (t: PhysicalTransformation): number => {
    let id = t.id;
    for (let up = chainedTo.get(id); up !== undefined; up = chainedTo.get(id)) id = up;
    return id;
  };
  const heads = physical.filter((t) => !chainedTo.has(t.id));
  const vertexIndex = new Map<number, number>(heads.map((h, i) => [h.id, i]));
  const members = heads.map((h) => physical.filter((t) => headOf(t) === h.id));
  const positionInVertex = new Map<number, number>();
  for (const m of members) m.forEach((t, i) => positionInVertex.set(t.id, i));

  const uids = assignUids(physical, inputs);
  const edges: JobEdge[] = [];
  const networkOutputs = new Map<number, string[]>();
  const vertexInputs = heads.map(() => [] as string[]);
  for (const h of heads) {
    for (const e of inputs.get(h.id) ?? []) {
      const id = `e${edges.length}`;
      const edge: JobEdge = {
        id,
        source: `v${vertexIndex.get(headOf(e.from))}` as VertexId,
        sourceOperator: positionInVertex.get(e.from.id) ?? 0,
        target: `v${vertexIndex.get(h.id)}` as VertexId,
        partitioner: e.partitioner,
        ...(e.keyBy === undefined ? {} : { keySelector: e.keyBy.id }),
        inputIndex: e.inputIndex,
        ...(e.outputTag === undefined ? {} : { outputTag: e.outputTag }),
      };
      edges.push(edge);
      networkOutputs.set(e.from.id, [...(networkOutputs.get(e.from.id) ?? []), id]);
      vertexInputs[vertexIndex.get(h.id) ?? 0]?.push(id);
    }
  }

  const vertices: JobVertex[] = heads.map((h, vi) => {
    const ops = members[vi] ?? [];
    const operators: OperatorNode[] = ops.map((t) => ({
      transformationId: t.id,
      uid: uids.get(t.id) ?? '',
      name: t.name,
      kind: kindOf(t),
      config: configOf(t),
      chainedOutputs: ops
        .filter((c) => chainedTo.get(c.id) === t.id)
        .map((c) => positionInVertex.get(c.id) ?? 0),
      networkOutputs: networkOutputs.get(t.id) ?? [],
    }));
    return {
      id: `v${vi}` as VertexId,
      name: ops.map((t) => t.name).join(' -> '),
      parallelism: par(h),
      maxParallelism: maxParallelism.get(h.id) ?? env.getMaxParallelism(),
      operators,
      inputs: vertexInputs[vi] ?? [],
    };
  });

  const timeout = env.getBufferTimeout();
  const unhashed = {
    version: 1 as const,
    jobName: env.getJobName(),
    runtimeMode: env.getRuntimeMode(),
    defaultParallelism: env.getParallelism(),
    maxParallelism: env.getMaxParallelism(),
    ...(timeout === undefined ? {} : { bufferTimeout: timeout }),
    autoWatermarkInterval: env.getAutoWatermarkInterval(),
    ...optional('checkpointing', env.getCheckpointConfig()),
    ...optional('stateBackend', env.getStateBackend()),
    vertices,
    edges,
  };
  return { graph: { ...unhashed, hash: hashJobGraph(unhashed) }, transformations: all };
}

/**
 * Explicit uids win; otherwise a stable hash of the operator's kind, name, and its inputs' uids
 * (Flink hashes position in the topology the same way). Duplicate explicit uids are an error.
 */
function assignUids(
  physical: readonly PhysicalTransformation[],
  inputs: Map<number, { from: PhysicalTransformation }[]>,
): Map<number, string> {
  const uids = new Map<number, string>();
  const seen = new Map<string, string>();
  for (const t of physical) {
    let uid = t.uid;
    if (uid === undefined) {
      const h = createHash('sha256');
      h.update(`${kindOf(t)}\0${t.name}\0`);
      for (const i of inputs.get(t.id) ?? []) h.update(`${uids.get(i.from.id)}\0`);
      // Siblings with the same inputs, kind and name are told apart by their order.
      let n = 0;
      const base = h.digest('hex').slice(0, 16);
      uid = base;
      while (seen.has(uid)) uid = `${base}-${++n}`;
    } else if (seen.has(uid)) {
      throw userError(
        'JOB_DUPLICATE_UID',
        `uid '${uid}' is used by both '${seen.get(uid)}' and '${t.name}': uids must be unique`,
      );
    }
    seen.set(uid, t.name);
    uids.set(t.id, uid);
  }
  return uids;
}

/** `{[key]: value}` when value is defined, else `{}` (optional JSON fields stay absent). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]: V });
}
