// The TaskManager's side of checkpoints for one task: writing the state a StreamTask captured to
// checkpoint storage (asynchronously, while the task goes on) and acknowledging it, and reading the
// state a task restores from. State objects are msgpack-encoded OperatorSnapshots, one per operator
// and subtask, verified by SHA-256 on restore.
import { createHash } from 'node:crypto';
import {
  checkpointDirectory,
  createCheckpointStorageFromConfig,
  type CheckpointStorage,
  type OperatorSubtaskStateHandles,
} from '@eddy/checkpoint';
import { EddyError, type Configuration, type Logger } from '@eddy/common';
import { keyGroupRangeForSubtask } from '@eddy/state';
import {
  assignRestore,
  decodeOperatorSnapshot,
  encodeOperatorSnapshot,
  type CheckpointOptions,
  type OperatorRestore,
  type OperatorSnapshot,
  type TaskCheckpointing,
  type TaskDeploymentDescriptor,
} from '@eddy/runtime';
import type { JobGraph } from '@eddy/api';

/** Storage instances by URI, shared by the tasks of a TaskManager. */
export class StorageCache {
  readonly #config: Configuration;
  readonly #storages = new Map<string, CheckpointStorage>();
  constructor(config: Configuration) {
    this.#config = config;
  }
  get(uri: string): CheckpointStorage {
    let s = this.#storages.get(uri);
    if (s === undefined) this.#storages.set(uri, (s = createCheckpointStorageFromConfig(uri, this.#config)));
    return s;
  }
  async close(): Promise<void> {
    for (const s of this.#storages.values()) await s.close().catch(() => undefined);
    this.#storages.clear();
  }
}

/** What a task's checkpoints report to the JobManager. */
export interface CheckpointReporter {
  ack(
    checkpointId: number,
    states: OperatorSubtaskStateHandles[],
    metrics: { syncMs: number; asyncMs: number; alignmentMs: number; size: number },
  ): Promise<void>;
  decline(checkpointId: number, error: EddyError): Promise<void>;
}

/** The TaskCheckpointing of a task: uploads snapshots and acks. */
export function taskCheckpointing(
  d: TaskDeploymentDescriptor,
  storages: StorageCache,
  reporter: CheckpointReporter,
  log: Logger,
): TaskCheckpointing | undefined {
  const cp = d.checkpointing;
  if (cp === undefined) return undefined;
  return {
    mode: cp.mode,
    onSnapshot(
      checkpointId: number,
      snapshots: Map<string, OperatorSnapshot>,
      metrics,
      options: CheckpointOptions,
    ): void {
      const t0 = performance.now();
      void (async () => {
        const savepoint = options.kind === 'savepoint';
        const storage = storages.get(savepoint ? options.target! : cp.storageUri);
        const directory = savepoint ? '' : checkpointDirectory(d.jobId, checkpointId);
        const states: OperatorSubtaskStateHandles[] = [];
        let size = 0;
        for (const [uid, snapshot] of snapshots) {
          const path = `${uid}-${d.subtaskIndex}`;
          const written = await storage.write(directory + path, encodeOperatorSnapshot(snapshot));
          size += written.size;
          states.push({
            operatorUid: uid,
            subtask: d.subtaskIndex,
            objects: [{ path, size: written.size, sha256: written.sha256 }],
          });
        }
        await reporter.ack(checkpointId, states, { ...metrics, asyncMs: performance.now() - t0, size });
      })().catch((err: unknown) => {
        const e = EddyError.from(err, 'CHECKPOINT_UPLOAD_FAILED', 'external');
        log.warn({ checkpointId, err: e.message }, 'checkpoint upload failed');
        void reporter.decline(checkpointId, e).catch(() => undefined);
      });
    },
    onDecline(checkpointId: number, error: EddyError): void {
      void reporter.decline(checkpointId, error).catch(() => undefined);
    },
  };
}

/** Reads and redistributes the state this subtask restores from: operator uid -> restore. */
export async function loadRestore(
  d: TaskDeploymentDescriptor,
  graph: JobGraph,
  storages: StorageCache,
): Promise<Map<string, OperatorRestore> | undefined> {
  const r = d.restore;
  if (r === undefined) return undefined;
  const vertex = graph.vertices.find((v) => v.id === d.vertexId);
  if (vertex === undefined) return undefined;
  const storage = storages.get(r.storageUri);
  const range = keyGroupRangeForSubtask(vertex.maxParallelism, d.parallelism, d.subtaskIndex);
  const out = new Map<string, OperatorRestore>();
  for (const op of vertex.operators) {
    const refs = r.operators[op.uid];
    if (refs === undefined) continue;
    const snapshots: (OperatorSnapshot | undefined)[] = [];
    for (const ref of refs) {
      if (ref === null) {
        snapshots.push(undefined);
        continue;
      }
      const where = `${r.storageUri}/${r.directory}${ref.path}`;
      const bytes = await storage.read(r.directory + ref.path);
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (bytes.length !== ref.size || sha !== ref.sha256) {
        throw new EddyError(
          'CORRUPTED_CHECKPOINT',
          `state object ${where} of checkpoint ${r.checkpointId} is corrupted (size ${bytes.length}, expected ${ref.size}; sha256 ${sha.slice(0, 12)}, expected ${ref.sha256.slice(0, 12)}): restore from another checkpoint or savepoint`,
          { domain: 'external', retryable: true },
        );
      }
      snapshots.push(decodeOperatorSnapshot(bytes, where));
    }
    out.set(op.uid, assignRestore(snapshots, d.subtaskIndex, d.parallelism, range));
  }
  return out;
}
