// Benchmark (issue 4): checkpoint duration and size against keyed state size, for the heap and the
// LevelDB backends, to local disk and to S3 (a real S3-compatible server started here).
// For each run: the synchronous pause (what the task thread spends capturing the state at the
// barrier), the asynchronous part (serializing and writing), and the object size. The write path
// is the TaskManager's: one msgpack object per operator subtask.
// The "leveldb-inc" row is a second, incremental LevelDB checkpoint taken through the TaskManager's
// own upload path (shared key-group objects, unchanged key groups referenced) after 1% of the keys
// changed: its size is what it uploaded.
// Usage: node --max-old-space-size=8192 bench/checkpoint.ts [sizesMB=10,100,1000] [backends=heap,leveldb]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { AbstractStreamOperator, encodeOperatorSnapshot, type OperatorContext } from '@eddy/runtime';
import { StorageCache, taskCheckpointing } from '@eddy/taskmanager';
import { Configuration, type JobId, type Logger } from '@eddy/common';
import { StateDescriptors, type ValueState } from '@eddy/api';
import {
  LocalFileSystemCheckpointStorage,
  S3CheckpointStorage,
  type CheckpointStorage,
} from '@eddy/checkpoint';
import { startS3Server } from '@eddy/checkpoint/testing';
import {
  HeapKeyedStateBackend,
  LevelDbKeyedStateBackend,
  assignToKeyGroup,
  type KeyedStateBackend,
} from '@eddy/state';

const sizes = (process.argv[2] ?? '10,100,1000').split(',').map(Number);
const backends = (process.argv[3] ?? 'heap,leveldb').split(',') as ('heap' | 'leveldb')[];
const VALUE = 'x'.repeat(100);
const RANGE = { start: 0, end: 127 };
const DESC = StateDescriptors.value<string>('v');

async function fill(
  backend: KeyedStateBackend,
  keys: number,
  pick: (key: number) => boolean = () => true,
  value = VALUE,
): Promise<void> {
  const state = backend.getOrCreateKeyedState<ValueState<string>>(DESC);
  const batch = 4096;
  for (let start = 0; start < keys; start += batch) {
    const end = Math.min(keys, start + batch);
    const entries = [];
    for (let k = start; k < end; k++) if (pick(k)) entries.push({ key: k });
    await backend.prefetch(entries);
    for (const { key } of entries) {
      backend.setCurrentKey(key);
      state.update(value);
    }
    const f = (backend as { flush?: () => Promise<void> }).flush;
    if (f !== undefined && (start / batch) % 16 === 15) await f.call(backend);
  }
}

/**
 * One checkpoint as a TaskManager takes it. `pauseMs`: the synchronous capture on the task thread;
 * `stallMs`: the longest event-loop stall while the snapshot was encoded and written (time the
 * task could not process), measured with monitorEventLoopDelay.
 */
async function checkpoint(
  backend: KeyedStateBackend,
  storage: CheckpointStorage,
  path: string,
): Promise<{ pauseMs: number; stallMs: number; asyncMs: number; bytes: number }> {
  const t0 = performance.now();
  const captured = backend.snapshot();
  const t1 = performance.now();
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const snapshot = await captured;
  const written = await storage.write(path, encodeOperatorSnapshot({ keyed: snapshot }));
  delay.disable();
  const t2 = performance.now();
  return { pauseMs: t1 - t0, stallMs: delay.max / 1e6, asyncMs: t2 - t1, bytes: written.size };
}

/** A keyed operator around `backend`: its snapshotState keeps the incremental baseline. */
class BenchOperator extends AbstractStreamOperator {
  constructor(backend: KeyedStateBackend) {
    super();
    this.setup({ keyedBackend: backend, keySelectors: [] } as unknown as OperatorContext);
  }
  processBatch(): void {}
}

const JOB = 'b'.repeat(32) as JobId;
let runs = 0;
const quiet = { warn() {}, info() {}, error() {}, debug() {} } as unknown as Logger;

/**
 * Two checkpoints through the TaskManager's path: the first (full) completes, then `changedKeys`
 * keys change and the second, incremental one is measured (pause, async, uploaded bytes).
 */
async function incrementalCheckpoint(
  backend: KeyedStateBackend,
  storages: StorageCache,
  uri: string,
  keys: number,
  changed: (key: number) => boolean,
): Promise<{ pauseMs: number; asyncMs: number; bytes: number; firstBytes: number }> {
  const op = new BenchOperator(backend);
  const acks = new Map<number, (size: number) => void>();
  const tc = taskCheckpointing(
    { jobId: JOB, subtaskIndex: 0, checkpointing: { storageUri: uri, mode: 'exactly-once' } } as never,
    storages,
    {
      ack: (id, _states, m) => {
        acks.get(id)?.(m.size);
        return Promise.resolve();
      },
      decline: (id, e) => Promise.reject(new Error(`checkpoint ${id} declined: ${e.message}`)),
    },
    quiet,
  )!;
  const take = async (id: number): Promise<{ pauseMs: number; asyncMs: number; bytes: number }> => {
    const acked = new Promise<number>((resolve) => acks.set(id, resolve));
    const t0 = performance.now();
    const captured = op.snapshotState(id);
    const t1 = performance.now();
    tc.onSnapshot(
      id,
      new Map([['op', await captured]]),
      { syncMs: t1 - t0, alignmentMs: 0 },
      { kind: 'checkpoint' },
    );
    const bytes = await acked;
    return { pauseMs: t1 - t0, asyncMs: performance.now() - t1, bytes };
  };
  const first = await take(1);
  await op.notifyCheckpointComplete(1);
  // A value no earlier run wrote, so that the changed keys really change.
  await fill(backend, keys, changed, `${++runs}`.padEnd(100, 'y'));
  const second = await take(2);
  return { ...second, firstBytes: first.bytes };
}

const s3 = await startS3Server();
const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-chk-'));
const storages: [string, CheckpointStorage][] = [
  ['local', new LocalFileSystemCheckpointStorage(join(dir, 'chk'))],
  [
    's3',
    new S3CheckpointStorage(s3.bucket, 'bench', {
      endpoint: s3.endpoint,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      forcePathStyle: true,
    }),
  ],
];
const incrementalStorages = new StorageCache(
  new Configuration([
    ['s3.endpoint', s3.endpoint],
    ['s3.access-key', s3.accessKeyId],
    ['s3.secret-key', s3.secretAccessKey],
    ['s3.path-style-access', 'true'],
  ]),
);
const incrementalUris: [string, string][] = [
  ['local', `file://${join(dir, 'inc')}`],
  ['s3', `s3://${s3.bucket}/bench-inc`],
];
try {
  for (const mb of sizes) {
    const keys = Math.round((mb * 1024 * 1024) / 120);
    for (const kind of backends) {
      const backend: KeyedStateBackend =
        kind === 'heap'
          ? new HeapKeyedStateBackend(128, RANGE)
          : await LevelDbKeyedStateBackend.open({
              directory: join(dir, `db-${mb}`),
              maxParallelism: 128,
              keyGroupRange: RANGE,
            });
      await fill(backend, keys);
      for (const [where, storage] of storages) {
        const r = await checkpoint(backend, storage, `${kind}-${mb}-${where}`);
        console.log(
          `${String(mb).padStart(5)} MB ${kind.padEnd(18)} -> ${where.padEnd(5)}: pause ${r.pauseMs.toFixed(1)} ms, longest stall ${r.stallMs.toFixed(0)} ms, ` +
            `async ${(r.asyncMs / 1000).toFixed(2)} s, total ${((r.pauseMs + r.asyncMs) / 1000).toFixed(2)} s, object ${(r.bytes / 1048576).toFixed(1)} MiB`,
        );
      }
      if (kind === 'leveldb') {
        // 1% of the keys change between the first and the measured second checkpoint: spread over
        // all key groups (every 100th key), or the hot keys of about 1% of the key groups.
        const variants: [string, (k: number) => boolean][] = [
          ['inc-spread', (k) => k % 100 === 0],
          ['inc-hot', (k) => k % 100 < 64 && assignToKeyGroup(k, 128) < 2],
        ];
        for (const [where, uri] of incrementalUris) {
          for (const [name, changed] of variants) {
            const r = await incrementalCheckpoint(
              backend,
              incrementalStorages,
              `${uri}-${mb}-${name}`,
              keys,
              changed,
            );
            console.log(
              `${String(mb).padStart(5)} MB ${`leveldb-${name}`.padEnd(18)} -> ${where.padEnd(5)}: pause ${r.pauseMs.toFixed(1)} ms, ` +
                `async ${(r.asyncMs / 1000).toFixed(2)} s, total ${((r.pauseMs + r.asyncMs) / 1000).toFixed(2)} s, ` +
                `uploaded ${(r.bytes / 1048576).toFixed(2)} MiB (first, full: ${(r.firstBytes / 1048576).toFixed(1)} MiB)`,
            );
          }
        }
      }
      await backend.close();
    }
  }
} finally {
  await incrementalStorages.close();
  await s3.stop();
  rmSync(dir, { recursive: true, force: true });
}
