// Reading and writing whole checkpoints in a CheckpointStorage: `_metadata` written last, restore-time
// verification (every object's size and SHA-256, every path inside the checkpoint's prefix), the
// search for the latest completed checkpoint with fallback past corrupted ones, and discarding.
// This is the I/O edge around the pure CheckpointCoordinator; the JobManager calls it off the hot path.
import { createHash } from 'node:crypto';
import { EddyError, type JobId } from '@eddy/common';
import { CheckpointErrorCodes } from '../checkpoint-errors.ts';
import {
  checkObjectPath,
  throwIfAborted,
  type CheckpointStorage,
  type StorageOperationOptions,
  type WrittenObject,
} from '../storage/checkpoint-storage.ts';
import {
  checkpointDirectory,
  jobDirectory,
  METADATA_FILE_NAME,
  parseCheckpointDirectoryName,
  sharedStateDirectory,
} from './checkpoint-layout.ts';
import {
  decodeCheckpointMetadata,
  encodeCheckpointMetadata,
  objectHandlesOf,
  type CheckpointKind,
  type CheckpointMetadata,
  type StateObjectHandle,
} from './checkpoint-metadata.ts';

/** Where a checkpoint or savepoint lives in a storage. */
export interface CheckpointLocation {
  readonly storage: CheckpointStorage;
  /** Prefix of the checkpoint's own objects and `_metadata`: '' or ending in '/'. */
  readonly directory: string;
  /** Prefix of shared objects (incremental checkpoints); absent for savepoints, which are self-contained. */
  readonly sharedDirectory?: string;
}

/** The location of checkpoint `checkpointId` of `jobId`. */
export function checkpointLocation(
  storage: CheckpointStorage,
  jobId: JobId,
  checkpointId: number,
): CheckpointLocation {
  return {
    storage,
    directory: checkpointDirectory(jobId, checkpointId),
    sharedDirectory: sharedStateDirectory(jobId),
  };
}

/** The location of a savepoint: the root of its own storage (the user's directory). */
export function savepointLocation(storage: CheckpointStorage): CheckpointLocation {
  return { storage, directory: '' };
}

/** A state object handle resolved to its path in the storage. */
export interface ResolvedStateObject {
  readonly operatorUid: string;
  readonly subtask: number;
  readonly handle: StateObjectHandle;
  /** The object's path in the storage. */
  readonly storagePath: string;
}

/** A checkpoint whose metadata and objects have been verified. */
export interface VerifiedCheckpoint {
  readonly location: CheckpointLocation;
  readonly metadata: CheckpointMetadata;
  readonly objects: readonly ResolvedStateObject[];
  /** Sum of the objects' sizes, in bytes. */
  readonly stateSize: number;
}

/** What a restore expects to find; a mismatch is FOREIGN_CHECKPOINT. */
export interface ExpectedCheckpoint {
  readonly jobId?: JobId;
  readonly checkpointId?: number;
  readonly kind?: CheckpointKind;
}

/** Options of verification. */
export interface VerifyOptions extends StorageOperationOptions {
  /** Read every object and compare its SHA-256 (default true); false checks sizes only. */
  readonly verifyContents?: boolean;
}

/** Writes `_metadata`; call only after every object it names is durable (it marks the checkpoint complete). */
export async function writeCheckpointMetadata(
  location: CheckpointLocation,
  metadata: CheckpointMetadata,
  options: StorageOperationOptions = {},
): Promise<WrittenObject> {
  // Refuse to write what a restore would refuse to read.
  resolveObjects(location, metadata, describe(location));
  return location.storage.write(
    location.directory + METADATA_FILE_NAME,
    encodeCheckpointMetadata(metadata),
    options,
  );
}

/** Reads and validates `_metadata`; NO_COMPLETED_CHECKPOINT when there is none. */
export async function readCheckpointMetadata(
  location: CheckpointLocation,
  options: StorageOperationOptions = {},
): Promise<CheckpointMetadata> {
  const where = describe(location);
  let bytes: Uint8Array;
  try {
    bytes = await location.storage.read(location.directory + METADATA_FILE_NAME, options);
  } catch (err) {
    if (err instanceof EddyError && err.code === CheckpointErrorCodes.OBJECT_NOT_FOUND) {
      throw new EddyError(
        CheckpointErrorCodes.NO_CHECKPOINT,
        `no ${METADATA_FILE_NAME} at ${where}: it is not a checkpoint or savepoint directory, or that checkpoint never completed; give the directory that holds ${METADATA_FILE_NAME}`,
        { domain: 'user', cause: err },
      );
    }
    throw err;
  }
  return decodeCheckpointMetadata(bytes, `at ${where}`);
}

/**
 * Reads `_metadata` and verifies the checkpoint: it belongs to the expected job and id, every object
 * path stays inside the checkpoint's prefix (FOREIGN_CHECKPOINT otherwise), and every object exists
 * with the recorded size and SHA-256 (CORRUPTED_CHECKPOINT otherwise, naming the object).
 */
export async function verifyCheckpoint(
  location: CheckpointLocation,
  expected: ExpectedCheckpoint = {},
  options: VerifyOptions = {},
): Promise<VerifiedCheckpoint> {
  const where = describe(location);
  const metadata = await readCheckpointMetadata(location, options);
  const foreign = (why: string): EddyError =>
    new EddyError(CheckpointErrorCodes.FOREIGN_CHECKPOINT, `refusing checkpoint at ${where}: ${why}`, {
      domain: 'user',
    });
  if (expected.jobId !== undefined && metadata.jobId !== expected.jobId) {
    throw foreign(`its ${METADATA_FILE_NAME} belongs to job ${metadata.jobId}, not to job ${expected.jobId}`);
  }
  if (expected.checkpointId !== undefined && metadata.checkpointId !== expected.checkpointId) {
    throw foreign(
      `its ${METADATA_FILE_NAME} describes checkpoint ${metadata.checkpointId}, but the directory is that of checkpoint ${expected.checkpointId}`,
    );
  }
  if (expected.kind !== undefined && metadata.kind !== expected.kind) {
    throw foreign(`it is a ${metadata.kind}, expected a ${expected.kind}`);
  }
  const objects = resolveObjects(location, metadata, where);

  // One listing per prefix instead of one request per object.
  const sizes = new Map<string, number>();
  for (const o of await location.storage.list(location.directory, options)) sizes.set(o.path, o.size);
  if (location.sharedDirectory !== undefined && objects.some((o) => o.handle.shared === true)) {
    for (const o of await location.storage.list(location.sharedDirectory, options)) sizes.set(o.path, o.size);
  }
  const corrupted = (o: ResolvedStateObject, why: string): EddyError =>
    new EddyError(
      CheckpointErrorCodes.CORRUPTED_CHECKPOINT,
      `corrupted checkpoint ${metadata.checkpointId} at ${where}: object '${o.handle.path}' of operator '${o.operatorUid}' subtask ${o.subtask} ${why}; restore from another checkpoint or savepoint`,
      { domain: 'external' },
    );
  let stateSize = 0;
  for (const o of objects) {
    const size = sizes.get(o.storagePath);
    if (size === undefined) throw corrupted(o, 'is missing');
    if (size !== o.handle.size)
      throw corrupted(o, `has ${size} bytes, ${METADATA_FILE_NAME} records ${o.handle.size}`);
    stateSize += size;
  }
  if (options.verifyContents !== false) {
    for (const o of objects) {
      throwIfAborted(options.signal, `verifying ${where}`);
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of await location.storage.readStream(o.storagePath, options)) {
        hash.update(chunk);
        size += chunk.byteLength;
      }
      const digest = hash.digest('hex');
      if (size !== o.handle.size)
        throw corrupted(o, `read back ${size} bytes, ${METADATA_FILE_NAME} records ${o.handle.size}`);
      if (digest !== o.handle.sha256) {
        throw corrupted(o, `has SHA-256 ${digest}, ${METADATA_FILE_NAME} records ${o.handle.sha256}`);
      }
    }
  }
  return { location, metadata, objects, stateSize };
}

/** Reads one object of a verified checkpoint and checks it again (it may have changed since). */
export async function readStateObject(
  object: ResolvedStateObject,
  location: CheckpointLocation,
  options: StorageOperationOptions = {},
): Promise<Uint8Array> {
  const bytes = await location.storage.read(object.storagePath, options);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (bytes.byteLength !== object.handle.size || digest !== object.handle.sha256) {
    throw new EddyError(
      CheckpointErrorCodes.CORRUPTED_CHECKPOINT,
      `corrupted checkpoint at ${describe(location)}: object '${object.handle.path}' of operator '${object.operatorUid}' subtask ${object.subtask} does not match its size and SHA-256 in ${METADATA_FILE_NAME}`,
      { domain: 'external' },
    );
  }
  return bytes;
}

/** A `chk-<n>` directory of a job. */
export interface CheckpointDirectoryInfo {
  readonly checkpointId: number;
  readonly hasMetadata: boolean;
}

/** Every `chk-<n>` directory of the job, highest id first. */
export async function listCheckpointDirectories(
  storage: CheckpointStorage,
  jobId: JobId,
  options: StorageOperationOptions = {},
): Promise<CheckpointDirectoryInfo[]> {
  const base = jobDirectory(jobId);
  const found = new Map<number, boolean>();
  for (const o of await storage.list(base, options)) {
    const rest = o.path.slice(base.length);
    const slash = rest.indexOf('/');
    if (slash < 0) continue;
    const id = parseCheckpointDirectoryName(rest.slice(0, slash));
    if (id === undefined) continue;
    const isMetadata = rest.slice(slash + 1) === METADATA_FILE_NAME;
    found.set(id, (found.get(id) ?? false) || isMetadata);
  }
  return [...found.entries()]
    .map(([checkpointId, hasMetadata]) => ({ checkpointId, hasMetadata }))
    .sort((a, b) => b.checkpointId - a.checkpointId);
}

/**
 * The highest checkpoint id that ever left a trace for the job (complete or not), 0 when none: a
 * restarted JobManager continues after it so that ids never repeat.
 */
export async function highestCheckpointId(
  storage: CheckpointStorage,
  jobId: JobId,
  options: StorageOperationOptions = {},
): Promise<number> {
  return (await listCheckpointDirectories(storage, jobId, options))[0]?.checkpointId ?? 0;
}

/** A checkpoint that the search for the latest one passed over, and why. */
export interface SkippedCheckpoint {
  readonly checkpointId: number;
  readonly directory: string;
  /** 'incomplete': no `_metadata` (aborted or in progress); 'corrupted' or 'foreign': it did not verify. */
  readonly reason: 'incomplete' | 'corrupted' | 'foreign';
  readonly error: EddyError;
}

/** The result of findLatestCompletedCheckpoint. */
export interface LatestCompletedCheckpoint {
  /** The newest checkpoint that verifies, if any. */
  readonly checkpoint: VerifiedCheckpoint | undefined;
  /** Newer checkpoints passed over, newest first. */
  readonly skipped: readonly SkippedCheckpoint[];
  /** The highest id seen, for seeding the coordinator. */
  readonly highestCheckpointId: number;
}

/**
 * The newest `chk-<n>` of the job whose `_metadata` and objects verify, falling back to older retained
 * ones when newer ones are incomplete, corrupted or foreign (reported in `skipped`). Storage failures
 * (unreachable, access denied) are thrown, not skipped: a transient error must not roll a job back.
 */
export async function findLatestCompletedCheckpoint(
  storage: CheckpointStorage,
  jobId: JobId,
  options: VerifyOptions = {},
): Promise<LatestCompletedCheckpoint> {
  const directories = await listCheckpointDirectories(storage, jobId, options);
  const skipped: SkippedCheckpoint[] = [];
  const highest = directories[0]?.checkpointId ?? 0;
  for (const { checkpointId, hasMetadata } of directories) {
    const location = checkpointLocation(storage, jobId, checkpointId);
    if (!hasMetadata) {
      skipped.push({
        checkpointId,
        directory: location.directory,
        reason: 'incomplete',
        error: new EddyError(
          CheckpointErrorCodes.NO_CHECKPOINT,
          `checkpoint ${checkpointId} at ${describe(location)} has no ${METADATA_FILE_NAME}: it never completed`,
          { domain: 'external' },
        ),
      });
      continue;
    }
    try {
      const checkpoint = await verifyCheckpoint(
        location,
        { jobId, checkpointId, kind: 'checkpoint' },
        options,
      );
      return { checkpoint, skipped, highestCheckpointId: highest };
    } catch (err) {
      if (!(err instanceof EddyError)) throw err;
      if (
        err.code === CheckpointErrorCodes.CORRUPTED_CHECKPOINT ||
        err.code === CheckpointErrorCodes.NO_CHECKPOINT
      ) {
        skipped.push({ checkpointId, directory: location.directory, reason: 'corrupted', error: err });
      } else if (err.code === CheckpointErrorCodes.FOREIGN_CHECKPOINT) {
        skipped.push({ checkpointId, directory: location.directory, reason: 'foreign', error: err });
      } else {
        throw err;
      }
    }
  }
  return { checkpoint: undefined, skipped, highestCheckpointId: highest };
}

/** What to delete of a discarded checkpoint (see the coordinator's DiscardCheckpoint action). */
export interface CheckpointDiscard {
  readonly checkpointId: number;
  /** Objects to delete, relative to the job's directory (`chk-3/op/0`, `shared/x.sst`). */
  readonly objects: readonly string[];
  /** Whether the whole `chk-<n>/` prefix may go (no retained checkpoint references anything in it). */
  readonly deleteDirectory: boolean;
}

/**
 * Deletes a discarded checkpoint: `_metadata` first, so that a crash half-way leaves an incomplete
 * checkpoint (skipped on restore) rather than a complete-looking one with missing objects.
 */
export async function discardCheckpoint(
  storage: CheckpointStorage,
  jobId: JobId,
  discard: CheckpointDiscard,
  options: StorageOperationOptions = {},
): Promise<void> {
  const dir = checkpointDirectory(jobId, discard.checkpointId);
  const job = jobDirectory(jobId);
  await storage.delete([dir + METADATA_FILE_NAME], options);
  await storage.delete(
    discard.objects.map((p) => job + checkObjectPath(p)),
    options,
  );
  if (discard.deleteDirectory) await storage.deletePrefix(dir, options);
}

/**
 * Deletes a savepoint (`eddy savepoint --dispose`): only when the location holds a savepoint's
 * `_metadata`, so that a mistyped path cannot wipe an unrelated directory.
 */
export async function disposeSavepoint(
  storage: CheckpointStorage,
  options: StorageOperationOptions = {},
): Promise<number> {
  const location = savepointLocation(storage);
  const metadata = await readCheckpointMetadata(location, options);
  if (metadata.kind !== 'savepoint') {
    throw new EddyError(
      CheckpointErrorCodes.FOREIGN_CHECKPOINT,
      `${storage.uri} holds a ${metadata.kind}, not a savepoint; dispose only savepoint directories`,
      { domain: 'user' },
    );
  }
  // Metadata first: a half-disposed savepoint must not look restorable.
  await storage.delete([METADATA_FILE_NAME], options);
  return 1 + (await storage.deletePrefix('', options));
}

/** The storage path of every object of `metadata` at `location`; FOREIGN_CHECKPOINT for any path escaping it. */
export function resolveObjects(
  location: CheckpointLocation,
  metadata: CheckpointMetadata,
  where: string,
): ResolvedStateObject[] {
  const out: ResolvedStateObject[] = [];
  for (const { operatorUid, subtask, handle } of objectHandlesOf(metadata)) {
    const refuse = (why: string, cause?: unknown): EddyError =>
      new EddyError(
        CheckpointErrorCodes.FOREIGN_CHECKPOINT,
        `refusing checkpoint ${metadata.checkpointId} at ${where}: object '${handle.path}' of operator '${operatorUid}' subtask ${subtask} ${why}`,
        { domain: 'user', cause },
      );
    try {
      checkObjectPath(handle.path);
    } catch (err) {
      throw refuse(`lies outside the checkpoint's prefix (${(err as Error).message})`, err);
    }
    if (handle.shared === true) {
      if (location.sharedDirectory === undefined) {
        throw refuse(
          'is a shared object of an incremental checkpoint, but a savepoint must be self-contained',
        );
      }
      out.push({ operatorUid, subtask, handle, storagePath: location.sharedDirectory + handle.path });
    } else {
      if (handle.path === METADATA_FILE_NAME) throw refuse(`names the ${METADATA_FILE_NAME} itself`);
      out.push({ operatorUid, subtask, handle, storagePath: location.directory + handle.path });
    }
  }
  return out;
}

function describe(location: CheckpointLocation): string {
  return `${location.storage.uri.replace(/\/+$/, '')}/${location.directory}`;
}
