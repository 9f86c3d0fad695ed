// The `_metadata` of a checkpoint or savepoint: JSON, written last, naming every state object with
// its size and SHA-256 so that a restore can refuse anything corrupted or foreign. The format is the
// same for checkpoints and savepoints and independent of the state backend; what a backend needs
// beyond object handles (key-group ranges, source positions, inline small state) goes into `opaque`.
import { EddyError, isJobId, type JobId } from '@eddy/common';
import { CheckpointErrorCodes } from '../checkpoint-errors.ts';

/** The version written by this code; readers refuse other versions with a clear error. */
export const CHECKPOINT_FORMAT_VERSION = 1;

/** Any JSON value. */
export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** One state object in storage. */
export interface StateObjectHandle {
  /**
   * Path relative to the checkpoint's directory, or to the job's `shared/` directory when `shared`.
   * Never absolute, never with '..'.
   */
  readonly path: string;
  readonly size: number;
  /** Lowercase hex SHA-256. */
  readonly sha256: string;
  /** An object of an incremental checkpoint that later checkpoints may reference too. */
  readonly shared?: boolean;
}

/** What one subtask of one operator snapshotted. */
export interface SubtaskStateHandles {
  readonly subtask: number;
  readonly objects: readonly StateObjectHandle[];
  /** Anything the caller needs to restore that is not an object (JSON, opaque to this package). */
  readonly opaque?: JsonValue;
}

/** The state of one operator (by uid) across its subtasks. */
export interface OperatorStateHandles {
  readonly operatorUid: string;
  readonly subtasks: readonly SubtaskStateHandles[];
}

/** What one subtask acknowledges for one operator of its chain: the unit of an ack. */
export interface OperatorSubtaskStateHandles extends SubtaskStateHandles {
  readonly operatorUid: string;
}

/** Whether a `_metadata` describes a periodic checkpoint or a user's savepoint. */
export type CheckpointKind = 'checkpoint' | 'savepoint';

/** The content of `_metadata`. */
export interface CheckpointMetadata {
  readonly formatVersion: typeof CHECKPOINT_FORMAT_VERSION;
  readonly kind: CheckpointKind;
  readonly jobId: JobId;
  readonly checkpointId: number;
  /** Trigger time, epoch milliseconds. */
  readonly timestamp: number;
  /** Sorted by operator uid, subtasks by index: the same checkpoint always encodes the same bytes. */
  readonly operators: readonly OperatorStateHandles[];
  /** Anything the caller passes (job-level, opaque to this package). */
  readonly properties?: JsonValue;
}

/** Builds metadata from per-subtask handles, grouping them by operator uid in canonical order. */
export function buildCheckpointMetadata(input: {
  readonly kind: CheckpointKind;
  readonly jobId: JobId;
  readonly checkpointId: number;
  readonly timestamp: number;
  readonly states: Iterable<OperatorSubtaskStateHandles>;
  readonly properties?: JsonValue;
}): CheckpointMetadata {
  const byUid = new Map<string, SubtaskStateHandles[]>();
  for (const s of input.states) {
    let list = byUid.get(s.operatorUid);
    if (list === undefined) byUid.set(s.operatorUid, (list = []));
    list.push({
      subtask: s.subtask,
      objects: s.objects,
      ...(s.opaque === undefined ? {} : { opaque: s.opaque }),
    });
  }
  const operators = [...byUid.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([operatorUid, subtasks]) => ({
      operatorUid,
      subtasks: subtasks.sort((a, b) => a.subtask - b.subtask),
    }));
  return {
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    kind: input.kind,
    jobId: input.jobId,
    checkpointId: input.checkpointId,
    timestamp: input.timestamp,
    operators,
    ...(input.properties === undefined ? {} : { properties: input.properties }),
  };
}

/** Every object handle of a checkpoint, with the operator and subtask that own it. */
export function* objectHandlesOf(
  metadata: Pick<CheckpointMetadata, 'operators'>,
): Generator<{ operatorUid: string; subtask: number; handle: StateObjectHandle }> {
  for (const op of metadata.operators) {
    for (const st of op.subtasks) {
      for (const handle of st.objects) yield { operatorUid: op.operatorUid, subtask: st.subtask, handle };
    }
  }
}

/** `_metadata` bytes. */
export function encodeCheckpointMetadata(metadata: CheckpointMetadata): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(metadata, null, 1)}\n`);
}

/**
 * Parses and validates `_metadata` bytes; CORRUPTED_CHECKPOINT naming `where` and the first problem.
 * Paths are checked later, against the checkpoint's location (see verifyCheckpoint).
 */
export function decodeCheckpointMetadata(bytes: Uint8Array, where: string): CheckpointMetadata {
  const corrupted = (why: string, cause?: unknown): EddyError =>
    new EddyError(
      CheckpointErrorCodes.CORRUPTED_CHECKPOINT,
      `corrupted checkpoint metadata ${where}: ${why}`,
      {
        domain: 'external',
        cause,
      },
    );
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw corrupted(`it is not valid JSON (${(err as Error).message})`, err);
  }
  if (!isObject(raw)) throw corrupted('it is not a JSON object');
  if (raw.formatVersion !== CHECKPOINT_FORMAT_VERSION) {
    throw corrupted(
      `format version ${JSON.stringify(raw.formatVersion)} is not supported (this Eddy reads version ${CHECKPOINT_FORMAT_VERSION}); restore it with the Eddy version that wrote it`,
    );
  }
  if (raw.kind !== 'checkpoint' && raw.kind !== 'savepoint')
    throw corrupted(`kind ${JSON.stringify(raw.kind)}`);
  if (typeof raw.jobId !== 'string' || !isJobId(raw.jobId))
    throw corrupted(`job id ${JSON.stringify(raw.jobId)}`);
  if (!isCount(raw.checkpointId) || raw.checkpointId < 1) {
    throw corrupted(`checkpoint id ${JSON.stringify(raw.checkpointId)}`);
  }
  if (!isCount(raw.timestamp)) throw corrupted(`timestamp ${JSON.stringify(raw.timestamp)}`);
  if (!Array.isArray(raw.operators)) throw corrupted('operators is not a list');
  const uids = new Set<string>();
  for (const op of raw.operators as unknown[]) {
    if (!isObject(op) || typeof op.operatorUid !== 'string' || op.operatorUid === '') {
      throw corrupted('an operator has no uid');
    }
    if (uids.has(op.operatorUid)) throw corrupted(`operator '${op.operatorUid}' appears twice`);
    uids.add(op.operatorUid);
    if (!Array.isArray(op.subtasks)) throw corrupted(`operator '${op.operatorUid}' has no subtask list`);
    const seen = new Set<number>();
    for (const st of op.subtasks as unknown[]) {
      if (!isObject(st) || !isCount(st.subtask))
        throw corrupted(`operator '${op.operatorUid}' has a bad subtask index`);
      if (seen.has(st.subtask))
        throw corrupted(`operator '${op.operatorUid}' subtask ${st.subtask} appears twice`);
      seen.add(st.subtask);
      if (!Array.isArray(st.objects))
        throw corrupted(`operator '${op.operatorUid}' subtask ${st.subtask}: no object list`);
      for (const h of st.objects as unknown[]) {
        const what = `operator '${op.operatorUid}' subtask ${st.subtask}`;
        if (!isObject(h) || typeof h.path !== 'string') throw corrupted(`${what}: an object has no path`);
        if (!isCount(h.size)) throw corrupted(`${what}: object '${h.path}' has a bad size`);
        if (typeof h.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(h.sha256)) {
          throw corrupted(`${what}: object '${h.path}' has a bad sha256`);
        }
        if (h.shared !== undefined && typeof h.shared !== 'boolean') {
          throw corrupted(`${what}: object '${h.path}' has a bad shared flag`);
        }
      }
    }
  }
  return raw as unknown as CheckpointMetadata;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
