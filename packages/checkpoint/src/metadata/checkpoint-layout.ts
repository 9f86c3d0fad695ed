// Where checkpoint objects live inside a CheckpointStorage:
//   <jobId>/chk-<n>/...        objects owned by checkpoint n, and its `_metadata`, written last
//   <jobId>/shared/...         objects of incremental checkpoints, referenced by several checkpoints
// A savepoint uses the same format at the root of its own storage (the user's directory): its objects
// and `_metadata` directly under it, and never shared objects (a savepoint is self-contained).
import type { JobId } from '@eddy/common';

/** Name of the metadata object in a checkpoint or savepoint directory. */
export const METADATA_FILE_NAME = '_metadata';
/** Name of the job-level directory of objects shared between incremental checkpoints. */
export const SHARED_DIRECTORY_NAME = 'shared';

const CHECKPOINT_DIRECTORY = /^chk-([1-9][0-9]*)$/;

/** The storage prefix of the job's checkpoints: `<jobId>/`. */
export function jobDirectory(jobId: JobId): string {
  return `${jobId}/`;
}

/** The storage prefix of checkpoint `checkpointId`: `<jobId>/chk-<n>/`. */
export function checkpointDirectory(jobId: JobId, checkpointId: number): string {
  return `${jobId}/${checkpointDirectoryName(checkpointId)}/`;
}

/** `chk-<n>`. */
export function checkpointDirectoryName(checkpointId: number): string {
  return `chk-${checkpointId}`;
}

/** The storage prefix of the job's shared objects: `<jobId>/shared/`. */
export function sharedStateDirectory(jobId: JobId): string {
  return `${jobId}/${SHARED_DIRECTORY_NAME}/`;
}

/** The checkpoint id of a `chk-<n>` directory name, or undefined for any other name. */
export function parseCheckpointDirectoryName(name: string): number | undefined {
  const m = CHECKPOINT_DIRECTORY.exec(name);
  if (m === null) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : undefined;
}
