// The JobGraph: what a client submits and what every TaskManager rebuilds and compares.
// It is plain JSON (validated by `validateJobGraph` at the JobManager); user functions never appear
// in it: a TaskManager resolves them by transformation id from the job module it rebuilt.
import { createHash } from 'node:crypto';
import { userError, type VertexId } from '@eddy/common';
import type { CheckpointConfig } from './checkpointing.ts';

/** Where keyed state lives. */
export type StateBackendKind = 'heap' | 'leveldb';

/** How records of an edge are distributed to the consumer's subtasks. */
export type PartitionerKind = 'forward' | 'rebalance' | 'rescale' | 'hash' | 'broadcast';

/** STREAMING emits results continuously; BATCH emits keyed aggregates once, at the end of input. */
export type RuntimeMode = 'streaming' | 'batch';

/** One operator of a chain. */
export interface OperatorNode {
  /** Id of the transformation that produced it; how a TaskManager finds the user function. */
  readonly transformationId: number;
  /** Stable operator id; state is mapped by it. */
  readonly uid: string;
  readonly name: string;
  /** Operator kind, e.g. 'source', 'map', 'filter', 'flat-map', 'process', 'reduce', 'sink'. */
  readonly kind: string;
  /** Kind-specific JSON, part of the graph hash (e.g. a source's description). */
  readonly config: unknown;
  /** Indexes (into the vertex's operators) of the chained operators this one feeds. */
  readonly chainedOutputs: readonly number[];
  /** Ids of the network edges this one feeds. */
  readonly networkOutputs: readonly string[];
}

/** A vertex: one chain of operators, run as `parallelism` subtasks. */
export interface JobVertex {
  readonly id: VertexId;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The chain; operators[0] is the head, fed by the vertex's input edges. */
  readonly operators: readonly OperatorNode[];
  /** Ids of the input edges, in input order. */
  readonly inputs: readonly string[];
}

/** A network edge between two vertices. */
export interface JobEdge {
  readonly id: string;
  readonly source: VertexId;
  /** Index of the producing operator within the source vertex's chain. */
  readonly sourceOperator: number;
  readonly target: VertexId;
  readonly partitioner: PartitionerKind;
  /** For 'hash': the id of the keyBy transformation whose key selector partitions records. */
  readonly keySelector?: number;
  /** Which input of the target's head operator this edge feeds (0 for one-input operators). */
  readonly inputIndex: number;
  /** Set when the edge carries the producer's side output of this tag instead of its main output. */
  readonly outputTag?: string;
}

/** The whole dataflow, as submitted. */
export interface JobGraph {
  readonly version: 1;
  readonly jobName: string;
  readonly runtimeMode: RuntimeMode;
  readonly defaultParallelism: number;
  readonly maxParallelism: number;
  /** Buffer timeout in ms, when the job sets one; otherwise the cluster's. */
  readonly bufferTimeout?: number;
  /** Periodic watermark interval in ms (0: after every batch). */
  readonly autoWatermarkInterval?: number;
  /** Checkpointing, when the job enables it. */
  readonly checkpointing?: CheckpointConfig;
  /** Keyed state backend: 'heap' (default) or 'leveldb'. */
  readonly stateBackend?: StateBackendKind;
  /** Topologically sorted: every edge goes from an earlier vertex to a later one. */
  readonly vertices: readonly JobVertex[];
  readonly edges: readonly JobEdge[];
  /** SHA-256 over the canonical JSON of everything above. */
  readonly hash: string;
}

/** JSON with sorted object keys: the same graph always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

/** The hash of a graph without its `hash` field. */
export function hashJobGraph(graph: Omit<JobGraph, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...rest } = graph;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

const PARTITIONERS: ReadonlySet<string> = new Set(['forward', 'rebalance', 'rescale', 'hash', 'broadcast']);

/**
 * Checks that untrusted JSON is a well-formed JobGraph and returns it typed. Every problem found is
 * reported at once, each naming the field at fault.
 */
export function validateJobGraph(input: unknown): JobGraph {
  const errors: string[] = [];
  const isObj = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  const posInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
  if (!isObj(input)) throw userError('JOB_GRAPH_INVALID', 'job graph must be a JSON object');
  const g = input;
  if (g['version'] !== 1) errors.push('version must be 1');
  if (typeof g['jobName'] !== 'string' || g['jobName'] === '')
    errors.push('jobName must be a non-empty string');
  if (g['runtimeMode'] !== 'streaming' && g['runtimeMode'] !== 'batch')
    errors.push("runtimeMode must be 'streaming' or 'batch'");
  if (!posInt(g['defaultParallelism'])) errors.push('defaultParallelism must be a positive integer');
  if (!posInt(g['maxParallelism']) || (g['maxParallelism'] as number) > 32768)
    errors.push('maxParallelism must be an integer in 1..32768');
  if (
    g['bufferTimeout'] !== undefined &&
    !(Number.isInteger(g['bufferTimeout']) && (g['bufferTimeout'] as number) >= 0)
  ) {
    errors.push('bufferTimeout must be a non-negative integer');
  }
  const awi = g['autoWatermarkInterval'];
  if (awi !== undefined && !(Number.isInteger(awi) && (awi as number) >= 0)) {
    errors.push('autoWatermarkInterval must be a non-negative integer');
  }
  if (typeof g['hash'] !== 'string' || !/^[0-9a-f]{64}$/.test(g['hash']))
    errors.push('hash must be 64 hex characters');
  const vertices = Array.isArray(g['vertices'])
    ? g['vertices']
    : (errors.push('vertices must be an array'), []);
  const edges = Array.isArray(g['edges']) ? g['edges'] : (errors.push('edges must be an array'), []);
  if (vertices.length === 0) errors.push('the job has no operators: add a source and a sink');
  const vertexIds = new Map<string, number>();
  const edgeIds = new Set<string>();
  edges.forEach((e, i) => {
    if (isObj(e) && typeof e['id'] === 'string') edgeIds.add(e['id']);
    else errors.push(`edges[${i}].id must be a string`);
  });
  vertices.forEach((v, i) => {
    const at = `vertices[${i}]`;
    if (!isObj(v)) return void errors.push(`${at} must be an object`);
    if (typeof v['id'] !== 'string' || vertexIds.has(v['id']))
      errors.push(`${at}.id must be a unique string`);
    else vertexIds.set(v['id'], i);
    if (typeof v['name'] !== 'string') errors.push(`${at}.name must be a string`);
    if (!posInt(v['parallelism'])) errors.push(`${at}.parallelism must be a positive integer`);
    if (!posInt(v['maxParallelism'])) errors.push(`${at}.maxParallelism must be a positive integer`);
    else if (posInt(v['parallelism']) && (v['parallelism'] as number) > (v['maxParallelism'] as number)) {
      errors.push(`${at}.parallelism exceeds its maxParallelism`);
    }
    if (!Array.isArray(v['inputs']) || !v['inputs'].every((x) => typeof x === 'string' && edgeIds.has(x))) {
      errors.push(`${at}.inputs must list edge ids`);
    }
    const ops = Array.isArray(v['operators']) ? v['operators'] : [];
    if (ops.length === 0) errors.push(`${at}.operators must be a non-empty array`);
    ops.forEach((o, j) => {
      const oat = `${at}.operators[${j}]`;
      if (!isObj(o)) return void errors.push(`${oat} must be an object`);
      if (!Number.isInteger(o['transformationId'])) errors.push(`${oat}.transformationId must be an integer`);
      for (const f of ['uid', 'name', 'kind'])
        if (typeof o[f] !== 'string') errors.push(`${oat}.${f} must be a string`);
      const chained = o['chainedOutputs'];
      if (
        !Array.isArray(chained) ||
        !chained.every((x) => Number.isInteger(x) && (x as number) > j && (x as number) < ops.length)
      ) {
        errors.push(`${oat}.chainedOutputs must list later operators of the chain`);
      }
      const net = o['networkOutputs'];
      if (!Array.isArray(net) || !net.every((x) => typeof x === 'string' && edgeIds.has(x))) {
        errors.push(`${oat}.networkOutputs must list edge ids`);
      }
    });
  });
  edges.forEach((e, i) => {
    const at = `edges[${i}]`;
    if (!isObj(e)) return void errors.push(`${at} must be an object`);
    const s = vertexIds.get(String(e['source']));
    const t = vertexIds.get(String(e['target']));
    if (s === undefined) errors.push(`${at}.source names no vertex`);
    if (t === undefined) errors.push(`${at}.target names no vertex`);
    if (s !== undefined && t !== undefined && s >= t)
      errors.push(`${at} must go from an earlier vertex to a later one`);
    if (!Number.isInteger(e['sourceOperator'])) errors.push(`${at}.sourceOperator must be an integer`);
    if (typeof e['partitioner'] !== 'string' || !PARTITIONERS.has(e['partitioner']))
      errors.push(`${at}.partitioner is unknown`);
    if (e['partitioner'] === 'hash' && !Number.isInteger(e['keySelector']))
      errors.push(`${at}.keySelector is required for hash`);
    if (!Number.isInteger(e['inputIndex']) || (e['inputIndex'] as number) < 0)
      errors.push(`${at}.inputIndex must be >= 0`);
    if (e['outputTag'] !== undefined && typeof e['outputTag'] !== 'string')
      errors.push(`${at}.outputTag must be a string`);
  });
  if (errors.length === 0 && hashJobGraph(g as unknown as JobGraph) !== g['hash']) {
    errors.push('hash does not match the graph: it was changed after it was built');
  }
  if (errors.length > 0) {
    throw userError('JOB_GRAPH_INVALID', `invalid job graph: ${errors.slice(0, 20).join('; ')}`);
  }
  return g as unknown as JobGraph;
}
