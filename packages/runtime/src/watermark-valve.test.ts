import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MIN_WATERMARK } from '@eddy/api';
import { StatusWatermarkValve } from './watermark-valve.ts';

type Input =
  { kind: 'wm'; channel: number; watermark: number } | { kind: 'status'; channel: number; idle: boolean };

const inputs = (channels: number): fc.Arbitrary<Input[]> =>
  fc.array(
    fc.oneof(
      fc.record({
        kind: fc.constant('wm' as const),
        channel: fc.nat(channels - 1),
        watermark: fc.integer({ min: -50, max: 500 }),
      }),
      fc.record({ kind: fc.constant('status' as const), channel: fc.nat(channels - 1), idle: fc.boolean() }),
    ),
    { maxLength: 80 },
  );

test('the combined watermark never regresses and is the minimum over active channels', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5 }).chain((n) => inputs(n).map((i) => [n, i] as const)),
      ([n, events]) => {
        const valve = new StatusWatermarkValve(n);
        // A model: per-channel max watermark and idleness.
        const wm = new Array<number>(n).fill(MIN_WATERMARK);
        const idle = new Array<boolean>(n).fill(false);
        let last = MIN_WATERMARK;
        for (const e of events) {
          const out =
            e.kind === 'wm'
              ? valve.inputWatermark(e.channel, e.watermark)
              : valve.inputStatus(e.channel, e.idle);
          if (e.kind === 'wm') {
            wm[e.channel] = Math.max(wm[e.channel]!, e.watermark);
            idle[e.channel] = false;
          } else {
            idle[e.channel] = e.idle;
          }
          const before = last;
          if (out.watermark !== undefined) {
            assert.ok(out.watermark > last, 'never regresses');
            last = out.watermark;
          }
          const active = wm.filter((_w, i) => !idle[i]);
          if (active.length > 0) {
            assert.equal(
              valve.currentWatermark,
              Math.max(before, Math.min(...active)),
              'min over active channels',
            );
            assert.equal(valve.idle, false);
          } else {
            assert.equal(
              valve.currentWatermark,
              Math.max(before, Math.max(...wm)),
              'all idle releases the max',
            );
            assert.equal(valve.idle, true, 'all channels idle means the input is idle');
          }
          assert.equal(valve.currentWatermark, last);
        }
      },
    ),
    { numRuns: 500 },
  );
});

test('an idle channel does not hold the watermark back, and resuming reports activity', () => {
  const v = new StatusWatermarkValve(2);
  assert.deepEqual(v.inputWatermark(0, 10), {});
  assert.deepEqual(v.inputStatus(1, true), { watermark: 10 });
  assert.deepEqual(v.inputWatermark(0, 20), { watermark: 20 });
  assert.deepEqual(v.inputStatus(0, true), { idle: true });
  assert.deepEqual(v.inputWatermark(1, 5), { idle: false });
  assert.equal(v.currentWatermark, 20, 'a late channel does not move it back');
  assert.deepEqual(v.inputWatermark(1, 30), { watermark: 30 });
});
