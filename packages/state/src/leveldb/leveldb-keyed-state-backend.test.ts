// The LevelDB keyed state backend against real classic-level databases in temp directories: every
// state kind behaves exactly like the heap backend (an oracle test on random operation sequences),
// canonical snapshots move between the two backends and across parallelism, incremental snapshots,
// key enumeration, and the error for a read that was not prefetched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  StateDescriptors,
  withTtl,
  type AggregatingState,
  type ListState,
  type MapState,
  type ReducingState,
  type StateDescriptor,
  type StateTtlOptions,
  type ValueState,
} from '@eddy/api';
import { HeapKeyedStateBackend, normalizeKey } from '../heap-keyed-state-backend.ts';
import { keyGroupRangeForSubtask, type KeyGroupRange } from '../key-group.ts';
import type {
  InternalKvState,
  KeyedStateBackend,
  KeyedStateSnapshot,
  PrefetchEntry,
} from '../keyed-state-backend.ts';
import type { TtlTimeProvider } from '../state-ttl.ts';
import { LevelDbKeyedStateBackend } from './leveldb-keyed-state-backend.ts';

const MAX_PAR = 128;
const FULL: KeyGroupRange = { start: 0, end: MAX_PAR - 1 };

const root = await mkdtemp(join(tmpdir(), 'eddy-leveldb-test-'));
process.on('exit', () => {
  void rm(root, { recursive: true, force: true });
});

function openLevelDb(
  cacheEntries?: number,
  range: KeyGroupRange = FULL,
  clock?: TtlTimeProvider,
): Promise<LevelDbKeyedStateBackend> {
  return LevelDbKeyedStateBackend.open({
    directory: root,
    maxParallelism: MAX_PAR,
    keyGroupRange: range,
    ...(cacheEntries === undefined ? {} : { cacheEntries }),
    ...(clock === undefined ? {} : { clock }),
  });
}

interface Acc {
  n: number;
  s: number;
}
const DESCRIPTORS = {
  v: StateDescriptors.value<number>('v', -1),
  l: StateDescriptors.list<number>('l'),
  m: StateDescriptors.map<unknown, number>('m'),
  r: StateDescriptors.reducing<number>('r', (x, y) => x + y),
  a: StateDescriptors.aggregating<number, Acc, number>('a', {
    createAccumulator: () => ({ n: 0, s: 0 }),
    add: (x, acc) => ({ n: acc.n + 1, s: acc.s + x }),
    getResult: (acc) => acc.s * 1000 + acc.n,
    merge: (x, y) => ({ n: x.n + y.n, s: x.s + y.s }),
  }),
} as const;
type StateName = keyof typeof DESCRIPTORS;
type Descriptors = { readonly [N in StateName]: (typeof DESCRIPTORS)[N] };

/** The same states with a TTL each. */
function ttlDescriptors(ttls: Readonly<Record<StateName, StateTtlOptions>>): Descriptors {
  return {
    v: withTtl(DESCRIPTORS.v, ttls.v),
    l: withTtl(DESCRIPTORS.l, ttls.l),
    m: withTtl(DESCRIPTORS.m, ttls.m),
    r: withTtl(DESCRIPTORS.r, ttls.r),
    a: withTtl(DESCRIPTORS.a, ttls.a),
  };
}

interface Handles {
  v: ValueState<number> & InternalKvState;
  l: ListState<number> & InternalKvState;
  m: MapState<unknown, number> & InternalKvState;
  r: ReducingState<number> & InternalKvState;
  a: AggregatingState<number, number> & InternalKvState;
}
function handles(b: KeyedStateBackend, d: Descriptors = DESCRIPTORS): Handles {
  const h = <S>(x: StateDescriptor): S & InternalKvState => b.getOrCreateKeyedState<S>(x);
  return { v: h(d.v), l: h(d.l), m: h(d.m), r: h(d.r), a: h(d.a) };
}

/** Entries sorted, so that snapshots of the two backends compare regardless of scan order. */
function canonicalForm(s: KeyedStateSnapshot): unknown {
  const id = (x: unknown): string => String(normalizeKey(x));
  return {
    maxParallelism: s.maxParallelism,
    states: s.states,
    keyGroups: [...s.keyGroups]
      .sort((a, b) => a.keyGroup - b.keyGroup)
      .map((g) => ({
        keyGroup: g.keyGroup,
        entries: [...g.entries].sort((x, y) => {
          const kx = `${x[0]}|${id(x[1])}|${id(x[2])}`;
          const ky = `${y[0]}|${id(y[1])}|${id(y[2])}`;
          return kx < ky ? -1 : kx > ky ? 1 : 0;
        }),
      })),
  };
}

test('every state kind, per key and namespace, after a prefetch', async () => {
  const b = await openLevelDb();
  try {
    const h = handles(b);
    await b.prefetch([{ key: 'a' }, { key: 'b' }, { key: 'c' }]);
    for (const [key, x] of [
      ['a', 1],
      ['b', 10],
      ['a', 3],
    ] as const) {
      b.setCurrentKey(key);
      h.v.update((h.v.value() ?? 0) + x);
      h.l.add(x);
      h.m.put(`k${x}`, x);
      h.r.add(x);
      h.a.add(x);
    }
    await b.flush();
    b.setCurrentKey('a');
    assert.equal(h.v.value(), 3, 'default -1 plus 1 plus 3');
    assert.deepEqual(h.l.get(), [1, 3]);
    assert.deepEqual(
      [...h.m.entries()],
      [
        ['k1', 1],
        ['k3', 3],
      ],
    );
    assert.equal(h.r.get(), 4);
    assert.equal(h.a.get(), 4002);
    b.setCurrentKey('c');
    assert.equal(h.v.value(), -1, 'default value');
    assert.deepEqual(h.l.get(), []);
    assert.equal(h.m.isEmpty(), true);
    assert.equal(h.r.get(), undefined);
    // Round trip through LevelDB: a tiny cache evicts everything, then a prefetch loads it again.
    const small = await openLevelDb(0);
    try {
      await small.restore([await b.snapshot()]);
      const s = handles(small);
      await small.prefetch([{ key: 'a' }]);
      small.setCurrentKey('a');
      assert.deepEqual(s.l.get(), [1, 3]);
      assert.equal(s.m.get('k3'), 3);
      assert.equal(s.a.get(), 4002);
    } finally {
      await small.close();
    }
  } finally {
    await b.close();
  }
});

test('a read that was not prefetched is an internal error naming the state', async () => {
  const b = await openLevelDb(0);
  try {
    const h = handles(b);
    b.setCurrentKey('x');
    assert.throws(
      () => h.v.value(),
      (e: Error & { code?: string; domain?: string }) =>
        e.code === 'STATE_NOT_PREFETCHED' &&
        e.domain === 'internal' &&
        /state 'v'.*not prefetched/.test(e.message),
    );
    // A blind write needs no prefetch, and makes the row readable.
    h.v.update(7);
    assert.equal(h.v.value(), 7);
    assert.throws(() => h.l.add(1), /state 'l'.*not prefetched/, 'add reads the list first');
    // cacheEntries 0: once in LevelDB, rows are evicted, except those of the latest prefetch.
    await b.prefetch([{ key: 'other' }]);
    await b.flush();
    b.setCurrentKey('x');
    assert.throws(() => h.v.value(), /not prefetched/);
    await b.prefetch([{ key: 'x' }]);
    assert.equal(h.v.value(), 7);
    h.v.setCurrentNamespace('w');
    assert.throws(() => h.v.value(), /namespace w was read but not prefetched/);
  } finally {
    await b.close();
  }
});

test('object keys compare by value; the original key comes back from LevelDB', async () => {
  const b = await openLevelDb(0);
  try {
    const v = b.getOrCreateKeyedState<ValueState<number>>(DESCRIPTORS.v);
    await b.prefetch([{ key: { user: 1, region: 'eu' } }]);
    b.setCurrentKey({ user: 1, region: 'eu' });
    v.update(5);
    await b.flush();
    await b.prefetch([{ key: { region: 'eu', user: 1 } }]);
    b.setCurrentKey({ region: 'eu', user: 1 });
    assert.equal(v.value(), 5);
    const keys: unknown[] = [];
    for await (const k of b.keysAsync('v')) keys.push(k);
    assert.deepEqual(keys, [{ user: 1, region: 'eu' }]);
    const snap = await b.snapshot();
    assert.deepEqual(snap.keyGroups[0]!.entries, [['v', { user: 1, region: 'eu' }, 0, 5]]);
  } finally {
    await b.close();
  }
});

// ---- the oracle: the same random operations against the heap backend and LevelDB ----

const KEYS: readonly unknown[] = ['a', 'b', 7, 8.5, null, { u: 1 }, 10_000_000_000];
const NAMESPACES: readonly unknown[] = [undefined, 'w1', 'w2', 5, { start: 0, end: 10 }];
const MAP_KEYS: readonly unknown[] = ['x', 'y', 3, { mk: 1 }];

type Op =
  | { op: 'v.update'; x: number | undefined }
  | { op: 'v.value' }
  | { op: 'l.add'; x: number }
  | { op: 'l.addAll' | 'l.update'; xs: number[] }
  | { op: 'l.get' }
  | { op: 'm.put'; mk: number; x: number }
  | { op: 'm.putAll'; entries: [number, number][] }
  | { op: 'm.remove' | 'm.get' | 'm.contains'; mk: number }
  | { op: 'm.entries' | 'm.isEmpty' | 'm.keys' | 'm.values' }
  | { op: 'r.add' | 'a.add'; x: number }
  | { op: 'r.get' | 'a.get' }
  | { op: 'clear'; state: StateName }
  | { op: 'merge'; state: Exclude<StateName, 'v'> | 'v'; target: number; sources: number[] };

type Step = Op & { key: number; ns: number };

const small = fc.integer({ min: -5, max: 50 });
const mapKey = fc.integer({ min: 0, max: MAP_KEYS.length - 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('v.update' as const), x: fc.option(small, { nil: undefined }) }),
  fc.record({ op: fc.constant('v.value' as const) }),
  fc.record({ op: fc.constant('l.add' as const), x: small }),
  fc.record({
    op: fc.constantFrom('l.addAll' as const, 'l.update' as const),
    xs: fc.array(small, { maxLength: 3 }),
  }),
  fc.record({ op: fc.constant('l.get' as const) }),
  fc.record({ op: fc.constant('m.put' as const), mk: mapKey, x: small }),
  fc.record({
    op: fc.constant('m.putAll' as const),
    entries: fc.array(fc.tuple(mapKey, small), { maxLength: 3 }),
  }),
  fc.record({
    op: fc.constantFrom('m.remove' as const, 'm.get' as const, 'm.contains' as const),
    mk: mapKey,
  }),
  fc.record({
    op: fc.constantFrom('m.entries' as const, 'm.isEmpty' as const, 'm.keys' as const, 'm.values' as const),
  }),
  fc.record({ op: fc.constantFrom('r.add' as const, 'a.add' as const), x: small }),
  fc.record({ op: fc.constantFrom('r.get' as const, 'a.get' as const) }),
  fc.record({
    op: fc.constant('clear' as const),
    state: fc.constantFrom<StateName>('v', 'l', 'm', 'r', 'a'),
  }),
  fc.record({
    op: fc.constant('merge' as const),
    state: fc.constantFrom<StateName>('v', 'l', 'm', 'r', 'a'),
    target: fc.integer({ min: 0, max: NAMESPACES.length - 1 }),
    sources: fc.array(fc.integer({ min: 0, max: NAMESPACES.length - 1 }), { maxLength: 3 }),
  }),
);
const stepArb: fc.Arbitrary<Step> = fc
  .tuple(
    opArb,
    fc.integer({ min: 0, max: KEYS.length - 1 }),
    fc.integer({ min: 0, max: NAMESPACES.length - 1 }),
  )
  .map(([op, key, ns]) => ({ ...op, key, ns }));
const batchArb = fc.record({
  steps: fc.array(stepArb, { minLength: 1, maxLength: 12 }),
  flush: fc.boolean(),
});

/** Applies one step; returns what a user could observe (copied, since values are live). */
function apply(b: KeyedStateBackend, h: Handles, s: Step): unknown {
  b.setCurrentKey(KEYS[s.key]);
  const ns = NAMESPACES[s.ns];
  for (const x of Object.values(h)) x.setCurrentNamespace(ns ?? 0);
  const mk = (i: number): unknown => MAP_KEYS[i];
  switch (s.op) {
    case 'v.update':
      return h.v.update(s.x as number);
    case 'v.value':
      return h.v.value();
    case 'l.add':
      return h.l.add(s.x);
    case 'l.addAll':
      return h.l.addAll(s.xs);
    case 'l.update':
      return h.l.update(s.xs);
    case 'l.get':
      return structuredClone(h.l.get());
    case 'm.put':
      return h.m.put(mk(s.mk), s.x);
    case 'm.putAll':
      return h.m.putAll(s.entries.map(([k, x]) => [mk(k), x] as const));
    case 'm.remove':
      return h.m.remove(mk(s.mk));
    case 'm.get':
      return h.m.get(mk(s.mk));
    case 'm.contains':
      return h.m.contains(mk(s.mk));
    case 'm.entries':
      return structuredClone([...h.m.entries()]);
    case 'm.keys':
      return structuredClone([...h.m.keys()]);
    case 'm.values':
      return [...h.m.values()];
    case 'm.isEmpty':
      return h.m.isEmpty();
    case 'r.add':
      return h.r.add(s.x);
    case 'a.add':
      return h.a.add(s.x);
    case 'r.get':
      return h.r.get();
    case 'a.get':
      return h.a.get();
    case 'clear':
      return h[s.state].clear();
    case 'merge':
      h[s.state].mergeNamespaces(
        NAMESPACES[s.target] ?? 0,
        s.sources.map((i) => NAMESPACES[i] ?? 0),
      );
      return undefined;
  }
}

/** Every (key, namespace) a batch touches, as an operator would declare them. */
function prefetchEntries(steps: readonly Step[]): PrefetchEntry[] {
  const out: PrefetchEntry[] = [];
  for (const s of steps) {
    const nss = s.op === 'merge' ? [s.target, ...s.sources] : [s.ns];
    for (const ns of nss) out.push({ key: KEYS[s.key], namespace: NAMESPACES[ns] });
  }
  return out;
}

test('oracle: random operations give the same observations and snapshots on heap and LevelDB', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(batchArb, { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 0, max: 6 }),
      async (batches, cacheEntries) => {
        const heap = new HeapKeyedStateBackend(MAX_PAR, FULL);
        const ldb = await openLevelDb(cacheEntries);
        try {
          const hh = handles(heap);
          const lh = handles(ldb);
          for (const [bi, batch] of batches.entries()) {
            await ldb.prefetch(prefetchEntries(batch.steps));
            for (const [si, s] of batch.steps.entries()) {
              const expected = apply(heap, hh, s);
              const actual = apply(ldb, lh, s);
              assert.deepEqual(actual, expected, `batch ${bi} step ${si}: ${JSON.stringify(s)}`);
            }
            if (batch.flush) {
              await ldb.flush();
              assert.ok(
                ldb.cachedRows <= Math.max(cacheEntries, prefetchEntries(batch.steps).length * 5),
                'the working set is bounded after a flush',
              );
            }
          }
          assert.deepEqual(canonicalForm(await ldb.snapshot()), canonicalForm(heap.snapshot()));
          for (const name of Object.keys(DESCRIPTORS)) {
            for (const ns of NAMESPACES) {
              const got: unknown[] = [];
              for await (const k of ldb.keysAsync(name, ns ?? 0)) got.push(normalizeKey(k));
              const want = [...heap.keys(name, ns ?? 0)].map((k) => normalizeKey(k));
              assert.deepEqual(new Set(got), new Set(want), `keys of ${name} in ${String(ns)}`);
            }
          }
        } finally {
          await ldb.close();
        }
      },
    ),
    { numRuns: 60 },
  );
});

// ---- the oracle with TTL: a manual clock, ticks between operations ----

/** A clock that tests advance by hand. */
class ManualClock implements TtlTimeProvider {
  t = 1_000;
  now(): number {
    return this.t;
  }
}

const ttlArb: fc.Arbitrary<StateTtlOptions> = fc.record({
  ttlMs: fc.integer({ min: 1, max: 20 }),
  updateType: fc.constantFrom('on-create-and-write' as const, 'on-read-and-write' as const),
  visibility: fc.constantFrom('never-return-expired' as const, 'return-expired-if-not-cleaned-up' as const),
});
const ttlsArb = fc.record({ v: ttlArb, l: ttlArb, m: ttlArb, r: ttlArb, a: ttlArb });
const tickArb = fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 8 }) });
const ttlBatchArb = fc.record({
  steps: fc.array(fc.oneof(stepArb, stepArb, tickArb), { minLength: 1, maxLength: 12 }),
  flush: fc.boolean(),
});

/** What every state shows for every (key, namespace), reading in a fixed order. */
function readAll(b: KeyedStateBackend, h: Handles): unknown[] {
  const out: unknown[] = [];
  for (const key of KEYS) {
    b.setCurrentKey(key);
    for (const ns of NAMESPACES) {
      for (const x of Object.values(h)) x.setCurrentNamespace(ns ?? 0);
      out.push(h.v.value(), [...h.l.get()], [...h.m.entries()], h.r.get(), h.a.get());
    }
  }
  return structuredClone(out);
}
const ALL_ENTRIES: PrefetchEntry[] = KEYS.flatMap((key) =>
  NAMESPACES.map((namespace) => ({ key, namespace })),
);

test('oracle with TTL: heap and LevelDB expire, clean up, snapshot and restore alike', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(ttlBatchArb, { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 0, max: 6 }),
      ttlsArb,
      fc.integer({ min: 0, max: 25 }),
      async (batches, cacheEntries, ttls, later) => {
        const clock = new ManualClock();
        const d = ttlDescriptors(ttls);
        const heap = new HeapKeyedStateBackend(MAX_PAR, FULL, { clock });
        const ldb = await openLevelDb(cacheEntries, FULL, clock);
        const ldb2 = await openLevelDb(cacheEntries, FULL, clock);
        try {
          const hh = handles(heap, d);
          const lh = handles(ldb, d);
          for (const [bi, batch] of batches.entries()) {
            const ops = batch.steps.filter((s): s is Step => s.op !== 'tick');
            await ldb.prefetch(prefetchEntries(ops));
            for (const [si, s] of batch.steps.entries()) {
              // One clock for both backends: a tick is applied once, between operations.
              if (s.op === 'tick') {
                clock.t += s.ms;
                continue;
              }
              const expected = apply(heap, hh, s);
              const actual = apply(ldb, lh, s);
              assert.deepEqual(actual, expected, `batch ${bi} step ${si}: ${JSON.stringify(s)}`);
            }
            if (batch.flush) await ldb.flush();
          }
          // Cleanup in snapshots: both leave out what expired by now, and keep the timestamps.
          const fromLdb = await ldb.snapshot();
          const fromHeap = heap.snapshot();
          assert.deepEqual(canonicalForm(fromLdb), canonicalForm(fromHeap));
          for (const name of Object.keys(DESCRIPTORS)) {
            for (const ns of NAMESPACES) {
              const got: unknown[] = [];
              for await (const k of ldb.keysAsync(name, ns ?? 0)) got.push(normalizeKey(k));
              const want = [...heap.keys(name, ns ?? 0)].map((k) => normalizeKey(k));
              assert.deepEqual(new Set(got), new Set(want), `keys of ${name} in ${String(ns)}`);
            }
          }
          // Restore later, crosswise: expiry goes on from the stored timestamps.
          clock.t += later;
          const heap2 = new HeapKeyedStateBackend(MAX_PAR, FULL, { clock });
          heap2.restore([plain(fromLdb)]);
          await ldb2.restore([plain(fromHeap)]);
          const hh2 = handles(heap2, d);
          const lh2 = handles(ldb2, d);
          assert.deepEqual(canonicalForm(await ldb2.snapshot()), canonicalForm(heap2.snapshot()));
          await ldb2.prefetch(ALL_ENTRIES);
          assert.deepEqual(readAll(ldb2, lh2), readAll(heap2, hh2));
          assert.deepEqual(canonicalForm(await ldb2.snapshot()), canonicalForm(heap2.snapshot()));
        } finally {
          await ldb.close();
          await ldb2.close();
        }
      },
    ),
    { numRuns: 60 },
  );
});

// ---- canonical snapshots between backends and parallelisms ----

/** A deep copy as plain data (a backend's snapshot may be a class with lazily built key groups). */
function plain(s: KeyedStateSnapshot): KeyedStateSnapshot {
  return structuredClone({ maxParallelism: s.maxParallelism, states: s.states, keyGroups: s.keyGroups });
}

function fillHeap(n: number): HeapKeyedStateBackend {
  const heap = new HeapKeyedStateBackend(MAX_PAR, FULL);
  const h = handles(heap);
  for (let i = 0; i < n; i++) {
    heap.setCurrentKey(i % 3 === 0 ? { id: i } : `key-${i}`);
    for (const x of Object.values(h)) x.setCurrentNamespace(i % 2 === 0 ? 0 : `w${i % 5}`);
    h.v.update(i);
    h.l.addAll([i, i + 1]);
    h.m.put(`m${i % 4}`, i);
    h.r.add(i);
    h.a.add(i);
  }
  return heap;
}

test('heap -> LevelDB -> heap snapshot round trip', async () => {
  const heap = fillHeap(300);
  const original = heap.snapshot();
  const ldb = await openLevelDb(10);
  try {
    await ldb.restore([plain(original)]);
    const fromLdb = await ldb.snapshot();
    assert.deepEqual(canonicalForm(fromLdb), canonicalForm(original));
    const back = new HeapKeyedStateBackend(MAX_PAR, FULL);
    back.restore([plain(fromLdb)]);
    // The restored heap has placeholder descriptors until an operator declares them.
    handles(back);
    assert.deepEqual(canonicalForm(back.snapshot()), canonicalForm(original));
    // The restored LevelDB state is usable by an operator.
    const h = handles(ldb);
    await ldb.prefetch([{ key: 'key-1', namespace: 'w1' }]);
    ldb.setCurrentKey('key-1');
    h.l.setCurrentNamespace('w1');
    assert.deepEqual(h.l.get(), [1, 2]);
  } finally {
    await ldb.close();
  }
});

test('restore at another parallelism: LevelDB subtasks split the key groups, a heap joins them', async () => {
  const heap = fillHeap(400);
  const original = heap.snapshot();
  const parts: KeyedStateSnapshot[] = [];
  for (let i = 0; i < 3; i++) {
    const ldb = await openLevelDb(5, keyGroupRangeForSubtask(MAX_PAR, 3, i));
    try {
      await ldb.restore([plain(original)]);
      const s = await ldb.snapshot();
      const r = keyGroupRangeForSubtask(MAX_PAR, 3, i);
      assert.ok(s.keyGroups.every((g) => g.keyGroup >= r.start && g.keyGroup <= r.end));
      parts.push(s);
    } finally {
      await ldb.close();
    }
  }
  // From 3 LevelDB subtasks to 2 LevelDB subtasks, then into one heap.
  const again: KeyedStateSnapshot[] = [];
  for (let i = 0; i < 2; i++) {
    const ldb = await openLevelDb(undefined, keyGroupRangeForSubtask(MAX_PAR, 2, i));
    try {
      await ldb.restore(parts);
      again.push(await ldb.snapshot());
    } finally {
      await ldb.close();
    }
  }
  const joined = new HeapKeyedStateBackend(MAX_PAR, FULL);
  joined.restore(again);
  handles(joined);
  assert.deepEqual(canonicalForm(joined.snapshot()), canonicalForm(original));
});

test('a snapshot is consistent at the call; writes after it are not in it', async () => {
  const ldb = await openLevelDb();
  try {
    const v = ldb.getOrCreateKeyedState<ValueState<number>>(DESCRIPTORS.v);
    await ldb.prefetch([{ key: 'k' }]);
    ldb.setCurrentKey('k');
    v.update(1);
    const pending = ldb.snapshot();
    v.update(2); // after the call: belongs to the next snapshot
    const flushed = ldb.flush();
    const s = await pending;
    await flushed;
    assert.deepEqual(
      s.keyGroups.flatMap((g) => g.entries),
      [['v', 'k', 0, 1]],
    );
    assert.deepEqual(
      (await ldb.snapshot()).keyGroups.flatMap((g) => g.entries),
      [['v', 'k', 0, 2]],
    );
  } finally {
    await ldb.close();
  }
});

test('incremental snapshots return only changed key groups and reference the rest', async () => {
  const ldb = await openLevelDb(50);
  try {
    const v = ldb.getOrCreateKeyedState<ValueState<number>>(DESCRIPTORS.v);
    const keys = Array.from({ length: 500 }, (_, i) => `k${i}`);
    await ldb.prefetch(keys.map((key) => ({ key })));
    for (const [i, k] of keys.entries()) {
      ldb.setCurrentKey(k);
      v.update(i);
    }
    const first = await ldb.snapshotIncremental();
    assert.equal(first.unchanged.length, 0);
    assert.equal(first.snapshot.keyGroups.length, first.keyGroups.size);
    assert.deepEqual(canonicalForm(first.snapshot), canonicalForm(await ldb.snapshot()));

    // Nothing changed: everything is referenced.
    const same = await ldb.snapshotIncremental({ keyGroups: first.keyGroups });
    assert.equal(same.snapshot.keyGroups.length, 0);
    assert.deepEqual(
      same.unchanged,
      [...first.keyGroups.keys()].sort((a, b) => a - b),
    );

    // Change two keys (and delete one): only their key groups are in full.
    await ldb.prefetch([{ key: 'k1' }, { key: 'k2' }]);
    ldb.setCurrentKey('k1');
    v.update(-1);
    ldb.setCurrentKey('k2');
    v.clear();
    const changedGroups = new Set([ldb.getCurrentKeyGroup()]);
    ldb.setCurrentKey('k1');
    changedGroups.add(ldb.getCurrentKeyGroup());
    const inc = await ldb.snapshotIncremental({ keyGroups: first.keyGroups });
    assert.deepEqual(new Set(inc.snapshot.keyGroups.map((g) => g.keyGroup)), changedGroups);
    assert.equal(inc.unchanged.length + inc.snapshot.keyGroups.length, inc.keyGroups.size);
    // Unchanged references plus changed groups rebuild the full state.
    const full = await ldb.snapshot();
    const rebuilt = [
      ...inc.snapshot.keyGroups,
      ...first.snapshot.keyGroups.filter((g) => inc.unchanged.includes(g.keyGroup)),
    ];
    assert.deepEqual(canonicalForm({ ...full, keyGroups: rebuilt }), canonicalForm(full));

    // A change that is undone gives the same digest: referenced, though it was written.
    await ldb.prefetch([{ key: 'k3' }]);
    ldb.setCurrentKey('k3');
    v.update(99);
    await ldb.flush();
    v.update(3);
    const reverted = await ldb.snapshotIncremental({ keyGroups: inc.keyGroups });
    assert.equal(reverted.snapshot.keyGroups.length, 0);
    // Relative to an older baseline (an aborted checkpoint in between), the earlier changes count.
    const vsFirst = await ldb.snapshotIncremental({ keyGroups: first.keyGroups });
    assert.deepEqual(new Set(vsFirst.snapshot.keyGroups.map((g) => g.keyGroup)), changedGroups);
  } finally {
    await ldb.close();
  }
});

test('keys sees the working set; keysAsync sees every key in LevelDB', async () => {
  const ldb = await openLevelDb(10);
  try {
    const r = ldb.getOrCreateKeyedState<ReducingState<number>>(DESCRIPTORS.r);
    const keys = Array.from({ length: 1000 }, (_, i) => i);
    for (let i = 0; i < keys.length; i += 100) {
      const batch = keys.slice(i, i + 100);
      await ldb.prefetch(batch.map((key) => ({ key })));
      for (const k of batch) {
        ldb.setCurrentKey(k);
        r.add(k);
      }
      await ldb.flush();
    }
    assert.ok([...ldb.keys('r')].length <= 100, 'only the working set');
    const all: unknown[] = [];
    for await (const k of ldb.keysAsync('r')) all.push(k);
    assert.deepEqual(
      all.sort((a, b) => (a as number) - (b as number)),
      keys,
    );
    // The batch-mode reduce pattern: enumerate, prefetch in batches, read and clear.
    let sum = 0;
    let chunk: number[] = [];
    const drain = async (): Promise<void> => {
      await ldb.prefetch(chunk.map((key) => ({ key })));
      for (const k of chunk) {
        ldb.setCurrentKey(k);
        sum += r.get()!;
        r.clear();
      }
      chunk = [];
      await ldb.flush();
    };
    for await (const k of ldb.keysAsync('r')) {
      chunk.push(k as number);
      if (chunk.length === 64) await drain();
    }
    await drain();
    assert.equal(sum, (999 * 1000) / 2);
    const left: unknown[] = [];
    for await (const k of ldb.keysAsync('r')) left.push(k);
    assert.deepEqual(left, []);
  } finally {
    await ldb.close();
  }
});

test('close deletes the working copy and is idempotent', async () => {
  const ldb = await openLevelDb();
  const path = ldb.path;
  assert.ok((await readdir(root)).some((f) => path.endsWith(f)));
  await Promise.all([ldb.close(), ldb.close()]);
  assert.ok(!(await readdir(root)).some((f) => path.endsWith(f)));
  await assert.rejects(ldb.flush(), /closed/);
});

test('a restore refuses another max parallelism', async () => {
  const ldb = await openLevelDb();
  try {
    await assert.rejects(
      ldb.restore([{ maxParallelism: 64, keyGroups: [], states: {} }]),
      /64 key groups but the operator has max parallelism 128/,
    );
  } finally {
    await ldb.close();
  }
});
