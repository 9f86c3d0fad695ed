// Oracle test of examples/interval-join.ts: seeded random left/right files, out of order within the
// bound given as --out-of-orderness (so Flink's semantics drop nothing), joined by `eddy run --local`
// at parallelism 1 and 3; the output lines must equal, as a multiset, the pairs a nested loop finds.
// Set IJ_SEED to replay a seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/process-cluster.ts';

/** A small seeded PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Row {
  ts: number;
  key: string;
  value: string;
}

/**
 * `n` rows whose timestamps advance by 0..4 ms per row and then jitter back by up to `ooo` ms: every
 * row is at most `ooo` ms older than the newest row before it, so none is ever behind a bounded
 * out-of-orderness watermark (max - ooo - 1).
 */
function rows(next: () => number, n: number, ooo: number, side: string): Row[] {
  const out: Row[] = [];
  let base = 1_000;
  for (let i = 0; i < n; i++) {
    base += Math.floor(next() * 5);
    const ts = base - Math.floor(next() * (ooo + 1));
    const key = `k${Math.floor(next() * 25)}`;
    // Some values contain commas: everything after the second comma is the value.
    const value = next() < 0.1 ? `${side}${i},x` : `${side}${i}`;
    out.push({ ts, key, value });
  }
  return out;
}

/** Every pair, by a nested loop over the rows of each key. */
function naiveJoin(left: Row[], right: Row[], lower: number, upper: number): string[] {
  const rightByKey = new Map<string, Row[]>();
  for (const r of right) rightByKey.set(r.key, [...(rightByKey.get(r.key) ?? []), r]);
  const out: string[] = [];
  for (const l of left) {
    for (const r of rightByKey.get(l.key) ?? []) {
      const d = r.ts - l.ts;
      if (d >= lower && d <= upper) out.push(`${l.key},${l.ts},${r.ts},${l.value},${r.value}`);
    }
  }
  return out.sort();
}

const seed = Number(process.env['IJ_SEED'] ?? Date.now() % 1_000_000);
console.log(`interval-join oracle seed: ${seed} (replay with IJ_SEED=${seed})`);
const next = random(seed);
const ooo = 20 + Math.floor(next() * 30);
const lower = -Math.floor(next() * 15);
const upper = Math.floor(next() * 15);
const left = rows(next, 20_000, ooo, 'L');
const right = rows(next, 20_000, ooo, 'R');
const dir = mkdtempSync(join(tmpdir(), 'eddy-interval-join-'));
const leftFile = join(dir, 'left.csv');
const rightFile = join(dir, 'right.csv');
writeFileSync(leftFile, left.map((r) => `${r.ts},${r.key},${r.value}\n`).join(''));
writeFileSync(rightFile, right.map((r) => `${r.ts},${r.key},${r.value}\n`).join(''));
const expected = naiveJoin(left, right, lower, upper);

// At -p 3 watermarks follow every batch, so buffers are cleaned up and lateness is checked mid-stream.
for (const [p, watermarkInterval] of [
  [1, 200],
  [3, 0],
] as const) {
  test(`interval join at -p ${p} equals a nested loop (seed ${seed})`, async () => {
    const output = join(dir, `out-p${p}.csv`);
    const r = await runCli(
      [
        'run',
        '--local',
        '-p',
        String(p),
        'examples/interval-join.ts',
        '--',
        '--left',
        leftFile,
        '--right',
        rightFile,
        '--lower',
        String(lower),
        '--upper',
        String(upper),
        '--out-of-orderness',
        String(ooo),
        '--output',
        output,
        '--watermark-interval',
        String(watermarkInterval),
      ],
      { timeoutMs: 60_000 },
    );
    assert.equal(r.code, 0, `eddy run failed (seed ${seed}):\n${r.stdout}\n${r.stderr}`);
    const actual = readFileSync(output, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .sort();
    assert.ok(expected.length > 100, `the inputs should produce pairs (got ${expected.length})`);
    assert.equal(
      actual.length,
      expected.length,
      `pair count (seed ${seed}, bounds [${lower}, ${upper}], ooo ${ooo})`,
    );
    assert.deepEqual(actual, expected);
  });
}
