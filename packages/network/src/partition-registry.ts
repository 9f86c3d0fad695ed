// The ResultPartitions of one TaskManager, by partition id, and the partition requests waiting for
// a partition that is not registered yet. Deployment is concurrent: a consumer may ask for a
// subpartition before the producing task has created its partition, so a request is parked until
// the partition registers, fails after a timeout, or fails at once when its job attempt was released.
//
// Threading: the TaskManager's event loop only.
import { EddyError, type JobId } from '@eddy/common';
import type { ResultPartition } from './result-partition.ts';

/** Answer to a partition request: the partition, or why there is none. */
export type PartitionRequestCallback = (
  error: EddyError | undefined,
  partition: ResultPartition | undefined,
) => void;

interface ParkedRequest {
  readonly partitionId: string;
  readonly jobId: string;
  readonly attempt: number;
  readonly callback: PartitionRequestCallback;
  timer: NodeJS.Timeout | undefined;
}

/** Registered partitions plus parked requests. */
export class PartitionRegistry {
  readonly #partitions = new Map<string, ResultPartition>();
  readonly #parked = new Map<string, Set<ParkedRequest>>();
  /** Highest released attempt per job: requests for those attempts fail at once instead of parking. */
  readonly #releasedAttempts = new Map<string, number>();
  readonly #location: string;

  constructor(location: string) {
    this.#location = location;
  }

  register(partition: ResultPartition): void {
    const id = partition.partitionId;
    if (this.#partitions.has(id)) {
      throw new EddyError(
        'PARTITION_EXISTS',
        `partition ${id} is already registered at TaskManager ${this.#location}`,
      );
    }
    this.#partitions.set(id, partition);
    const waiting = this.#parked.get(id);
    if (waiting === undefined) return;
    this.#parked.delete(id);
    for (const req of waiting) {
      clearTimeout(req.timer);
      req.callback(undefined, partition);
    }
  }

  unregister(partition: ResultPartition): void {
    if (this.#partitions.get(partition.partitionId) === partition)
      this.#partitions.delete(partition.partitionId);
  }

  /** All registered partitions. */
  partitions(): IterableIterator<ResultPartition> {
    return this.#partitions.values();
  }

  /**
   * Calls back with the partition now if it is registered, else parks the request for `timeoutMs`.
   * Returns a function that cancels a parked request (a no-op once answered).
   */
  request(
    partitionId: string,
    jobId: string,
    attempt: number,
    timeoutMs: number,
    callback: PartitionRequestCallback,
  ): () => void {
    const partition = this.#partitions.get(partitionId);
    if (partition !== undefined) {
      callback(undefined, partition);
      return noop;
    }
    const released = this.#releasedAttempts.get(jobId);
    if (released !== undefined && attempt <= released) {
      callback(this.#releasedError(partitionId, jobId, attempt), undefined);
      return noop;
    }
    const req: ParkedRequest = { partitionId, jobId, attempt, callback, timer: undefined };
    let waiting = this.#parked.get(partitionId);
    if (waiting === undefined) this.#parked.set(partitionId, (waiting = new Set()));
    waiting.add(req);
    const set = waiting;
    req.timer = setTimeout(() => {
      this.#unpark(set, req);
      callback(
        new EddyError(
          'PARTITION_NOT_FOUND',
          `partition ${partitionId} was not registered at TaskManager ${this.#location} within ${timeoutMs} ms; its producing task was not deployed there or failed before starting`,
          { domain: 'external', retryable: true },
        ),
        undefined,
      );
    }, timeoutMs);
    req.timer.unref();
    return () => {
      clearTimeout(req.timer);
      this.#unpark(set, req);
    };
  }

  /** Fails parked requests of `jobId` attempts <= `attempt` and refuses such requests from now on. */
  releaseJob(jobId: JobId, attempt: number): void {
    this.#releasedAttempts.set(jobId, Math.max(attempt, this.#releasedAttempts.get(jobId) ?? -1));
    for (const [, waiting] of [...this.#parked]) {
      for (const req of [...waiting]) {
        if (req.jobId !== jobId || req.attempt > attempt) continue;
        clearTimeout(req.timer);
        this.#unpark(waiting, req);
        req.callback(this.#releasedError(req.partitionId, jobId, req.attempt), undefined);
      }
    }
  }

  /** Fails every parked request (shutdown). */
  close(): void {
    for (const [, waiting] of [...this.#parked]) {
      for (const req of [...waiting]) {
        clearTimeout(req.timer);
        this.#unpark(waiting, req);
        req.callback(
          new EddyError('PARTITION_NOT_FOUND', `TaskManager ${this.#location} is shutting down`, {
            domain: 'external',
            retryable: true,
          }),
          undefined,
        );
      }
    }
  }

  #unpark(set: Set<ParkedRequest>, req: ParkedRequest): void {
    set.delete(req);
    if (set.size === 0 && this.#parked.get(req.partitionId) === set) this.#parked.delete(req.partitionId);
  }

  #releasedError(partitionId: string, jobId: string, attempt: number): EddyError {
    return new EddyError(
      'PARTITION_RELEASED',
      `partition ${partitionId} of job ${jobId} attempt ${attempt} was released at TaskManager ${this.#location}`,
      { domain: 'external', retryable: true },
    );
  }
}

function noop(): void {}
