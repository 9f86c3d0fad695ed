// Incremental checkpoints of the LevelDB backend through the TaskManager's upload and restore path,
// with a real LevelDB database and local checkpoint storage: shared key-group objects, references
// to the baseline, the baseline advancing only on completion, self-contained savepoints, restore at
// another parallelism and refusal of a corrupted shared object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateDescriptors, type JobGraph, type ValueState } from '@eddy/api';
import type { OperatorSubtaskStateHandles } from '@eddy/checkpoint';
import type { EddyError } from '@eddy/common';
import { Configuration, type JobId, type Logger } from '@eddy/common';
import {
  AbstractStreamOperator,
  decodeOperatorSnapshot,
  type OperatorContext,
  type OperatorSnapshot,
  type RestoreDeployment,
  type TaskDeploymentDescriptor,
} from '@eddy/runtime';
import { LevelDbKeyedStateBackend, type StateEntry } from '@eddy/state';
import {
  loadRestore,
  StorageCache,
  taskCheckpointing,
  type CheckpointReporter,
} from './task-checkpointing.ts';

const JOB = 'a'.repeat(32) as JobId;
const UID = 'counter';
const DESC = StateDescriptors.value<string>('v');
const silent = { warn() {}, info() {}, error() {}, debug() {} } as unknown as Logger;

/** A keyed operator whose state the test writes directly. */
class TestOperator extends AbstractStreamOperator {
  constructor(backend: LevelDbKeyedStateBackend) {
    super();
    this.setup({ keyedBackend: backend, keySelectors: [] } as unknown as OperatorContext);
  }
  processBatch(): void {}
}

async function put(backend: LevelDbKeyedStateBackend, keys: readonly number[], value: string): Promise<void> {
  const s = backend.getOrCreateKeyedState<ValueState<string>>(DESC);
  await backend.prefetch(keys.map((key) => ({ key })));
  for (const k of keys) {
    backend.setCurrentKey(k);
    s.update(value);
  }
}

/** Acks and declines as promises per checkpoint id. */
function recordingReporter(): CheckpointReporter & {
  next(id: number): Promise<{ states: OperatorSubtaskStateHandles[]; size: number }>;
} {
  const waiters = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  const done = new Map<number, Promise<{ states: OperatorSubtaskStateHandles[]; size: number }>>();
  const slot = (id: number): Promise<{ states: OperatorSubtaskStateHandles[]; size: number }> => {
    let p = done.get(id);
    if (p === undefined) {
      p = new Promise((resolve, reject) => waiters.set(id, { resolve: resolve, reject }));
      done.set(id, p);
    }
    return p;
  };
  return {
    ack(id, states, metrics) {
      void slot(id).catch(() => undefined);
      waiters.get(id)!.resolve({ states, size: metrics.size } as never);
      return Promise.resolve();
    },
    decline(id, error: EddyError) {
      void slot(id).catch(() => undefined);
      waiters.get(id)!.reject(error);
      return Promise.resolve();
    },
    next: slot,
  };
}

function entriesOf(
  snapshots: readonly { keyGroups: readonly { entries: readonly StateEntry[] }[] }[],
): string[] {
  return snapshots.flatMap((s) => s.keyGroups.flatMap((g) => g.entries.map((e) => JSON.stringify(e)))).sort();
}

test('LevelDB incremental checkpoints: shared key groups, completion-only baseline, savepoints, rescaled restore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-inc-'));
  const storageUri = `file://${join(dir, 'chk')}`;
  const storages = new StorageCache(new Configuration());
  const backend = await LevelDbKeyedStateBackend.open({
    directory: join(dir, 'db'),
    maxParallelism: 128,
    keyGroupRange: { start: 0, end: 127 },
  });
  try {
    const op = new TestOperator(backend);
    const reporter = recordingReporter();
    const d = {
      jobId: JOB,
      subtaskIndex: 0,
      parallelism: 1,
      checkpointing: { storageUri, mode: 'exactly-once' },
    } as unknown as TaskDeploymentDescriptor;
    const tc = taskCheckpointing(d, storages, reporter, silent)!;
    const take = async (
      id: number,
      kind: 'checkpoint' | 'savepoint' = 'checkpoint',
      target?: string,
    ): Promise<{ snapshot: OperatorSnapshot; states: OperatorSubtaskStateHandles[]; size: number }> => {
      const snapshot = await op.snapshotState(id);
      tc.onSnapshot(
        id,
        new Map([[UID, snapshot]]),
        { syncMs: 0, alignmentMs: 0 },
        {
          kind,
          ...(target === undefined ? {} : { target }),
        },
      );
      return { snapshot, ...(await reporter.next(id)) };
    };
    const sharedDir = join(dir, 'chk', JOB, 'shared');
    const sharedFiles = (): string[] => readdirSync(sharedDir).filter((f) => !f.startsWith('.'));
    const big = 'x'.repeat(200);
    const keys = Array.from({ length: 2000 }, (_, i) => i);
    await put(backend, keys, big);

    // 1: full, every key group a shared object.
    const c1 = await take(1);
    assert.equal(c1.snapshot.incremental?.baseCheckpointId, 0);
    const kgs = c1.snapshot.incremental.digests.size;
    assert.equal(kgs, 128);
    assert.equal(c1.states[0]!.objects.filter((o) => o.shared === true).length, kgs);
    assert.equal(sharedFiles().length, kgs);
    await op.notifyCheckpointComplete(1);

    // 2: three keys change; only their key groups are uploaded, the rest referenced.
    await put(backend, [1, 2, 3], 'changed');
    const c2 = await take(2);
    assert.equal(c2.snapshot.incremental?.baseCheckpointId, 1);
    assert.ok(c2.snapshot.keyed!.keyGroups.length <= 3);
    assert.equal(c2.states[0]!.objects.filter((o) => o.shared === true).length, kgs);
    assert.equal(sharedFiles().length, kgs + c2.snapshot.keyed!.keyGroups.length);
    assert.ok(c2.size * 10 < c1.size, `second checkpoint uploaded ${c2.size} bytes, first ${c1.size}`);
    await op.notifyCheckpointComplete(2);

    // 3 is taken but never completes: 4 must still be relative to 2.
    await put(backend, [4], 'three');
    await take(3);
    await put(backend, [5], 'four');
    const c4 = await take(4);
    assert.equal(c4.snapshot.incremental?.baseCheckpointId, 2);
    await op.notifyCheckpointComplete(4);

    // A savepoint is self-contained: every key group inline, nothing shared, baseline unchanged.
    const spDir = join(dir, 'sp');
    const sp = await take(5, 'savepoint', `file://${spDir}`);
    assert.equal(sp.states[0]!.objects.length, 1);
    assert.ok(sp.states[0]!.objects.every((o) => o.shared !== true));
    const spSnapshot = decodeOperatorSnapshot(readFileSync(join(spDir, `${UID}-0`)), 'savepoint');
    const expected = entriesOf([await backend.snapshot()]);
    assert.deepEqual(entriesOf([spSnapshot.keyed!]), expected);
    await op.notifyCheckpointComplete(5);
    await put(backend, [6], 'six');
    const c6 = await take(6);
    assert.equal(c6.snapshot.incremental?.baseCheckpointId, 4);
    const expected6 = entriesOf([await backend.snapshot()]);

    // Restore checkpoint 6 at parallelism 2: each subtask reads its key groups only.
    const own = c6.states[0]!.objects.find((o) => o.shared !== true)!;
    const restore: RestoreDeployment = {
      storageUri,
      directory: `${JOB}/chk-6/`,
      checkpointId: 6,
      sharedDirectory: `${JOB}/shared/`,
      operators: {
        [UID]: [
          {
            path: own.path,
            size: own.size,
            sha256: own.sha256,
            shared: c6.states[0]!.objects.filter((o) => o.shared === true),
          },
        ],
      },
    };
    const graph = {
      vertices: [{ id: 'v', maxParallelism: 128, operators: [{ uid: UID }] }],
    } as unknown as JobGraph;
    const restored: string[] = [];
    for (const subtaskIndex of [0, 1]) {
      const rd = { ...d, vertexId: 'v', subtaskIndex, parallelism: 2, restore } as TaskDeploymentDescriptor;
      const r = (await loadRestore(rd, graph, storages))!.get(UID)!;
      for (const k of r.keyed)
        for (const g of k.keyGroups) assert.ok(subtaskIndex === 0 ? g.keyGroup < 64 : g.keyGroup >= 64);
      restored.push(...entriesOf(r.keyed));
    }
    assert.deepEqual(restored.sort(), expected6);

    // A corrupted shared object is refused with a clear error.
    const victim = restore.operators[UID]![0]!.shared![0]!;
    const file = join(sharedDir, victim.path);
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] = bytes.at(-1)! ^ 0xff;
    writeFileSync(file, bytes);
    const rd = { ...d, vertexId: 'v', restore } as TaskDeploymentDescriptor;
    await assert.rejects(loadRestore(rd, graph, storages), /CORRUPTED|corrupted/);
  } finally {
    await backend.close();
    await storages.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
