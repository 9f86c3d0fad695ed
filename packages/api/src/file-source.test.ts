import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { TextFileSource } from './file-source.ts';
import type { SourceReaderContext } from './source.ts';

function ctx(parallelism: number, subtaskIndex: number): SourceReaderContext {
  return {
    jobId: 'j',
    jobName: 'j',
    taskName: 't',
    operatorUid: 'u',
    subtaskIndex,
    parallelism,
    maxParallelism: 128,
    attempt: 0,
    signal: new AbortController().signal,
  };
}

function readAll(path: string, parallelism: number, max: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < parallelism; i++) {
    const reader = new TextFileSource(path).createReader(ctx(parallelism, i));
    const lines: string[] = [];
    for (let b = reader.pollNext(max); b !== null; b = reader.pollNext(max)) lines.push(...b);
    void reader.close?.();
    out.push(lines);
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'eddy-file-source-'));

test('every line is read exactly once, in order, at any parallelism', () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: fc.constantFrom('a', 'é', ' ', '\n', '\r\n', 'x') }), { maxLength: 40 }),
      fc.integer({ min: 1, max: 7 }),
      fc.integer({ min: 1, max: 5 }),
      (parts, parallelism, max) => {
        const text = parts.join('');
        const path = join(dir, 'in.txt');
        writeFileSync(path, text);
        const expected = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
        if (text.endsWith('\n') || text === '') expected.pop();
        assert.deepEqual(readAll(path, parallelism, max).flat(), expected);
      },
    ),
    { numRuns: 300 },
  );
});

test('lines longer than the read chunk are kept whole', () => {
  const path = join(dir, 'long.txt');
  const long = 'x'.repeat(3 * 1024 * 1024);
  writeFileSync(path, `a\n${long}\nb\n`);
  assert.deepEqual(readAll(path, 3, 10).flat(), ['a', long, 'b']);
});

test('a missing file is a user error naming the path', () => {
  assert.throws(
    () => new TextFileSource('/nonexistent/in.txt').createReader(ctx(1, 0)),
    /cannot read input file \/nonexistent\/in.txt/,
  );
});
