// Benchmark (issue 4): a keyed counter over 1M keys on the LevelDB keyed state backend, driven
// through the backend API the way an operator is: batches of 2048 random keys, one prefetch per
// batch, read + increment + write per record, flush when the dirty set is large. Prints events/s and
// events/s per core (process.cpuUsage counts LevelDB's background threads too).
// Defaults are the TaskManager's: a working set of 1.1M rows (state.backend.leveldb.cache-entries
// covers the 1M keys) and write-back when dirty rows fill half of it.
// Usage: node bench/leveldb-state.ts [events=10000000] [keys=1000000] [cacheEntries=1100000] [flushDirty=cacheEntries/2]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateDescriptors, type ValueState } from '@eddy/api';
import { LevelDbKeyedStateBackend } from '@eddy/state';

const events = Number(process.argv[2] ?? 10_000_000);
const keys = Number(process.argv[3] ?? 1_000_000);
const cacheEntries = Number(process.argv[4] ?? 1_100_000);
const flushDirty = Number(process.argv[5] ?? Math.floor(cacheEntries / 2));
const BATCH = 2048;

const dir = await mkdtemp(join(tmpdir(), 'eddy-bench-leveldb-'));
const backend = await LevelDbKeyedStateBackend.open({
  directory: dir,
  maxParallelism: 128,
  keyGroupRange: { start: 0, end: 127 },
  cacheEntries,
});
const count = backend.getOrCreateKeyedState<ValueState<number>>(StateDescriptors.value('count', 0));

// xorshift32: deterministic random keys without allocating.
let seed = 0x9e3779b9;
const nextKey = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % keys;
};

/** Runs `n` events; returns wall seconds, CPU seconds and time inside prefetch/flush. */
async function run(n: number): Promise<{ wall: number; cpu: number; prefetch: number; flush: number }> {
  const batch = new Array<number>(BATCH);
  const entries = Array.from({ length: BATCH }, () => ({ key: 0 }));
  let prefetchMs = 0;
  let flushMs = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let done = 0; done < n; done += BATCH) {
    for (let i = 0; i < BATCH; i++) {
      const k = nextKey();
      batch[i] = k;
      entries[i] = { key: k };
    }
    const p0 = performance.now();
    await backend.prefetch(entries);
    const p1 = performance.now();
    for (let i = 0; i < BATCH; i++) {
      backend.setCurrentKey(batch[i]);
      count.update(count.value()! + 1);
    }
    const f0 = performance.now();
    if (backend.dirtyRows >= flushDirty) await backend.flush();
    flushMs += performance.now() - f0;
    prefetchMs += p1 - p0;
  }
  await backend.flush();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  return { wall, cpu: (c.user + c.system) / 1e6, prefetch: prefetchMs / 1000, flush: flushMs / 1000 };
}

try {
  // Warm-up: every key gets a row in LevelDB, so the measured run reads existing state.
  const warm = await run(Math.max(keys * 2, BATCH));
  console.log(
    `warm-up: ${(Math.max(keys * 2, BATCH) / warm.wall / 1000).toFixed(0)}k events/s while filling ${keys} keys`,
  );
  const r = await run(events);
  console.log(
    `keyed counter, ${keys} keys, ${events} events, batches of ${BATCH}, cache ${cacheEntries} rows, flush at ${flushDirty} dirty`,
  );
  console.log(
    `  ${(events / r.wall / 1000).toFixed(0)}k events/s, ${(events / r.cpu / 1000).toFixed(0)}k events/s per core ` +
      `(${r.wall.toFixed(2)} s wall, ${r.cpu.toFixed(2)} CPU s; prefetch ${r.prefetch.toFixed(2)} s, flush ${r.flush.toFixed(2)} s)`,
  );
  // Sanity: the counts add up.
  let total = 0;
  for await (const _ of backend.keysAsync('count')) total++;
  console.log(`  ${total} keys with state`);
} finally {
  await backend.close();
  await rm(dir, { recursive: true, force: true });
}
