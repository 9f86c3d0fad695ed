// Oracle test of examples/windowed-sum.ts: seeded random out-of-order inputs, run with `eddy run
// --local` at parallelism 1 and 3, compared (as multisets of lines) with a naive reference of
// Flink's window semantics computed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/process-cluster.ts';
import { prng } from './support/text.ts';
import { windowedSumReference, type WindowedSumOptions } from './support/windowed-sum-reference.ts';

const SEED = Number(process.env['EDDY_TEST_SEED'] ?? Date.now() % 100_000);

/** `n` records, mostly ascending with jitter up to `disorder` ms backwards, over `keys` keys. */
function generate(seed: number, n: number, keys: number, disorder: number): string[] {
  const rnd = prng(seed);
  const lines: string[] = [];
  let t = 1_000 + Math.floor(rnd() * 1000);
  for (let i = 0; i < n; i++) {
    t += Math.floor(rnd() * 40);
    const ts = t - Math.floor(rnd() * rnd() * disorder);
    const value = Math.floor(rnd() * 2000) - 500;
    lines.push(`${ts},key-${Math.floor(rnd() * keys)},${value}`);
  }
  return lines;
}

function sorted(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .sort();
}

const CASES: { name: string; args: string[]; options: WindowedSumOptions }[] = [
  {
    name: 'tumbling',
    args: ['--window-size', '500', '--out-of-orderness', '100', '--allowed-lateness', '200'],
    options: { size: 500, outOfOrderness: 100, allowedLateness: 200 },
  },
  {
    name: 'sliding',
    args: ['--window-size', '400', '--slide', '200', '--out-of-orderness', '20', '--allowed-lateness', '50'],
    options: { size: 400, slide: 200, outOfOrderness: 20, allowedLateness: 50 },
  },
  {
    name: 'session',
    args: [
      '--window-size',
      '1',
      '--session-gap',
      '120',
      '--out-of-orderness',
      '80',
      '--allowed-lateness',
      '100',
    ],
    options: { sessionGap: 120, outOfOrderness: 80, allowedLateness: 100 },
  },
];

for (const c of CASES) {
  for (const p of [1, 3]) {
    test(`windowed-sum ${c.name} at -p ${p} equals the reference (seed ${SEED})`, async () => {
      const dir = mkdtempSync(join(tmpdir(), `eddy-wsum-${c.name}-`));
      const lines = generate(SEED + p, 3000, 7, 600);
      const input = join(dir, 'input.csv');
      writeFileSync(input, lines.join('\n') + '\n');
      const output = join(dir, 'out.csv');
      const lateOut = join(dir, 'late.csv');
      const r = await runCli([
        'run',
        '--local',
        '-p',
        String(p),
        'examples/windowed-sum.ts',
        '--',
        '--input',
        input,
        ...c.args,
        '--output',
        output,
        '--late-output',
        lateOut,
      ]);
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      const expected = windowedSumReference(lines, c.options);
      assert.ok(expected.late.length > 0 && expected.output.length > 0, 'the input exercises lateness');
      assert.deepEqual(
        sorted(readFileSync(output, 'utf8')),
        [...expected.output].sort(),
        `firings differ (seed ${SEED + p}, input ${input})`,
      );
      assert.deepEqual(
        sorted(readFileSync(lateOut, 'utf8')),
        [...expected.late].sort(),
        `late lines differ (seed ${SEED + p})`,
      );
    });
  }
}
