// Key groups, as Flink's KeyGroupRangeAssignment: a key belongs to key group
// murmur3(keyBytes) mod maxParallelism; subtask i of p owns a contiguous range of key groups.
import { hashKey } from './key-serializer.ts';

/** Default number of key groups. */
export const DEFAULT_MAX_PARALLELISM = 128;

/** An inclusive range of key groups. */
export interface KeyGroupRange {
  readonly start: number;
  readonly end: number;
}

/** The key group of `key`. */
export function assignToKeyGroup(key: unknown, maxParallelism: number): number {
  return hashKey(key) % maxParallelism;
}

/** The key groups owned by subtask `index` of `parallelism`. */
export function keyGroupRangeForSubtask(
  maxParallelism: number,
  parallelism: number,
  index: number,
): KeyGroupRange {
  return {
    start: Math.floor((index * maxParallelism + parallelism - 1) / parallelism),
    end: Math.floor(((index + 1) * maxParallelism - 1) / parallelism),
  };
}

/** The subtask of `parallelism` that owns `keyGroup`. */
export function subtaskForKeyGroup(maxParallelism: number, parallelism: number, keyGroup: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/** The subtask of `parallelism` that owns `key`. */
export function subtaskForKey(key: unknown, maxParallelism: number, parallelism: number): number {
  return subtaskForKeyGroup(maxParallelism, parallelism, assignToKeyGroup(key, maxParallelism));
}
