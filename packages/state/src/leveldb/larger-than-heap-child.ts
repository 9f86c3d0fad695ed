// Child process of leveldb-larger-than-heap.test.ts, run under a small --max-old-space-size: writes
// `keys` keys with ~100-byte values through the LevelDB backend the way an operator does (prefetch a
// batch, read and write every record, flush), then reads a sample back. Prints one JSON line.
// Usage: node --max-old-space-size=64 larger-than-heap-child.ts <directory> <keys>
import { StateDescriptors, type ValueState } from '@eddy/api';
import { LevelDbKeyedStateBackend } from './leveldb-keyed-state-backend.ts';

const [directory, keysArg] = process.argv.slice(2);
const keys = Number(keysArg);
const BATCH = 2048;
const PAD = 'x'.repeat(90);
const valueOf = (k: number): string => `${k}:${PAD}`;

const backend = await LevelDbKeyedStateBackend.open({
  directory: directory!,
  maxParallelism: 128,
  keyGroupRange: { start: 0, end: 127 },
  cacheEntries: 20_000,
});
const state = backend.getOrCreateKeyedState<ValueState<string>>(StateDescriptors.value('payload'));
const started = performance.now();
let peakHeap = 0;
const entries = Array.from({ length: BATCH }, () => ({ key: 0 }));
for (let base = 0; base < keys; base += BATCH) {
  const n = Math.min(BATCH, keys - base);
  if (n < BATCH) entries.length = n;
  for (let i = 0; i < n; i++) entries[i] = { key: base + i };
  await backend.prefetch(entries);
  for (let i = 0; i < n; i++) {
    const k = base + i;
    backend.setCurrentKey(k);
    if (state.value() !== undefined) throw new Error(`key ${k} already has a value`);
    state.update(valueOf(k));
  }
  await backend.flush();
  if ((base / BATCH) % 64 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}
const writeSeconds = (performance.now() - started) / 1000;

// Read a sample back: every key of the sample must have its own value.
const sample = Array.from({ length: 10_000 }, (_, i) => (i * 7919 + 13) % keys);
for (let i = 0; i < sample.length; i += BATCH) {
  const chunk = sample.slice(i, i + BATCH);
  await backend.prefetch(chunk.map((key) => ({ key })));
  for (const k of chunk) {
    backend.setCurrentKey(k);
    if (state.value() !== valueOf(k)) throw new Error(`key ${k} read back ${String(state.value())}`);
  }
  await backend.flush();
}
console.log(
  JSON.stringify({
    keys,
    sampled: sample.length,
    writeSeconds,
    peakHeapMB: Math.round(peakHeap / 2 ** 20),
    heapLimitMB: Math.round((await import('node:v8')).getHeapStatistics().heap_size_limit / 2 ** 20),
  }),
);
await backend.close();
