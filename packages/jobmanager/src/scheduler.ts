// Slot placement and deployment descriptors: the pure half of Flink's scheduler. The JobMaster asks
// `placeSlots` where the job's shared slots go, then `buildDeploymentDescriptors` for what every
// subtask must be told; both are deterministic and free of I/O.
import { executionId, type JobId, type TaskManagerId } from '@eddy/common';
import type { JobGraph, JobEdge } from '@eddy/api';
import {
  edgeLinks,
  partitionId,
  type EdgeLink,
  type InputChannelDeploymentDescriptor,
  type JobSubmission,
  type TaskDeploymentDescriptor,
  type TaskManagerLocation,
} from '@eddy/runtime';

/** Free slots of one TaskManager, as the ResourceManager sees them. */
export interface SlotOffer {
  readonly location: TaskManagerLocation;
  readonly freeSlots: number;
}

/**
 * Slots a job needs under slot sharing: shared slot `i` hosts subtask `i` of every vertex, so the
 * widest vertex decides.
 */
export function requiredSlots(graph: JobGraph): number {
  let n = 0;
  for (const v of graph.vertices) n = Math.max(n, v.parallelism);
  return n;
}

/**
 * Picks TaskManagers for `count` shared slots, spreading them: round robin over the TaskManagers with
 * free slots, the one with most free slots first (ties by id, for determinism). Returns one location
 * per shared slot index, or undefined when the free slots do not suffice.
 */
export function placeSlots(offers: readonly SlotOffer[], count: number): TaskManagerLocation[] | undefined {
  const free = offers
    .filter((o) => o.freeSlots > 0)
    .map((o) => ({ location: o.location, left: o.freeSlots }))
    .sort(
      (a, b) =>
        b.left - a.left ||
        (a.location.taskManagerId < b.location.taskManagerId
          ? -1
          : a.location.taskManagerId > b.location.taskManagerId
            ? 1
            : 0),
    );
  let total = 0;
  for (const f of free) total += f.left;
  if (total < count) return undefined;
  const out: TaskManagerLocation[] = [];
  while (out.length < count) {
    for (const f of free) {
      if (out.length === count) break;
      if (f.left === 0) continue;
      f.left--;
      out.push(f.location);
    }
  }
  return out;
}

/** Slots per TaskManager in a placement (what the ResourceManager must reserve). */
export function slotsPerTaskManager(placement: readonly TaskManagerLocation[]): Map<TaskManagerId, number> {
  const m = new Map<TaskManagerId, number>();
  for (const l of placement) m.set(l.taskManagerId, (m.get(l.taskManagerId) ?? 0) + 1);
  return m;
}

/** Inputs of `buildDeploymentDescriptors`. */
export interface DeploymentPlan {
  readonly jobId: JobId;
  readonly attempt: number;
  readonly graph: JobGraph;
  readonly submission: JobSubmission;
  /** Location of each shared slot; subtask `i` of every vertex runs in slot `i`. */
  readonly placement: readonly TaskManagerLocation[];
}

/** One subtask to deploy: where, and what to tell it. */
export interface PlannedExecution {
  readonly location: TaskManagerLocation;
  readonly descriptor: TaskDeploymentDescriptor;
}

/**
 * The deployment descriptor of every subtask of the job, vertices in graph order. Each subtask
 * produces one partition per outgoing edge of its vertex (one subpartition per link it feeds) and
 * reads one gate per input edge, in `vertex.inputs` order, with one channel per link it consumes,
 * ordered by producer.
 */
export function buildDeploymentDescriptors(plan: DeploymentPlan): PlannedExecution[] {
  const { graph, jobId, attempt, placement } = plan;
  const parallelism = new Map(graph.vertices.map((v) => [v.id as string, v.parallelism]));
  const edgesById = new Map(graph.edges.map((e) => [e.id, e]));
  // Links of each edge, computed once and indexed by both ends (an all-to-all edge has p*q links).
  const byProducer = new Map<string, EdgeLink[][]>();
  const byConsumer = new Map<string, EdgeLink[][]>();
  for (const e of graph.edges) {
    const p = parallelism.get(e.source) ?? 0;
    const q = parallelism.get(e.target) ?? 0;
    const prod: EdgeLink[][] = Array.from({ length: p }, () => []);
    const cons: EdgeLink[][] = Array.from({ length: q }, () => []);
    for (const l of edgeLinks(e.partitioner, p, q)) {
      prod[l.producer]?.push(l);
      cons[l.consumer]?.push(l);
    }
    for (const c of cons) c.sort((a, b) => a.producer - b.producer);
    byProducer.set(e.id, prod);
    byConsumer.set(e.id, cons);
  }
  const slot = (i: number): TaskManagerLocation => {
    const l = placement[i];
    if (l === undefined)
      throw new RangeError(`no slot placed for subtask ${i}: placement has ${placement.length}`);
    return l;
  };
  const out: PlannedExecution[] = [];
  for (const v of graph.vertices) {
    const outgoing: JobEdge[] = graph.edges.filter((e) => e.source === v.id);
    const incoming: JobEdge[] = v.inputs.map((id) => {
      const e = edgesById.get(id);
      if (e === undefined) throw new RangeError(`vertex ${v.id} names unknown input edge ${id}`);
      return e;
    });
    for (let i = 0; i < v.parallelism; i++) {
      const descriptor: TaskDeploymentDescriptor = {
        jobId,
        jobName: graph.jobName,
        attempt,
        executionId: executionId(jobId, attempt, v.id, i),
        vertexId: v.id,
        subtaskIndex: i,
        parallelism: v.parallelism,
        submission: plan.submission,
        producedPartitions: outgoing.map((e) => ({
          edgeId: e.id,
          partitionId: partitionId(jobId, attempt, e.id, i),
          numberOfSubpartitions: byProducer.get(e.id)?.[i]?.length ?? 0,
        })),
        inputGates: incoming.map((e) => ({
          edgeId: e.id,
          inputIndex: e.inputIndex,
          channels: (byConsumer.get(e.id)?.[i] ?? []).map((l): InputChannelDeploymentDescriptor => ({
            partitionId: partitionId(jobId, attempt, e.id, l.producer),
            subpartition: l.subpartition,
            producerSubtask: l.producer,
            producer: slot(l.producer),
          })),
        })),
      };
      out.push({ location: slot(i), descriptor });
    }
  }
  return out;
}
