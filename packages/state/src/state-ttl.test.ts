// State TTL semantics, on the heap backend with a manual clock (the LevelDB backend runs the same
// handles; its oracle test compares the two with TTL): expiry per value, list element and map entry,
// update types, visibility, cleanup on access and in snapshots, timestamps across a restore, merging
// namespaces, copy-on-write, and the descriptor API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  StateDescriptors,
  withTtl,
  type AggregatingState,
  type ListState,
  type MapState,
  type ReducingState,
  type StateDescriptor,
  type ValueState,
} from '@eddy/api';
import { HeapKeyedStateBackend } from './heap-keyed-state-backend.ts';
import type { InternalKvState, KeyedStateSnapshot } from './keyed-state-backend.ts';
import type { TtlTimeProvider } from './state-ttl.ts';

class ManualClock implements TtlTimeProvider {
  t = 10_000;
  now(): number {
    return this.t;
  }
}

const FULL = { start: 0, end: 127 };
function setup(): { clock: ManualClock; b: HeapKeyedStateBackend } {
  const clock = new ManualClock();
  return { clock, b: new HeapKeyedStateBackend(128, FULL, { clock }) };
}
function state<S>(b: HeapKeyedStateBackend, d: StateDescriptor): S & InternalKvState {
  return b.getOrCreateKeyedState<S>(d);
}
/** A deep copy as plain data, as a snapshot reads back from storage. */
function plain(s: KeyedStateSnapshot): KeyedStateSnapshot {
  return structuredClone({ maxParallelism: s.maxParallelism, states: s.states, keyGroups: s.keyGroups });
}

test('descriptors: options and withTtl fill in the defaults; plain calls stay as they were', () => {
  assert.deepEqual(StateDescriptors.value('v', 0), { kind: 'value', name: 'v', defaultValue: 0 });
  assert.deepEqual(StateDescriptors.list('l'), { kind: 'list', name: 'l' });
  assert.equal('ttl' in StateDescriptors.map('m', {}), false);
  const defaults = { ttlMs: 5, updateType: 'on-create-and-write', visibility: 'never-return-expired' };
  assert.deepEqual(StateDescriptors.value('v', undefined, { ttl: { ttlMs: 5 } }), {
    kind: 'value',
    name: 'v',
    ttl: defaults,
  });
  assert.deepEqual(StateDescriptors.list('l', { ttl: { ttlMs: 5 } }).ttl, defaults);
  assert.deepEqual(StateDescriptors.map('m', { ttl: { ttlMs: 5 } }).ttl, defaults);
  assert.deepEqual(
    StateDescriptors.reducing<number>('r', (a, b) => a + b, { ttl: { ttlMs: 5 } }).ttl,
    defaults,
  );
  const agg = StateDescriptors.aggregating<number, number, number>(
    'a',
    { createAccumulator: () => 0, add: (x, a) => x + a, getResult: (a) => a, merge: (a, b) => a + b },
    { ttl: { ttlMs: 5, updateType: 'on-read-and-write', visibility: 'return-expired-if-not-cleaned-up' } },
  );
  assert.deepEqual(agg.ttl, {
    ttlMs: 5,
    updateType: 'on-read-and-write',
    visibility: 'return-expired-if-not-cleaned-up',
  });
  const r = StateDescriptors.reducing<number>('r', (a, b) => a + b);
  const rt = withTtl(r, { ttlMs: 7 });
  assert.equal(rt.reduce(1, 2), 3, 'functions are kept');
  assert.equal(r.ttl, undefined, 'the original is unchanged');
  for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(
      () => StateDescriptors.value('x', 0, { ttl: { ttlMs: bad } }),
      (e: Error & { code?: string; domain?: string }) =>
        e.code === 'INVALID_STATE_TTL' && e.domain === 'user' && /state 'x'.*ttlMs/.test(e.message),
    );
  }
  assert.throws(
    () => withTtl(r, { ttlMs: 1, updateType: 'on-read' as never }),
    /updateType must be one of on-create-and-write, on-read-and-write/,
  );
});

test('value state: expires after the TTL, reads as the default, and is removed on access', () => {
  const { clock, b } = setup();
  const v = state<ValueState<number>>(b, StateDescriptors.value('v', -1, { ttl: { ttlMs: 100 } }));
  b.setCurrentKey('k');
  v.update(1);
  clock.t += 99;
  assert.equal(v.value(), 1);
  clock.t += 1;
  assert.equal(b.numEntries(), 1, 'not removed before it is accessed');
  assert.equal(v.value(), -1, 'expired at ts + ttl');
  assert.equal(b.numEntries(), 0, 'cleanup on access');
  // A write restarts the clock (on-create-and-write), a read does not.
  v.update(2);
  clock.t += 60;
  v.update(3);
  clock.t += 60;
  assert.equal(v.value(), 3);
  clock.t += 40;
  assert.equal(v.value(), -1);
});

test("'on-read-and-write' restarts the clock on reads", () => {
  const { clock, b } = setup();
  const v = state<ValueState<number>>(
    b,
    StateDescriptors.value<number>('v', undefined, { ttl: { ttlMs: 100, updateType: 'on-read-and-write' } }),
  );
  b.setCurrentKey('k');
  v.update(1);
  for (let i = 0; i < 5; i++) {
    clock.t += 90;
    assert.equal(v.value(), 1);
  }
  clock.t += 100;
  assert.equal(v.value(), undefined);
});

test("'return-expired-if-not-cleaned-up' returns an expired value once, then it is gone", () => {
  const { clock, b } = setup();
  const v = state<ValueState<number>>(
    b,
    StateDescriptors.value<number>('v', undefined, {
      ttl: { ttlMs: 10, visibility: 'return-expired-if-not-cleaned-up' },
    }),
  );
  b.setCurrentKey('k');
  v.update(1);
  clock.t += 50;
  assert.equal(v.value(), 1);
  assert.equal(v.value(), undefined);
});

test('list state: every element expires on its own', () => {
  const { clock, b } = setup();
  const l = state<ListState<string>>(b, StateDescriptors.list<string>('l', { ttl: { ttlMs: 100 } }));
  b.setCurrentKey('k');
  l.add('a');
  clock.t += 50;
  l.addAll(['b', 'c']);
  clock.t += 50;
  assert.deepEqual(l.get(), ['b', 'c']);
  l.add('d');
  clock.t += 50;
  assert.deepEqual(l.get(), ['d']);
  clock.t += 50;
  assert.deepEqual(l.get(), []);
  assert.equal(b.numEntries(), 0);
  l.update(['x', 'y']);
  clock.t += 100;
  assert.deepEqual(l.get(), []);
});

test('map state: every entry expires on its own; iteration and isEmpty skip expired entries', () => {
  const { clock, b } = setup();
  const m = state<MapState<string, number>>(
    b,
    StateDescriptors.map<string, number>('m', { ttl: { ttlMs: 100 } }),
  );
  b.setCurrentKey('k');
  m.put('a', 1);
  clock.t += 50;
  m.putAll([
    ['b', 2],
    ['c', 3],
  ]);
  m.put('a', 10);
  clock.t += 60;
  m.put('b', 20);
  assert.deepEqual(
    [...m.entries()],
    [
      ['a', 10],
      ['b', 20],
      ['c', 3],
    ],
  );
  clock.t += 45;
  assert.equal(m.contains('a'), false);
  assert.equal(m.get('c'), undefined);
  assert.deepEqual([...m.keys()], ['b']);
  assert.deepEqual([...m.values()], [20]);
  clock.t += 54;
  assert.equal(m.isEmpty(), false, 'b lives until +210');
  clock.t += 1;
  assert.equal(m.isEmpty(), true);
  assert.equal(b.numEntries(), 0, 'a map whose entries all expired is removed');
});

test('reducing and aggregating state start over after their value expired', () => {
  const { clock, b } = setup();
  const r = state<ReducingState<number>>(
    b,
    StateDescriptors.reducing<number>('r', (x, y) => x + y, { ttl: { ttlMs: 100 } }),
  );
  const a = state<AggregatingState<number, number>>(
    b,
    StateDescriptors.aggregating<number, { n: number }, number>(
      'a',
      {
        createAccumulator: () => ({ n: 0 }),
        add: (x, acc) => {
          acc.n += x; // in place, on purpose: copy-on-write must protect snapshots
          return acc;
        },
        getResult: (acc) => acc.n,
        merge: (x, y) => ({ n: x.n + y.n }),
      },
      { ttl: { ttlMs: 100 } },
    ),
  );
  b.setCurrentKey('k');
  r.add(1);
  a.add(1);
  clock.t += 99;
  r.add(2);
  a.add(2);
  const snap = b.snapshot();
  clock.t += 99;
  assert.equal(r.get(), 3, 'every add restarts the clock');
  assert.equal(a.get(), 3);
  a.add(5);
  clock.t += 100;
  r.add(10);
  a.add(10);
  assert.equal(r.get(), 10);
  assert.equal(a.get(), 10);
  const entries = plain(snap).keyGroups.flatMap((g) => g.entries);
  assert.deepEqual(
    entries.map(([name, , , value]) => [name, value]).sort(),
    [
      ['a', [{ n: 3 }, 10_099]],
      ['r', [3, 10_099]],
    ],
    'the snapshot holds the values and timestamps at its capture',
  );
});

test('merging namespaces drops expired values; list elements keep their own times', () => {
  const { clock, b } = setup();
  const l = state<ListState<number>>(b, StateDescriptors.list<number>('l', { ttl: { ttlMs: 100 } }));
  b.setCurrentKey('k');
  l.setCurrentNamespace('w1');
  l.add(1);
  clock.t += 60;
  l.setCurrentNamespace('w2');
  l.add(2);
  l.setCurrentNamespace('w3');
  l.add(3);
  clock.t += 50; // w1's element has expired
  l.mergeNamespaces('w3', ['w1', 'w2']);
  assert.deepEqual(l.get(), [3, 2]);
  l.setCurrentNamespace('w1');
  assert.deepEqual(l.get(), []);
  assert.equal(b.numEntries(), 1, 'sources are cleared');
  clock.t += 50;
  l.setCurrentNamespace('w3');
  assert.deepEqual(l.get(), [], 'merged elements expire at their original times');
});

test('snapshots leave out expired values and keep timestamps; a restore keeps expiring', () => {
  const { clock, b } = setup();
  const d = StateDescriptors.value<string>('v', undefined, { ttl: { ttlMs: 100 } });
  const v = state<ValueState<string>>(b, d);
  for (let i = 0; i < 10; i++) {
    b.setCurrentKey(i);
    v.update(`x${i}`);
    clock.t += 10;
  }
  // At +100 the first value has expired (written at +0); the others are left.
  const snap = plain(b.snapshot());
  assert.deepEqual(snap.states, { v: { kind: 'value', ttl: true } });
  const stored = snap.keyGroups.flatMap((g) => g.entries).map(([, key, , value]) => [key, value]);
  assert.equal(stored.length, 9);
  assert.ok(
    stored.every(([key, value]) => Array.isArray(value) && value[1] === 10_000 + 10 * (key as number)),
  );

  // Restored 35 ms later: the values written in the first 35 ms are gone, the others remain.
  clock.t += 35;
  const r = new HeapKeyedStateBackend(128, FULL, { clock });
  r.restore([snap]);
  const rv = state<ValueState<string>>(r, d);
  const seen: unknown[] = [];
  for (let i = 0; i < 10; i++) {
    r.setCurrentKey(i);
    seen.push(rv.value());
  }
  assert.deepEqual(seen, [undefined, undefined, undefined, undefined, 'x4', 'x5', 'x6', 'x7', 'x8', 'x9']);
  clock.t += 1_000;
  assert.deepEqual(r.snapshot().keyGroups, [], 'all expired: nothing in the snapshot');
});

test('copy-on-write: TTL lists and maps changed after a snapshot stay as they were in it', () => {
  const { clock, b } = setup();
  const l = state<ListState<number>>(b, StateDescriptors.list<number>('l', { ttl: { ttlMs: 100 } }));
  const m = state<MapState<string, number>>(
    b,
    StateDescriptors.map<string, number>('m', { ttl: { ttlMs: 100 } }),
  );
  b.setCurrentKey('k');
  l.add(1);
  m.put('a', 1);
  const snap = b.snapshot();
  clock.t += 1;
  l.add(2);
  m.put('b', 2);
  m.remove('a');
  const entries = snap.keyGroups.flatMap((g) => g.entries).map(([name, , , value]) => [name, value]);
  assert.deepEqual(entries.sort(), [
    ['l', [[1, 10_000]]],
    ['m', [['a', 1, 10_000]]],
  ]);
});

test('switching a TTL on or off for existing state is a clear user error', () => {
  const { b } = setup();
  const plainV = StateDescriptors.value<number>('v');
  const ttlV = withTtl(plainV, { ttlMs: 10 });
  const v = state<ValueState<number>>(b, plainV);
  b.setCurrentKey('k');
  v.update(1);
  const isTtlError = (e: Error & { code?: string; domain?: string }): boolean =>
    e.code === 'STATE_TTL_INCOMPATIBLE' && e.domain === 'user' && /state 'v'/.test(e.message);
  assert.throws(() => state(b, ttlV), isTtlError);
  const snap = plain(b.snapshot());
  const r = new HeapKeyedStateBackend(128, FULL);
  r.restore([snap]);
  assert.throws(() => state(r, ttlV), isTtlError);
  // The other way round, and a changed duration is fine.
  const t = new HeapKeyedStateBackend(128, FULL);
  state<ValueState<number>>(t, ttlV);
  const r2 = new HeapKeyedStateBackend(128, FULL);
  r2.restore([plain(t.snapshot())]);
  state(r2, withTtl(plainV, { ttlMs: 999 }));
  assert.throws(() => state(r2, plainV), isTtlError);
});
