// The heap keyed state backend: every state kind scoped by key and namespace, key groups, merging
// namespaces (session windows), value semantics for object keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  StateDescriptors,
  type AggregatingState,
  type ListState,
  type MapState,
  type ReducingState,
  type ValueState,
} from '@eddy/api';
import { HeapKeyedStateBackend } from './heap-keyed-state-backend.ts';
import type { InternalKvState } from './keyed-state-backend.ts';
import { assignToKeyGroup } from './key-group.ts';

const backend = (): HeapKeyedStateBackend => new HeapKeyedStateBackend(128, { start: 0, end: 127 });

test('value, list, map, reducing and aggregating state are per key', () => {
  const b = backend();
  const v = b.getOrCreateKeyedState<ValueState<number>>(StateDescriptors.value('v', 0));
  const l = b.getOrCreateKeyedState<ListState<string>>(StateDescriptors.list('l'));
  const m = b.getOrCreateKeyedState<MapState<string, number>>(StateDescriptors.map('m'));
  const r = b.getOrCreateKeyedState<ReducingState<number>>(
    StateDescriptors.reducing('r', (x: number, y: number) => x + y),
  );
  const a = b.getOrCreateKeyedState<AggregatingState<number, number>>(
    StateDescriptors.aggregating('a', {
      createAccumulator: () => ({ n: 0, s: 0 }),
      add: (x: number, acc: { n: number; s: number }) => ({ n: acc.n + 1, s: acc.s + x }),
      getResult: (acc: { n: number; s: number }) => acc.s / acc.n,
      merge: (x: { n: number; s: number }, y: { n: number; s: number }) => ({ n: x.n + y.n, s: x.s + y.s }),
    }),
  );
  for (const [key, x] of [
    ['a', 1],
    ['b', 10],
    ['a', 3],
  ] as const) {
    b.setCurrentKey(key);
    v.update((v.value() ?? 0) + x);
    l.add(`${key}${x}`);
    m.put(`k${x}`, x);
    r.add(x);
    a.add(x);
  }
  b.setCurrentKey('a');
  assert.equal(v.value(), 4);
  assert.deepEqual(l.get(), ['a1', 'a3']);
  assert.deepEqual(
    [...m.entries()],
    [
      ['k1', 1],
      ['k3', 3],
    ],
  );
  assert.equal(r.get(), 4);
  assert.equal(a.get(), 2);
  assert.equal(b.getCurrentKeyGroup(), assignToKeyGroup('a', 128));
  b.setCurrentKey('c');
  assert.equal(v.value(), 0, 'default value');
  assert.deepEqual(l.get(), []);
  assert.equal(m.isEmpty(), true);
  assert.equal(r.get(), undefined);
  b.setCurrentKey('b');
  v.clear();
  l.clear();
  assert.equal(v.value(), 0);
  assert.deepEqual([...b.keys('l')], ['a']);
});

test('object keys compare by value, not identity', () => {
  const b = backend();
  const v = b.getOrCreateKeyedState<ValueState<number>>(StateDescriptors.value('v'));
  b.setCurrentKey({ user: 1, region: 'eu' });
  v.update(5);
  b.setCurrentKey({ region: 'eu', user: 1 });
  assert.equal(v.value(), 5);
});

test('namespaces separate windows and merge like session windows', () => {
  const b = backend();
  const r = b.getOrCreateKeyedState<ReducingState<number> & InternalKvState>(
    StateDescriptors.reducing('sum', (x: number, y: number) => x + y),
  );
  b.setCurrentKey('k');
  for (const [ns, x] of [
    ['0:10', 1],
    ['5:15', 2],
    ['20:30', 4],
  ] as const) {
    r.setCurrentNamespace(ns);
    r.add(x);
  }
  r.mergeNamespaces('0:15', ['0:10', '5:15']);
  r.setCurrentNamespace('0:15');
  assert.equal(r.get(), 3);
  r.setCurrentNamespace('0:10');
  assert.equal(r.get(), undefined, 'merged sources are cleared');
  r.setCurrentNamespace('20:30');
  assert.equal(r.get(), 4);
});

test('one name, two kinds is a clear user error', () => {
  const b = backend();
  b.getOrCreateKeyedState(StateDescriptors.value('x'));
  assert.throws(
    () => b.getOrCreateKeyedState(StateDescriptors.list('x')),
    /declared both as value and as list state/,
  );
});

test('a canonical snapshot restores into backends owning its key groups, at another parallelism', () => {
  const b = backend();
  const v = b.getOrCreateKeyedState<ValueState<number>>(StateDescriptors.value('v'));
  const m = b.getOrCreateKeyedState<MapState<string, number>>(StateDescriptors.map('m'));
  const keys = Array.from({ length: 200 }, (_, i) => `key-${i}`);
  for (const [i, k] of keys.entries()) {
    b.setCurrentKey(k);
    v.update(i);
    m.put('x', i * 2);
  }
  const snap = b.snapshot();
  // After the snapshot (copy-on-write): must not show up in it.
  for (const k of keys) {
    b.setCurrentKey(k);
    v.update(-1);
    m.put('x', -1);
    m.put('y', -1);
  }
  // Split over 3 subtasks: every key lands in exactly one, with its values.
  const ranges = [0, 1, 2].map((i) => ({
    start: Math.ceil((i * 128) / 3),
    end: Math.floor(((i + 1) * 128 - 1) / 3),
  }));
  const restored = ranges.map((r) => {
    const nb = new HeapKeyedStateBackend(128, r);
    nb.restore([snap]);
    return nb;
  });
  for (const [i, k] of keys.entries()) {
    const owners = restored.filter((nb) => [...nb.keys('v')].includes(k));
    assert.equal(owners.length, 1, `${k} restored once`);
    const nb = owners[0]!;
    nb.setCurrentKey(k);
    assert.equal(nb.getOrCreateKeyedState<ValueState<number>>(StateDescriptors.value('v')).value(), i);
    assert.equal(
      nb.getOrCreateKeyedState<MapState<string, number>>(StateDescriptors.map('m')).get('x'),
      i * 2,
    );
  }
});

test('copy-on-write: lists and maps changed in place after a snapshot stay as they were in it', () => {
  const b = backend();
  const l = b.getOrCreateKeyedState<ListState<number>>(StateDescriptors.list('l'));
  b.setCurrentKey('k');
  l.add(1);
  const first = b.snapshot();
  l.add(2);
  const second = b.snapshot();
  l.add(3);
  const entries = (s: typeof first): unknown => s.keyGroups.flatMap((g) => g.entries.map((e) => e[3]));
  assert.deepEqual(entries(first), [[1]]);
  assert.deepEqual(entries(second), [[1, 2]]);
  assert.deepEqual(l.get(), [1, 2, 3]);
});

test('copy-on-write: an aggregate function that changes its accumulator in place leaves snapshots alone', () => {
  const b = backend();
  const a = b.getOrCreateKeyedState<AggregatingState<number, number>>(
    StateDescriptors.aggregating<number, { n: number }, number>('a', {
      createAccumulator: () => ({ n: 0 }),
      add: (x, acc) => {
        acc.n += x;
        return acc;
      },
      getResult: (acc) => acc.n,
      merge: (x, y) => ({ n: x.n + y.n }),
    }),
  );
  b.setCurrentKey('k');
  a.add(1);
  const snap = b.snapshot();
  a.add(2);
  assert.deepEqual(
    snap.keyGroups.flatMap((g) => g.entries.map((e) => e[3])),
    [{ n: 1 }],
  );
  assert.equal(a.get(), 3);
});
