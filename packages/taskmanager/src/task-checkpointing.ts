// The TaskManager's side of checkpoints for one task: writing the state a StreamTask captured to
// checkpoint storage (asynchronously, while the task goes on) and acknowledging it, and reading the
// state a task restores from. State objects are msgpack-encoded OperatorSnapshots, one per operator
// and subtask, verified by SHA-256 on restore.
//
// Incremental checkpoints (a keyed backend that snapshots incrementally, LevelDB): every changed key
// group becomes a content-addressed shared object `<jobId>/shared/<uid>-kg<kg>-<digest12>`, acked with
// `shared: true` so that the coordinator reference-counts it across retained checkpoints; unchanged
// key groups reuse the objects of the operator's baseline (its last completed checkpoint), which this
// file remembers per task. The subtask's own object keeps everything else and the list of key-group
// references. Savepoints stay self-contained: unchanged key groups are read back from the baseline's
// shared objects and written inline.
import { createHash } from 'node:crypto';
import {
  checkObjectPath,
  checkpointDirectory,
  createCheckpointStorageFromConfig,
  sharedStateDirectory,
  type StateObjectHandle,
  type CheckpointStorage,
  type OperatorSubtaskStateHandles,
} from '@eddy/checkpoint';
import { EddyError, type Configuration, type Logger } from '@eddy/common';
import { keyGroupRangeForSubtask, type KeyGroupSnapshot } from '@eddy/state';
import {
  assignRestore,
  decodeKeyGroupObject,
  decodeOperatorSnapshotObject,
  encodeKeyGroupObject,
  encodeOperatorSnapshot,
  type CheckpointOptions,
  type KeyGroupReference,
  type OperatorRestore,
  type OperatorSnapshot,
  type StateObjectReference,
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

/** Shared uploads (key-group objects) in flight per subtask and checkpoint. */
const UPLOAD_CONCURRENCY = 4;
/** Checkpoints whose key-group handles a task remembers (the baseline and those after it). */
const REMEMBERED_CHECKPOINTS = 16;

/**
 * The key-group objects of a task's recent incremental checkpoints, per operator uid and checkpoint
 * id: what a later checkpoint references for the key groups that did not change since its baseline.
 */
class SharedKeyGroups {
  readonly #byUid = new Map<string, Map<number, ReadonlyMap<number, KeyGroupReference>>>();

  get(uid: string, checkpointId: number): ReadonlyMap<number, KeyGroupReference> | undefined {
    return this.#byUid.get(uid)?.get(checkpointId);
  }

  set(
    uid: string,
    checkpointId: number,
    baseCheckpointId: number,
    refs: ReadonlyMap<number, KeyGroupReference>,
  ): void {
    let m = this.#byUid.get(uid);
    if (m === undefined) this.#byUid.set(uid, (m = new Map()));
    // The baseline only moves forward: older checkpoints will never be referenced again.
    for (const id of [...m.keys()]) if (id < baseCheckpointId) m.delete(id);
    m.set(checkpointId, refs);
    if (m.size > REMEMBERED_CHECKPOINTS) {
      const oldest = [...m.keys()].filter((id) => id !== baseCheckpointId).sort((a, b) => a - b)[0];
      if (oldest !== undefined) m.delete(oldest);
    }
  }
}

/** Runs `fn` over `items` with at most `limit` running at once. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Reads an object and checks its size and SHA-256 against `ref`; CORRUPTED_CHECKPOINT otherwise. */
async function readVerified(
  storage: CheckpointStorage,
  path: string,
  ref: { readonly size: number; readonly sha256: string },
  where: string,
  checkpointId: number,
): Promise<Uint8Array> {
  const bytes = await storage.read(path);
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== ref.size || sha !== ref.sha256) {
    throw new EddyError(
      'CORRUPTED_CHECKPOINT',
      `state object ${where} of checkpoint ${checkpointId} is corrupted (size ${bytes.length}, expected ${ref.size}; sha256 ${sha.slice(0, 12)}, expected ${ref.sha256.slice(0, 12)}): restore from another checkpoint or savepoint`,
      { domain: 'external', retryable: true },
    );
  }
  return bytes;
}

/** The shared object name of key group `keyGroup` of operator `uid` with content digest `digest`. */
export function sharedKeyGroupPath(uid: string, keyGroup: number, digest: string): string {
  return `${uid}-kg${keyGroup}-${digest.slice(0, 12)}`;
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
  const shared = new SharedKeyGroups();
  const sharedDirectory = sharedStateDirectory(d.jobId);

  /** The baseline's key-group objects of an incremental snapshot; an internal error when unknown. */
  const baseOf = (
    uid: string,
    snapshot: OperatorSnapshot,
  ): ReadonlyMap<number, KeyGroupReference> | undefined => {
    const inc = snapshot.incremental!;
    if (inc.baseCheckpointId === 0) return undefined;
    const base = shared.get(uid, inc.baseCheckpointId);
    if (base === undefined) {
      throw new EddyError(
        'INCREMENTAL_BASE_UNKNOWN',
        `operator '${uid}' subtask ${d.subtaskIndex} took an incremental snapshot against checkpoint ${inc.baseCheckpointId}, whose key-group objects this task does not know`,
        { domain: 'internal', retryable: true },
      );
    }
    return base;
  };

  /** Uploads an incremental checkpoint's changed key groups; returns every key group's reference. */
  const uploadKeyGroups = async (
    storage: CheckpointStorage,
    uid: string,
    snapshot: OperatorSnapshot,
  ): Promise<{ refs: Map<number, KeyGroupReference>; uploaded: number }> => {
    const inc = snapshot.incremental!;
    const base = baseOf(uid, snapshot);
    const refs = new Map<number, KeyGroupReference>();
    for (const kg of inc.unchanged) {
      const r = base?.get(kg);
      if (r === undefined) {
        throw new EddyError(
          'INCREMENTAL_BASE_UNKNOWN',
          `operator '${uid}' key group ${kg} is unchanged since checkpoint ${inc.baseCheckpointId}, which has no object for it`,
          { domain: 'internal', retryable: true },
        );
      }
      refs.set(kg, r);
    }
    let uploaded = 0;
    await forEachLimited(snapshot.keyed?.keyGroups ?? [], UPLOAD_CONCURRENCY, async (g) => {
      const digest = inc.digests.get(g.keyGroup);
      if (digest === undefined) {
        throw new EddyError(
          'INCREMENTAL_DIGEST_MISSING',
          `operator '${uid}' key group ${g.keyGroup} has no digest`,
          {
            domain: 'internal',
          },
        );
      }
      const path = sharedKeyGroupPath(uid, g.keyGroup, digest);
      // Content-addressed: the baseline already holds these exact bytes.
      const previous = base?.get(g.keyGroup);
      if (previous?.path === path) {
        refs.set(g.keyGroup, previous);
        return;
      }
      const written = await storage.write(sharedDirectory + path, encodeKeyGroupObject(g));
      uploaded += written.size;
      refs.set(g.keyGroup, { keyGroup: g.keyGroup, path, size: written.size, sha256: written.sha256 });
    });
    return { refs, uploaded };
  };

  /** A savepoint of an incremental snapshot: the unchanged key groups read back, all inline. */
  const resolveForSavepoint = async (uid: string, snapshot: OperatorSnapshot): Promise<OperatorSnapshot> => {
    const inc = snapshot.incremental!;
    const keyed = snapshot.keyed!;
    if (inc.unchanged.length === 0) return snapshot;
    const base = baseOf(uid, snapshot);
    const storage = storages.get(cp.storageUri);
    const groups: KeyGroupSnapshot[] = [...keyed.keyGroups];
    await forEachLimited(inc.unchanged, UPLOAD_CONCURRENCY, async (kg) => {
      const r = base?.get(kg);
      if (r === undefined)
        throw new EddyError('INCREMENTAL_BASE_UNKNOWN', `operator '${uid}' key group ${kg} has no object`);
      const where = `${cp.storageUri}/${sharedDirectory}${r.path}`;
      const bytes = await readVerified(storage, sharedDirectory + r.path, r, where, inc.baseCheckpointId);
      groups.push(decodeKeyGroupObject(bytes, where));
    });
    groups.sort((a, b) => a.keyGroup - b.keyGroup);
    return { ...snapshot, keyed: { ...keyed, keyGroups: groups } };
  };

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
        const becomeBaseline: (() => void)[] = [];
        let size = 0;
        for (const [uid, captured] of snapshots) {
          const path = `${uid}-${d.subtaskIndex}`;
          const incremental = captured.incremental !== undefined && captured.keyed !== undefined;
          let snapshot = captured;
          let refs: Map<number, KeyGroupReference> | undefined;
          if (incremental && savepoint) snapshot = await resolveForSavepoint(uid, captured);
          else if (incremental) {
            const r = await uploadKeyGroups(storage, uid, captured);
            refs = r.refs;
            size += r.uploaded;
            snapshot = { ...captured, keyed: { ...captured.keyed, keyGroups: [] } };
          }
          const sortedRefs =
            refs === undefined ? undefined : [...refs.values()].sort((a, b) => a.keyGroup - b.keyGroup);
          const written = await storage.write(
            directory + path,
            encodeOperatorSnapshot(snapshot, undefined, sortedRefs),
          );
          size += written.size;
          const objects: StateObjectHandle[] = [{ path, size: written.size, sha256: written.sha256 }];
          for (const r of sortedRefs ?? [])
            objects.push({ path: r.path, size: r.size, sha256: r.sha256, shared: true });
          states.push({ operatorUid: uid, subtask: d.subtaskIndex, objects });
          if (refs !== undefined) {
            const inc = captured.incremental!;
            const done = refs;
            becomeBaseline.push(() => {
              shared.set(uid, checkpointId, inc.baseCheckpointId, done);
              inc.becomeBaselineOnCompletion();
            });
          }
        }
        // Before the ack: the checkpoint can only complete (and notify the operator) after it.
        for (const f of becomeBaseline) f();
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
      const bytes = await readVerified(storage, r.directory + ref.path, ref, where, r.checkpointId);
      const { snapshot, keyGroupRefs } = decodeOperatorSnapshotObject(bytes, where);
      if (keyGroupRefs.length === 0 || snapshot.keyed === undefined) {
        snapshots.push(snapshot);
        continue;
      }
      // Only the key groups of this subtask's range: at another parallelism that is a fraction.
      const mine = keyGroupRefs.filter((g) => g.keyGroup >= range.start && g.keyGroup <= range.end);
      const groups = await readSharedKeyGroups(storage, r, ref.shared ?? [], mine, where);
      snapshots.push({
        ...snapshot,
        keyed: { ...snapshot.keyed, keyGroups: [...snapshot.keyed.keyGroups, ...groups] },
      });
    }
    out.set(op.uid, assignRestore(snapshots, d.subtaskIndex, d.parallelism, range));
  }
  return out;
}

/**
 * Reads the shared key-group objects an incremental state object references. Each must be listed
 * in the checkpoint's `_metadata` (what retention keeps) with the same SHA-256, lie inside the
 * job's shared directory, and verify.
 */
async function readSharedKeyGroups(
  storage: CheckpointStorage,
  r: NonNullable<TaskDeploymentDescriptor['restore']>,
  listed: readonly StateObjectReference[],
  refs: readonly KeyGroupReference[],
  owner: string,
): Promise<KeyGroupSnapshot[]> {
  const sharedDirectory = r.sharedDirectory;
  const byPath = new Map(listed.map((o) => [o.path, o]));
  const groups: KeyGroupSnapshot[] = [];
  await forEachLimited(refs, UPLOAD_CONCURRENCY, async (g) => {
    const where = `${r.storageUri}/${sharedDirectory ?? ''}${g.path}`;
    const handle = byPath.get(g.path);
    if (sharedDirectory === undefined || handle === undefined || handle.sha256 !== g.sha256) {
      throw new EddyError(
        'CORRUPTED_CHECKPOINT',
        `state object ${owner} of checkpoint ${r.checkpointId} references key group ${g.keyGroup} in ${where}, which the checkpoint's _metadata does not list: restore from another checkpoint or savepoint`,
        { domain: 'external' },
      );
    }
    checkObjectPath(g.path);
    const bytes = await readVerified(storage, sharedDirectory + g.path, handle, where, r.checkpointId);
    const group = decodeKeyGroupObject(bytes, where);
    if (group.keyGroup !== g.keyGroup) {
      throw new EddyError(
        'CORRUPTED_CHECKPOINT',
        `state object ${where} holds key group ${group.keyGroup}, but ${owner} references it as key group ${g.keyGroup}`,
        { domain: 'external' },
      );
    }
    groups.push(group);
  });
  return groups.sort((a, b) => a.keyGroup - b.keyGroup);
}
