// @eddy/taskmanager: the worker process: slots, StreamTasks, bundle loading, the data plane server.
export { startTaskManager, type TaskManagerOptions, type TaskManagerHandle } from './taskmanager.ts';
export { BundleCache, rebuildJob } from './job-loader.ts';
export {
  StorageCache,
  loadRestore,
  sharedKeyGroupPath,
  taskCheckpointing,
  type CheckpointReporter,
} from './task-checkpointing.ts';
