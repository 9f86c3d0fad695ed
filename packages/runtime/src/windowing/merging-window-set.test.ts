import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventTimeSessionWindows, TimeWindow } from '@eddy/api';
import { MergingWindowSet } from './merging-window-set.ts';

interface Run {
  windows: TimeWindow[];
  /** state window id -> timestamps stored under that namespace */
  state: Map<string, number[]>;
  set: MergingWindowSet<TimeWindow>;
  merges: number;
}

/** Adds session windows for `timestamps` in order, keeping contents in namespaces as the operator does. */
function run(gap: number, timestamps: readonly number[]): Run {
  const assigner = EventTimeSessionWindows.withGap(gap);
  const set = new MergingWindowSet<TimeWindow>(assigner);
  const state = new Map<string, number[]>();
  let merges = 0;
  for (const t of timestamps) {
    const [w] = assigner.assignWindows(null, t);
    assert.ok(w !== undefined);
    const actual = set.addWindow(w, (result, merged, stateResult, mergedStateWindows) => {
      merges++;
      assert.ok(merged.length >= 1);
      for (const m of merged)
        assert.ok(result.start <= m.start && m.end <= result.end, 'result covers merged');
      // mergeNamespaces: fold the merged state windows into the surviving one.
      const target = state.get(stateResult.id) ?? [];
      for (const sw of mergedStateWindows) {
        assert.notEqual(sw.id, stateResult.id);
        target.push(...(state.get(sw.id) ?? []));
        state.delete(sw.id);
      }
      state.set(stateResult.id, target);
    });
    assert.ok(actual.start <= t && t < actual.end, 'the element lies in its actual window');
    const sw = set.getStateWindow(actual);
    assert.ok(sw !== undefined, 'the actual window is in flight');
    const contents = state.get(sw.id) ?? [];
    contents.push(t);
    state.set(sw.id, contents);
  }
  return { windows: set.entries().map(([w]) => w), state, set, merges };
}

/** Sessions computed directly: sort, split where the next element starts after the current end. */
function sessions(gap: number, timestamps: readonly number[]): string[] {
  const sorted = [...timestamps].sort((a, b) => a - b);
  const out: string[] = [];
  let start: number | undefined;
  let end = 0;
  for (const t of sorted) {
    if (start !== undefined && t <= end) end = Math.max(end, t + gap);
    else {
      if (start !== undefined) out.push(`${start}:${end}`);
      start = t;
      end = t + gap;
    }
  }
  if (start !== undefined) out.push(`${start}:${end}`);
  return out;
}

const input = fc.record({
  gap: fc.integer({ min: 1, max: 20 }),
  timestamps: fc.array(fc.integer({ min: -100, max: 300 }), { maxLength: 60 }),
});

test('merged session windows never overlap or touch, and cover every element', () => {
  fc.assert(
    fc.property(input, ({ gap, timestamps }) => {
      const { windows } = run(gap, timestamps);
      const sorted = [...windows].sort((a, b) => a.start - b.start);
      for (let i = 1; i < sorted.length; i++) {
        assert.ok(
          sorted[i - 1]!.end < sorted[i]!.start,
          `${sorted[i - 1]} and ${sorted[i]} should have merged`,
        );
      }
      for (const t of timestamps)
        assert.ok(
          windows.some((w) => w.start <= t && t < w.end),
          `${t} is covered`,
        );
    }),
    { numRuns: 1000 },
  );
});

test('the final windows do not depend on the order elements arrive in', () => {
  fc.assert(
    fc.property(
      input.chain((i) =>
        fc.tuple(fc.constant(i), fc.shuffledSubarray(i.timestamps, { minLength: i.timestamps.length })),
      ),
      ([{ gap, timestamps }, shuffled]) => {
        const ids = (r: Run): string[] => r.windows.map((w) => w.id).sort();
        const expected = sessions(gap, timestamps).sort();
        assert.deepEqual(ids(run(gap, timestamps)), expected);
        assert.deepEqual(ids(run(gap, shuffled)), expected);
      },
    ),
    { numRuns: 1000 },
  );
});

test('state namespaces are merged: each window state holds exactly its elements', () => {
  fc.assert(
    fc.property(input, ({ gap, timestamps }) => {
      const { windows, state, set } = run(gap, timestamps);
      const used = new Set<string>();
      for (const w of windows) {
        const sw = set.getStateWindow(w);
        assert.ok(sw !== undefined);
        assert.ok(!used.has(sw.id), 'state windows are not shared');
        used.add(sw.id);
        const expected = timestamps.filter((t) => w.start <= t && t < w.end).sort((a, b) => a - b);
        assert.deepEqual(
          [...(state.get(sw.id) ?? [])].sort((a, b) => a - b),
          expected,
        );
      }
      // No orphaned namespaces: every state namespace belongs to an in-flight window.
      for (const [id, contents] of state) if (contents.length > 0) assert.ok(used.has(id), `orphan ${id}`);
    }),
    { numRuns: 1000 },
  );
});

test('a window bridging two sessions merges all three, keeping one state window', () => {
  // [0, 10) and [20, 30) are apart; [10, 20) touches both, and touching sessions merge.
  const r = run(10, [0, 20, 10]);
  assert.deepEqual(
    r.windows.map((w) => w.id),
    ['0:30'],
  );
  assert.equal(r.merges, 1);
  const sw = r.set.getStateWindow(new TimeWindow(0, 30));
  assert.ok(sw !== undefined && (sw.id === '0:10' || sw.id === '20:30'));
  assert.deepEqual(
    [...(r.state.get(sw.id) ?? [])].sort((a, b) => a - b),
    [0, 10, 20],
  );
});

test('the same window again merges nothing', () => {
  const again = run(10, [0, 0]);
  assert.deepEqual(
    again.windows.map((w) => w.id),
    ['0:10'],
  );
  assert.equal(again.merges, 0, 'the same window again merges nothing');
});

test('persisted entries restore the set; retireWindow removes a window', () => {
  const { set } = run(10, [0, 50]);
  const restored = new MergingWindowSet<TimeWindow>(EventTimeSessionWindows.withGap(10), set.entries());
  assert.equal(restored.size, 2);
  assert.equal(restored.isDirty(), false);
  restored.retireWindow(new TimeWindow(0, 10));
  assert.equal(restored.size, 1);
  assert.equal(restored.isDirty(), true);
  assert.throws(() => restored.retireWindow(new TimeWindow(0, 10)), /not in the in-flight window set/);
});
