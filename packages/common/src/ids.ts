// Branded identifiers shared across packages. Never pass bare strings for these across a package
// boundary: the brand makes a JobId and a VertexId impossible to mix up.
import { randomBytes } from 'node:crypto';

declare const brand: unique symbol;
/** A nominal type: `T` tagged with `B`. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A job id: 32 lowercase hex characters, as in Flink. */
export type JobId = Brand<string, 'JobId'>;
/** A vertex of the JobGraph (one chain of operators). */
export type VertexId = Brand<string, 'VertexId'>;
/** A TaskManager's id. */
export type TaskManagerId = Brand<string, 'TaskManagerId'>;
/** One execution of one subtask: unique per (job, attempt, vertex, subtask). */
export type ExecutionId = Brand<string, 'ExecutionId'>;
/** Index of a parallel subtask, 0-based. */
export type SubtaskIndex = Brand<number, 'SubtaskIndex'>;

const JOB_ID = /^[0-9a-f]{32}$/;

/** A fresh random job id. */
export function newJobId(): JobId {
  return randomBytes(16).toString('hex') as JobId;
}

/** Whether `s` has the form of a job id. */
export function isJobId(s: string): s is JobId {
  return JOB_ID.test(s);
}

/** A fresh random TaskManager id. */
export function newTaskManagerId(): TaskManagerId {
  return `tm-${randomBytes(6).toString('hex')}` as TaskManagerId;
}

/** The execution id of subtask `subtask` of `vertex` in attempt `attempt` of `job`. */
export function executionId(job: JobId, attempt: number, vertex: VertexId, subtask: number): ExecutionId {
  return `${job}.${attempt}.${vertex}.${subtask}` as ExecutionId;
}
