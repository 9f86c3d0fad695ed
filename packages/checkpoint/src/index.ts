// @eddy/checkpoint: checkpoint storage (local file system, S3), the `_metadata` format shared by
// checkpoints and savepoints, restore-time verification, and the CheckpointCoordinator's pure decisions.
export { CheckpointErrorCodes, type CheckpointErrorCode } from './checkpoint-errors.ts';
export {
  checkObjectPath,
  type CheckpointStorage,
  type ObjectContent,
  type StorageOperationOptions,
  type StoredObjectInfo,
  type WrittenObject,
} from './storage/checkpoint-storage.ts';
export { LocalFileSystemCheckpointStorage } from './storage/local-file-system-checkpoint-storage.ts';
export {
  S3CheckpointStorage,
  type S3CheckpointStorageOptions,
  type S3Credentials,
} from './storage/s3-checkpoint-storage.ts';
export {
  createCheckpointStorage,
  parseCheckpointStorageUri,
  type CheckpointStorageLocation,
  type CheckpointStorageOptions,
} from './storage/create-checkpoint-storage.ts';
export {
  METADATA_FILE_NAME,
  SHARED_DIRECTORY_NAME,
  checkpointDirectory,
  checkpointDirectoryName,
  jobDirectory,
  parseCheckpointDirectoryName,
  sharedStateDirectory,
} from './metadata/checkpoint-layout.ts';
export {
  CHECKPOINT_FORMAT_VERSION,
  buildCheckpointMetadata,
  decodeCheckpointMetadata,
  encodeCheckpointMetadata,
  objectHandlesOf,
  type CheckpointKind,
  type CheckpointMetadata,
  type JsonValue,
  type OperatorStateHandles,
  type OperatorSubtaskStateHandles,
  type StateObjectHandle,
  type SubtaskStateHandles,
} from './metadata/checkpoint-metadata.ts';
export {
  checkpointLocation,
  discardCheckpoint,
  disposeSavepoint,
  findLatestCompletedCheckpoint,
  highestCheckpointId,
  listCheckpointDirectories,
  readCheckpointMetadata,
  readStateObject,
  resolveObjects,
  savepointLocation,
  verifyCheckpoint,
  writeCheckpointMetadata,
  type CheckpointDirectoryInfo,
  type CheckpointDiscard,
  type CheckpointLocation,
  type ExpectedCheckpoint,
  type LatestCompletedCheckpoint,
  type ResolvedStateObject,
  type SkippedCheckpoint,
  type VerifiedCheckpoint,
  type VerifyOptions,
} from './metadata/checkpoint-store.ts';
export {
  CheckpointCoordinator,
  jobRelativePaths,
  type CheckpointAbortReason,
  type CheckpointCoordinatorConfig,
  type CheckpointCoordinatorSeed,
  type CheckpointCoordinatorSnapshot,
  type CheckpointPlan,
  type CoordinatorAction,
  type CoordinatorEvent,
  type IgnoredReason,
  type TaskKey,
} from './coordinator/checkpoint-coordinator.ts';
export { SharedStateRegistry } from './coordinator/shared-state-registry.ts';
export { createCheckpointStorageFromConfig } from './storage/storage-from-config.ts';
