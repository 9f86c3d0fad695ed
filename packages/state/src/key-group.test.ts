import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assignToKeyGroup, keyGroupRangeForSubtask, subtaskForKeyGroup, subtaskForKey } from './key-group.ts';
import { murmur3 } from './murmur3.ts';

test('murmur3 matches the reference vectors', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.equal(murmur3(enc(''), 0, 0), 0);
  assert.equal(murmur3(enc(''), 0, 1), 0x514e28b7);
  assert.equal(murmur3(enc('hello')), 0x248bfa47);
  assert.equal(murmur3(enc('Hello, world!'), undefined, 1234), 0xfaf6cdb3);
  assert.equal(
    murmur3(enc('The quick brown fox jumps over the lazy dog'), undefined, 0x9747b28c),
    0x2fa826cd,
  );
});

test('key-group ranges partition [0, maxParallelism) in subtask order', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 1, max: 4096 }), (maxP, pRaw) => {
      const p = Math.min(pRaw, maxP);
      let next = 0;
      for (let i = 0; i < p; i++) {
        const r = keyGroupRangeForSubtask(maxP, p, i);
        assert.equal(r.start, next, `subtask ${i} starts where ${i - 1} ended`);
        assert.ok(r.end >= r.start, 'no subtask is empty when p <= maxP');
        next = r.end + 1;
      }
      assert.equal(next, maxP);
    }),
  );
});

test('every key group maps to the subtask whose range holds it', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2048 }),
      fc.integer({ min: 1, max: 2048 }),
      fc.nat(),
      (maxP, pRaw, kgRaw) => {
        const p = Math.min(pRaw, maxP);
        const kg = kgRaw % maxP;
        const i = subtaskForKeyGroup(maxP, p, kg);
        const r = keyGroupRangeForSubtask(maxP, p, i);
        assert.ok(kg >= r.start && kg <= r.end, `kg ${kg} in [${r.start}, ${r.end}] of subtask ${i}`);
      },
    ),
  );
});

test('keys hash deterministically into range, equal keys to equal groups', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true }), fc.array(fc.string())),
      (key) => {
        const kg = assignToKeyGroup(key, 128);
        assert.ok(kg >= 0 && kg < 128);
        assert.equal(assignToKeyGroup(structuredClone(key), 128), kg);
        const s = subtaskForKey(key, 128, 3);
        assert.ok(s >= 0 && s < 3);
      },
    ),
  );
});

test('keys spread over key groups', () => {
  const counts = new Array<number>(128).fill(0);
  for (let i = 0; i < 128_000; i++) counts[assignToKeyGroup(`key-${i}`, 128)]! += 1;
  for (const c of counts) assert.ok(c > 700 && c < 1300, `group count ${c} near 1000`);
});
