// The watermark emitter through the timestamps/watermarks operator: periodic and punctuated
// generators, per-record emission at interval 0, idleness on processing time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WatermarkStrategy, type WatermarkOutput } from '@eddy/api';
import { TimestampsAndWatermarksOperator } from './operators/timestamps-and-watermarks-operator.ts';
import { OperatorTestHarness } from './testing/operator-test-harness.ts';

async function harness(strategy: WatermarkStrategy<number>, interval: number): Promise<OperatorTestHarness> {
  const h = new OperatorTestHarness(
    new TimestampsAndWatermarksOperator(strategy as WatermarkStrategy<unknown>, interval),
  );
  await h.open();
  return h;
}

test('bounded out-of-orderness emits max - bound - 1 on the periodic timer, never regressing', async () => {
  const h = await harness(
    WatermarkStrategy.forBoundedOutOfOrderness<number>(5).withTimestampAssigner((v) => v),
    200,
  );
  await h.processBatch([10, 30, 20]);
  assert.deepEqual(h.extractWatermarks(), []);
  await h.setProcessingTime(200);
  assert.deepEqual(h.extractWatermarks(), [24]);
  await h.processBatch([15]);
  await h.setProcessingTime(400);
  assert.deepEqual(h.extractWatermarks(), [24], 'an older timestamp does not move it back');
  assert.deepEqual(
    h.extractOutputRecords().map((r) => r.timestamp),
    [10, 30, 20, 15],
  );
});

test('interval 0 emits after every record, cutting the batch there', async () => {
  const h = await harness(
    WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((v) => v),
    0,
  );
  await h.processBatch([1, 2, 3]);
  assert.deepEqual(
    h
      .getOutput()
      .map((e) =>
        e.kind === 'record' ? `r${String(e.value)}` : e.kind === 'watermark' ? `w${e.watermark}` : e.kind,
      ),
    ['r1', 'w0', 'r2', 'w1', 'r3', 'w2'],
  );
});

test('a punctuated generator emits exactly where it decides', async () => {
  const everyTen = WatermarkStrategy.forGenerator<number>(() => ({
    onEvent(v: number, ts: number, out: WatermarkOutput) {
      if (v % 10 === 0) out.emitWatermark(ts);
    },
    onPeriodicEmit() {},
  })).withTimestampAssigner((v) => v * 100);
  const h = await harness(everyTen, 200);
  await h.processBatch([5, 10, 11, 20]);
  assert.deepEqual(
    h
      .getOutput()
      .map((e) =>
        e.kind === 'record' ? `r${String(e.value)}` : e.kind === 'watermark' ? `w${e.watermark}` : e.kind,
      ),
    ['r5', 'r10', 'w1000', 'r11', 'r20', 'w2000'],
  );
});

test('idleness: no events for the timeout marks the stream idle; the next event makes it active', async () => {
  const h = await harness(
    WatermarkStrategy.forBoundedOutOfOrderness<number>(0)
      .withTimestampAssigner((v) => v)
      .withIdleness(100),
    50,
  );
  await h.processBatch([7]);
  await h.setProcessingTime(50);
  await h.setProcessingTime(160);
  const statuses = () => h.getOutput().flatMap((e) => (e.kind === 'watermark-status' ? [e.idle] : []));
  assert.deepEqual(statuses(), [true]);
  await h.processBatch([8]);
  assert.deepEqual(statuses(), [true, false]);
});
