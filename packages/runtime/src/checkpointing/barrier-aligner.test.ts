import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BarrierAligner } from './barrier-aligner.ts';
import { assignRestore, type OperatorSnapshot } from './operator-snapshot.ts';

test('exactly-once blocks each channel until every channel delivered the barrier', () => {
  const a = new BarrierAligner(3, 'exactly-once');
  assert.deepEqual(a.onBarrier(1, 5, 100, 0), [{ kind: 'block', channel: 1 }]);
  assert.deepEqual(a.onBarrier(0, 5, 100, 2), [{ kind: 'block', channel: 0 }]);
  assert.deepEqual(a.onBarrier(2, 5, 100, 7), [
    { kind: 'checkpoint', id: 5, timestamp: 100, alignmentMs: 7 },
  ]);
  assert.deepEqual(a.onBarrier(0, 5, 100, 9), [], 'a repeated barrier is stale');
});

test('at-least-once never blocks; ended channels do not hold alignment', () => {
  const a = new BarrierAligner(2, 'at-least-once');
  assert.deepEqual(a.onBarrier(0, 1, 0, 0), []);
  assert.deepEqual(a.onEndOfPartition(1), [{ kind: 'checkpoint', id: 1, timestamp: 0, alignmentMs: 0 }]);
  assert.deepEqual(a.onBarrier(0, 2, 0, 0), [{ kind: 'checkpoint', id: 2, timestamp: 0, alignmentMs: 0 }]);
});

test('a newer barrier aborts an unfinished alignment', () => {
  const a = new BarrierAligner(2, 'exactly-once');
  a.onBarrier(0, 1, 0, 0);
  assert.deepEqual(a.onBarrier(0, 2, 0, 1), [
    { kind: 'abort', id: 1 },
    { kind: 'block', channel: 0 },
  ]);
  assert.deepEqual(a.onBarrier(1, 1, 0, 2), [], 'the aborted one is stale now');
  assert.deepEqual(a.onBarrier(1, 2, 0, 3), [{ kind: 'checkpoint', id: 2, timestamp: 0, alignmentMs: 2 }]);
});

test('every checkpoint id is taken at most once, only after all live channels sent its barrier', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.tuple(fc.nat(3), fc.integer({ min: 1, max: 4 })), { maxLength: 40 }),
      (n, events) => {
        const a = new BarrierAligner(n, 'exactly-once');
        const taken = new Set<number>();
        const seen = new Map<number, Set<number>>();
        for (const [c, id] of events) {
          const channel = c % n;
          if (!seen.has(id)) seen.set(id, new Set());
          seen.get(id)!.add(channel);
          for (const act of a.onBarrier(channel, id, 0, 0)) {
            if (act.kind !== 'checkpoint') continue;
            assert.ok(!taken.has(act.id), `checkpoint ${act.id} taken twice`);
            assert.equal(seen.get(act.id)!.size, n, 'all channels delivered it');
            taken.add(act.id);
          }
        }
      },
    ),
  );
});

test('restore assignment: split state round-robin, union to everyone, readers by index', () => {
  const snaps: OperatorSnapshot[] = [0, 1, 2].map((i) => ({
    operatorState: { s: { mode: 'split', items: [`a${i}`, `b${i}`] }, u: { mode: 'union', items: [i] } },
    reader: { pos: i },
    timers: [[0, 'event', 10, `k${i}`, i * 50, 'ns']],
  }));
  const parts = [0, 1].map((i) => assignRestore(snaps, i, 2, { start: i * 64, end: i * 64 + 63 }));
  assert.deepEqual([...parts[0]!.operatorState['s']!, ...parts[1]!.operatorState['s']!].sort(), [
    'a0',
    'a1',
    'a2',
    'b0',
    'b1',
    'b2',
  ]);
  assert.deepEqual(parts[0]!.operatorState['u'], [0, 1, 2]);
  assert.deepEqual(parts[1]!.operatorState['u'], [0, 1, 2]);
  assert.equal(parts[0]!.readerState, undefined, 'another parallelism: no positional reader state');
  assert.deepEqual(parts[1]!.readerStates, [{ pos: 0 }, { pos: 1 }, { pos: 2 }]);
  assert.deepEqual(
    parts[0]!.timers.map((t) => t[3]),
    ['k0', 'k1'],
    'timers follow their key groups',
  );
  assert.deepEqual(
    parts[1]!.timers.map((t) => t[3]),
    ['k2'],
  );
  assert.deepEqual(assignRestore(snaps, 1, 3, undefined).readerState, { pos: 1 });
});
