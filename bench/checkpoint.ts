// Benchmark (issue 4): checkpoint duration and size against keyed state size, for the heap and the
// LevelDB backends, to local disk and to S3 (a real S3-compatible server started here).
// For each run: the synchronous pause (what the task thread spends capturing the state at the
// barrier), the asynchronous part (serializing and writing), and the object size. The write path
// is the TaskManager's: one msgpack object per operator subtask.
// Usage: node --max-old-space-size=8192 bench/checkpoint.ts [sizesMB=10,100,1000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { encodeOperatorSnapshot } from '@eddy/runtime';
import { StateDescriptors, type ValueState } from '@eddy/api';
import {
  LocalFileSystemCheckpointStorage,
  S3CheckpointStorage,
  type CheckpointStorage,
} from '@eddy/checkpoint';
import { startS3Server } from '@eddy/checkpoint/testing';
import { HeapKeyedStateBackend, LevelDbKeyedStateBackend, type KeyedStateBackend } from '@eddy/state';

const sizes = (process.argv[2] ?? '10,100,1000').split(',').map(Number);
const VALUE = 'x'.repeat(100);
const RANGE = { start: 0, end: 127 };
const DESC = StateDescriptors.value<string>('v');

async function fill(backend: KeyedStateBackend, keys: number): Promise<void> {
  const state = backend.getOrCreateKeyedState<ValueState<string>>(DESC);
  const batch = 4096;
  for (let start = 0; start < keys; start += batch) {
    const end = Math.min(keys, start + batch);
    const entries = [];
    for (let k = start; k < end; k++) entries.push({ key: k });
    await backend.prefetch(entries);
    for (let k = start; k < end; k++) {
      backend.setCurrentKey(k);
      state.update(VALUE);
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
try {
  for (const mb of sizes) {
    const keys = Math.round((mb * 1024 * 1024) / 120);
    for (const kind of ['heap', 'leveldb'] as const) {
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
          `${String(mb).padStart(5)} MB ${kind.padEnd(7)} -> ${where.padEnd(5)}: pause ${r.pauseMs.toFixed(1)} ms, longest stall ${r.stallMs.toFixed(0)} ms, ` +
            `async ${(r.asyncMs / 1000).toFixed(2)} s, total ${((r.pauseMs + r.asyncMs) / 1000).toFixed(2)} s, object ${(r.bytes / 1048576).toFixed(1)} MiB`,
        );
      }
      await backend.close();
    }
  }
} finally {
  await s3.stop();
  rmSync(dir, { recursive: true, force: true });
}
