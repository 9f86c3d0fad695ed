// Which producer subtasks feed which consumer subtasks, per partitioner. Pure; shared by the
// JobManager (to wire channels) and the runtime (to pick a subpartition per record).
import type { PartitionerKind } from '@eddy/api';

/** ALL_TO_ALL: every producer feeds every consumer. POINTWISE: each producer feeds a contiguous few. */
export type DistributionPattern = 'all-to-all' | 'pointwise';

/** The distribution pattern of a partitioner. */
export function distributionPattern(p: PartitionerKind): DistributionPattern {
  return p === 'forward' || p === 'rescale' ? 'pointwise' : 'all-to-all';
}

/**
 * Consumer subtasks fed by producer `i` (in subpartition order) for a pointwise edge, as Flink does:
 * with more consumers than producers each producer feeds a contiguous range, otherwise several
 * producers share one consumer.
 */
export function pointwiseConsumers(i: number, producers: number, consumers: number): number[] {
  if (producers >= consumers) return [Math.floor((i * consumers) / producers)];
  const start = Math.ceil((i * consumers) / producers);
  const end = Math.ceil(((i + 1) * consumers) / producers);
  const out: number[] = [];
  for (let c = start; c < end; c++) out.push(c);
  return out;
}

/** Producer subtasks feeding consumer `j` of a pointwise edge (the inverse of `pointwiseConsumers`). */
export function pointwiseProducers(j: number, producers: number, consumers: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < producers; i++)
    if (pointwiseConsumers(i, producers, consumers).includes(j)) out.push(i);
  return out;
}

/** One link of an edge: producer subtask, the subpartition it writes, the consumer subtask reading it. */
export interface EdgeLink {
  readonly producer: number;
  readonly subpartition: number;
  readonly consumer: number;
}

/** Every link of an edge between `producers` and `consumers` subtasks under partitioner `p`. */
export function edgeLinks(p: PartitionerKind, producers: number, consumers: number): EdgeLink[] {
  const links: EdgeLink[] = [];
  for (let i = 0; i < producers; i++) {
    const targets =
      distributionPattern(p) === 'all-to-all'
        ? range(consumers)
        : pointwiseConsumers(i, producers, consumers);
    targets.forEach((consumer, subpartition) => links.push({ producer: i, subpartition, consumer }));
  }
  return links;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
