// Error codes of @eddy/checkpoint, in one place so callers can match on them (never on messages).

/** Codes of the EddyErrors raised by checkpoint storage, metadata and restore. */
export const CheckpointErrorCodes = {
  /** A checkpoint-storage URI that cannot be used (scheme, bucket name, path). */
  INVALID_STORAGE_URI: 'INVALID_CHECKPOINT_STORAGE_URI',
  /** An object path that is not a plain relative path (`..`, absolute, empty segments). */
  INVALID_OBJECT_PATH: 'INVALID_CHECKPOINT_OBJECT_PATH',
  /** The S3 bucket does not exist. */
  BUCKET_NOT_FOUND: 'CHECKPOINT_STORAGE_BUCKET_NOT_FOUND',
  /** The storage refused the credentials or the operation. */
  ACCESS_DENIED: 'CHECKPOINT_STORAGE_ACCESS_DENIED',
  /** The storage endpoint could not be reached (retryable). */
  UNREACHABLE: 'CHECKPOINT_STORAGE_UNREACHABLE',
  /** Any other failure of the storage (I/O error, unexpected S3 answer). */
  STORAGE_FAILURE: 'CHECKPOINT_STORAGE_FAILURE',
  /** An object that should exist does not. */
  OBJECT_NOT_FOUND: 'CHECKPOINT_OBJECT_NOT_FOUND',
  /** A checkpoint whose `_metadata` or objects do not verify (size, SHA-256, format, missing object). */
  CORRUPTED_CHECKPOINT: 'CORRUPTED_CHECKPOINT',
  /** A checkpoint, or an object of it, that belongs to another job or lies outside its prefix. */
  FOREIGN_CHECKPOINT: 'FOREIGN_CHECKPOINT',
  /** No completed checkpoint could be found. */
  NO_CHECKPOINT: 'NO_COMPLETED_CHECKPOINT',
  /** The operation was aborted through its AbortSignal. */
  ABORTED: 'ABORTED',
} as const;

/** One of the checkpoint error codes. */
export type CheckpointErrorCode = (typeof CheckpointErrorCodes)[keyof typeof CheckpointErrorCodes];
