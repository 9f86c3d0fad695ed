// Checks a savepoint before a job is submitted to restore from it (POST /v1/jobs with
// `fromSavepoint`, `eddy run --from-savepoint`): the path must hold a savepoint whose `_metadata`
// and objects verify, and every operator uid with state in it must exist in the new job unless the
// user allows dropping that state (Flink's --allowNonRestoredState). Called by the REST API on the
// event loop; storage I/O only, no job is touched until this succeeds.
import {
  CheckpointErrorCodes,
  parseCheckpointStorageUri,
  savepointLocation,
  verifyCheckpoint,
  type CheckpointMetadata,
  type CheckpointStorage,
} from '@eddy/checkpoint';
import type { JobGraph } from '@eddy/api';
import { EddyError, userError } from '@eddy/common';
import type { CompletedCheckpoint } from './checkpoint-coordinator-shell.ts';

/** Error codes of savepoint restores, as REST answers them. */
export const SavepointRestoreErrorCodes = {
  /** The path holds no `_metadata`. */
  NOT_FOUND: 'SAVEPOINT_NOT_FOUND',
  /** The savepoint has state for operator uids the new job does not have. */
  STATE_NOT_MAPPED: 'SAVEPOINT_STATE_NOT_MAPPED',
  /** The path is neither a URI nor an absolute path. */
  INVALID_PATH: 'INVALID_SAVEPOINT_PATH',
} as const;

/**
 * A savepoint path as storage URI: `file:///dir`, `s3://bucket/prefix` or a plain absolute path
 * (relative paths mean nothing on the JobManager: clients resolve them first).
 */
export function checkSavepointPath(path: string, what: string): string {
  const p = path.trim();
  if (p === '' || (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(p) && !p.startsWith('/'))) {
    throw userError(
      SavepointRestoreErrorCodes.INVALID_PATH,
      `${what} '${path.slice(0, 256)}' is neither a URI nor an absolute path: give file:///dir, s3://bucket/prefix or /absolute/dir`,
    );
  }
  // Throws INVALID_CHECKPOINT_STORAGE_URI naming the problem (scheme, bucket, '..').
  parseCheckpointStorageUri(p);
  return p.replace(/(?<=.)\/+$/, '');
}

/** The operator uids with state in `metadata` that no operator of `graph` has, sorted. */
export function unmappedOperatorUids(metadata: CheckpointMetadata, graph: JobGraph): string[] {
  const uids = new Set(graph.vertices.flatMap((v) => v.operators.map((o) => o.uid)));
  return metadata.operators
    .map((o) => o.operatorUid)
    .filter((uid) => !uids.has(uid))
    .sort();
}

/**
 * Reads and verifies the savepoint at `path` for `graph`; returns what the job's first attempt
 * restores from (state of dropped operators removed when `allowNonRestoredState`).
 */
export async function resolveSavepointRestore(
  path: string,
  graph: JobGraph,
  allowNonRestoredState: boolean,
  storageFor: (uri: string) => CheckpointStorage,
): Promise<CompletedCheckpoint> {
  const uri = checkSavepointPath(path, 'fromSavepoint');
  const storage = storageFor(uri);
  let metadata: CheckpointMetadata;
  try {
    // Any kind: a retained checkpoint that is self-contained (not incremental) restores like a
    // savepoint; an incremental one is refused by verification (shared objects outside the path).
    metadata = (await verifyCheckpoint(savepointLocation(storage))).metadata;
  } catch (err) {
    if (err instanceof EddyError && err.code === CheckpointErrorCodes.NO_CHECKPOINT) {
      throw userError(
        SavepointRestoreErrorCodes.NOT_FOUND,
        `no savepoint at ${uri}: it has no _metadata (not a savepoint directory, or the savepoint never completed); ` +
          "give the directory that 'eddy savepoint' or 'eddy stop' printed",
        err,
      );
    }
    throw err;
  }
  const unmapped = unmappedOperatorUids(metadata, graph);
  if (unmapped.length > 0 && !allowNonRestoredState) {
    throw userError(
      SavepointRestoreErrorCodes.STATE_NOT_MAPPED,
      `savepoint ${uri} has state for operator uid${unmapped.length > 1 ? 's' : ''} ` +
        `${unmapped.map((u) => `'${u}'`).join(', ')} that the job '${graph.jobName}' does not have: ` +
        'give those operators the same .uid(...) as before, or pass --allow-non-restored-state ' +
        '(REST: allowNonRestoredState: true) to drop that state',
    );
  }
  const kept =
    unmapped.length === 0
      ? metadata
      : { ...metadata, operators: metadata.operators.filter((o) => !unmapped.includes(o.operatorUid)) };
  return { metadata: kept, storageUri: storage.uri, directory: '' };
}
