// The interval join in the harness: inclusive and exclusive bounds, negative bounds, output
// timestamps, late records (dropped or side output), cleanup timers emptying the buffers, and a
// property test against a naive nested loop on inputs that respect the watermark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_WATERMARK, OutputTag, type ProcessJoinFunction } from '@eddy/api';
import { OperatorTestHarness } from '../testing/operator-test-harness.ts';
import { IntervalJoinOperator } from './interval-join-operator.ts';

interface Ev {
  k: string;
  id: string;
}

const PAIR: ProcessJoinFunction<Ev, Ev, string> = {
  processElement(l, r, ctx, out) {
    out.collect(`${l.id}:${r.id}@${ctx.leftTimestamp()},${ctx.rightTimestamp()}`);
  },
};

async function harness(
  lowerBound: number,
  upperBound: number,
  extra: { leftLateDataTag?: OutputTag<Ev>; rightLateDataTag?: OutputTag<Ev> } = {},
): Promise<OperatorTestHarness> {
  return OperatorTestHarness.forIntervalJoin(
    PAIR,
    (e: Ev) => e.k,
    (e: Ev) => e.k,
    { lowerBound, upperBound, ...extra },
  );
}

test('joins pairs within inclusive bounds, per key, with the larger timestamp', async () => {
  const h = await harness(-2, 3);
  await h.processElement({ k: 'a', id: 'L10' }, 10);
  await h.processElement({ k: 'b', id: 'Lb10' }, 10);
  for (const t of [7, 8, 9, 10, 13, 14]) await h.processElement2({ k: 'a', id: `R${t}` }, t);
  await h.processElement2({ k: 'b', id: 'Rb11' }, 11);
  // Right records arriving first are joined by a later left record too.
  await h.processElement({ k: 'a', id: 'L11' }, 11);
  assert.deepEqual(h.extractOutputRecords(), [
    { value: 'L10:R8@10,8', timestamp: 10 },
    { value: 'L10:R9@10,9', timestamp: 10 },
    { value: 'L10:R10@10,10', timestamp: 10 },
    { value: 'L10:R13@10,13', timestamp: 13 },
    { value: 'Lb10:Rb11@10,11', timestamp: 11 },
    { value: 'L11:R9@11,9', timestamp: 11 },
    { value: 'L11:R10@11,10', timestamp: 11 },
    { value: 'L11:R13@11,13', timestamp: 13 },
    { value: 'L11:R14@11,14', timestamp: 14 },
  ]);
});

test('exclusive bounds as the API applies them (lower + 1, upper - 1)', async () => {
  const h = await harness(-2 + 1, 3 - 1);
  await h.processElement({ k: 'a', id: 'L' }, 10);
  for (const t of [8, 9, 12, 13]) await h.processElement2({ k: 'a', id: `R${t}` }, t);
  assert.deepEqual(h.extractOutputValues(), ['L:R9@10,9', 'L:R12@10,12']);
});

test('late records are dropped, or sent to the late-data side outputs', async () => {
  const leftLate = new OutputTag<Ev>('left-late');
  const rightLate = new OutputTag<Ev>('right-late');
  const h = await harness(0, 5, { leftLateDataTag: leftLate, rightLateDataTag: rightLate });
  await h.processElement({ k: 'a', id: 'L20' }, 20);
  await h.processWatermark(20);
  // ts == watermark is not late (Flink: late means ts < watermark).
  await h.processElement2({ k: 'a', id: 'R20' }, 20);
  await h.processElement2({ k: 'a', id: 'R19' }, 19);
  await h.processElement({ k: 'a', id: 'L15' }, 15);
  assert.deepEqual(h.extractOutputValues(), ['L20:R20@20,20']);
  assert.deepEqual(h.getSideOutput(leftLate), [{ value: { k: 'a', id: 'L15' }, timestamp: 15 }]);
  assert.deepEqual(h.getSideOutput(rightLate), [{ value: { k: 'a', id: 'R19' }, timestamp: 19 }]);

  const silent = await harness(0, 5);
  await silent.processWatermark(20);
  await silent.processElement({ k: 'a', id: 'L15' }, 15);
  assert.equal(silent.keyedBackend?.numEntries(), 0);
});

test('cleanup timers drop buffered rows once the watermark passes ts + upper (left) or ts - lower (right)', async () => {
  const h = await harness(-3, 5);
  const op = h.operator as IntervalJoinOperator;
  await h.processElement({ k: 'a', id: 'L10' }, 10);
  await h.processElement2({ k: 'a', id: 'R10' }, 10);
  await h.processElement2({ k: 'b', id: 'Rb20' }, 20);
  assert.equal(h.keyedBackend?.numEntries(), 3);
  assert.equal(op.numCleanupTimers(), 3);
  // The right row at 10 may still meet left rows up to 10 + 3 = 13; the left row at 10, right rows up to 15.
  await h.processWatermark(12);
  assert.equal(h.keyedBackend?.numEntries(), 3);
  await h.processWatermark(13);
  assert.equal(h.keyedBackend?.numEntries(), 2);
  await h.processWatermark(15);
  assert.equal(h.keyedBackend?.numEntries(), 1);
  await h.processWatermark(MAX_WATERMARK);
  assert.equal(h.keyedBackend?.numEntries(), 0);
  assert.equal(op.numCleanupTimers(), 0);
  assert.deepEqual(h.extractOutputValues(), ['L10:R10@10,10']);
});

test('positive bounds: a right row is cleaned up at its own timestamp', async () => {
  const h = await harness(2, 4);
  await h.processElement2({ k: 'a', id: 'R10' }, 10);
  await h.processWatermark(9);
  assert.equal(h.keyedBackend?.numEntries(), 1);
  await h.processWatermark(10);
  assert.equal(h.keyedBackend?.numEntries(), 0);
});

test('records without timestamps are a clear user error', async () => {
  const h = await harness(0, 1);
  await assert.rejects(h.processElement({ k: 'a', id: 'x' }), /needs event-time timestamps/);
});

test('bounds that admit no pair are rejected', () => {
  assert.throws(
    () =>
      new IntervalJoinOperator({
        function: PAIR,
        lowerBound: 3,
        upperBound: 2,
        leftLateDataTag: undefined,
        rightLateDataTag: undefined,
      }),
    /bounds/,
  );
});

test('property: equals a nested loop when every record is ahead of the watermark', async () => {
  const record = fc.record({
    left: fc.boolean(),
    k: fc.constantFrom('a', 'b', 'c'),
    ts: fc.integer({ min: 0, max: 60 }),
  });
  await fc.assert(
    fc.asyncProperty(
      fc.array(record, { maxLength: 40 }),
      fc.integer({ min: -10, max: 10 }),
      fc.integer({ min: 0, max: 10 }),
      fc.integer({ min: 0, max: 15 }),
      async (records, lower, width, ooo) => {
        const upper = lower + width;
        const h = await harness(lower, upper);
        // Watermarks as a bounded out-of-orderness generator emits them. Records at or behind the
        // watermark are not fed: with them Flink's result depends on arrival order (late ones are
        // dropped; one exactly at the watermark may miss a partner already cleaned up).
        let max = Number.MIN_SAFE_INTEGER;
        let wm = Number.MIN_SAFE_INTEGER;
        const kept: { left: boolean; k: string; ts: number; id: string }[] = [];
        for (const [i, r] of records.entries()) {
          const ev = { k: r.k, id: `${r.left ? 'L' : 'R'}${i}` };
          if (r.ts <= wm) continue;
          kept.push({ ...r, id: ev.id });
          if (r.left) await h.processElement(ev, r.ts);
          else await h.processElement2(ev, r.ts);
          max = Math.max(max, r.ts);
          if (max - ooo - 1 > wm) {
            wm = max - ooo - 1;
            await h.processWatermark(wm);
          }
        }
        await h.processWatermark(MAX_WATERMARK);
        const expected: string[] = [];
        for (const l of kept) {
          if (!l.left) continue;
          for (const r of kept) {
            if (!r.left && r.k === l.k && r.ts - l.ts >= lower && r.ts - l.ts <= upper) {
              expected.push(`${l.id}:${r.id}@${l.ts},${r.ts}`);
            }
          }
        }
        assert.deepEqual((h.extractOutputValues() as string[]).sort(), expected.sort());
        assert.equal(h.keyedBackend?.numEntries(), 0);
      },
    ),
    { numRuns: 200 },
  );
});
