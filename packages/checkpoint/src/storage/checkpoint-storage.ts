// The CheckpointStorage interface: a flat namespace of immutable objects addressed by relative,
// '/'-separated paths under one base location (a directory or an S3 prefix). Implementations:
// LocalFileSystemCheckpointStorage and S3CheckpointStorage. Callers: the JobManager (metadata,
// discarding) and the TaskManagers (uploading state in the background, never on the mailbox thread).
// Every method takes an AbortSignal so that a checkpoint that is aborted or times out stops its I/O.
import { EddyError } from '@eddy/common';
import { CheckpointErrorCodes } from '../checkpoint-errors.ts';

/** Options every storage operation accepts. */
export interface StorageOperationOptions {
  readonly signal?: AbortSignal;
}

/** What a write produced: the exact bytes that `_metadata` records for verification. */
export interface WrittenObject {
  /** The path relative to the storage's base, as passed to `write`. */
  readonly path: string;
  readonly size: number;
  /** Lowercase hex SHA-256 of the content. */
  readonly sha256: string;
}

/** One object found by `list`. */
export interface StoredObjectInfo {
  /** The path relative to the storage's base. */
  readonly path: string;
  readonly size: number;
}

/** Content to write: bytes in memory or a stream of chunks (a Node Readable is an AsyncIterable). */
export type ObjectContent = Uint8Array | AsyncIterable<Uint8Array>;

/** Durable storage of checkpoint objects. Objects are written once and never modified. */
export interface CheckpointStorage {
  /** The URI this storage was created from (no credentials), for messages. */
  readonly uri: string;
  /**
   * Writes an object atomically: readers see either nothing or the whole content, never a part.
   * Resolves once the object is durable, with its size and SHA-256.
   */
  write(path: string, content: ObjectContent, options?: StorageOperationOptions): Promise<WrittenObject>;
  /** Reads a whole object; CHECKPOINT_OBJECT_NOT_FOUND when it does not exist. */
  read(path: string, options?: StorageOperationOptions): Promise<Uint8Array>;
  /** Streams an object; CHECKPOINT_OBJECT_NOT_FOUND when it does not exist. */
  readStream(path: string, options?: StorageOperationOptions): Promise<AsyncIterable<Uint8Array>>;
  /** Whether an object exists. */
  exists(path: string, options?: StorageOperationOptions): Promise<boolean>;
  /**
   * Every object whose path starts with `prefix` (a string prefix, as in S3; '' lists all),
   * sorted by path.
   */
  list(prefix: string, options?: StorageOperationOptions): Promise<StoredObjectInfo[]>;
  /** Deletes the given objects; missing ones are not an error. */
  delete(paths: readonly string[], options?: StorageOperationOptions): Promise<void>;
  /** Deletes every object under `prefix` (which must be '' or end with '/'); returns how many. */
  deletePrefix(prefix: string, options?: StorageOperationOptions): Promise<number>;
  /** Checks that the base location is usable (bucket exists, credentials work); fails with the fix. */
  checkAccess(options?: StorageOperationOptions): Promise<void>;
  /** Releases connections. Safe to call twice. */
  close(): Promise<void>;
}

const SEGMENT_FORBIDDEN = /[\\\0]/;

/**
 * Checks that `path` is a plain relative object path: non-empty segments separated by '/', no '.'
 * or '..', not absolute, no backslashes. Returns it unchanged; throws INVALID_CHECKPOINT_OBJECT_PATH.
 */
export function checkObjectPath(path: string, what = 'object path'): string {
  const bad = (why: string): EddyError =>
    new EddyError(
      CheckpointErrorCodes.INVALID_OBJECT_PATH,
      `invalid checkpoint ${what} '${path}': ${why}; use a relative path of '/'-separated names`,
      { domain: 'internal' },
    );
  if (path.length === 0) throw bad('it is empty');
  if (path.startsWith('/')) throw bad('it is absolute');
  if (SEGMENT_FORBIDDEN.test(path)) throw bad('it contains a backslash or NUL');
  for (const segment of path.split('/')) {
    if (segment === '') throw bad('it has an empty segment');
    if (segment === '.' || segment === '..') throw bad(`it has a '${segment}' segment`);
  }
  return path;
}

/** Checks a prefix for `deletePrefix`: '' or a valid path followed by '/'. */
export function checkDirectoryPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  if (!prefix.endsWith('/')) {
    throw new EddyError(
      CheckpointErrorCodes.INVALID_OBJECT_PATH,
      `invalid checkpoint directory prefix '${prefix}': it must end with '/' so that it cannot match a sibling`,
    );
  }
  checkObjectPath(prefix.slice(0, -1), 'directory prefix');
  return prefix;
}

/** Throws ABORTED when the signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted === true) throw abortedError(signal, what);
}

/** The error raised for an aborted operation. */
export function abortedError(signal: AbortSignal, what: string): EddyError {
  return new EddyError(CheckpointErrorCodes.ABORTED, `${what} was aborted`, {
    domain: 'internal',
    retryable: true,
    cause: signal.reason,
  });
}

/** Content as an async iterable of chunks. */
export async function* chunksOf(content: ObjectContent): AsyncIterable<Uint8Array> {
  if (content instanceof Uint8Array) {
    yield content;
    return;
  }
  yield* content;
}
