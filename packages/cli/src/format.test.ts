import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatDuration, formatTable, formatTimestamp, sanitizeCell } from './format.ts';
import { formatCheckpoints } from './commands/savepoints.ts';
import { formatJobDetails, formatJobList, summarizeTasks } from './commands/jobs.ts';
import type { JobDetails, JobSummary } from './rest-client.ts';
import type { JobId } from '@eddy/common';

test('formatTable aligns columns and trims trailing space', () => {
  const out = formatTable(
    ['A', 'LONG HEADER', 'C'],
    [
      ['xxxx', 'y', 'z'],
      ['1', '2', ''],
    ],
  );
  assert.equal(out, 'A     LONG HEADER  C\nxxxx  y            z\n1     2\n');
});

test('formatTable counts code points, not UTF-16 units', () => {
  const out = formatTable(['N', 'X'], [['🙂', 'a']]);
  assert.equal(out.split('\n')[1], '🙂  a');
});

test('formatDuration picks a readable unit', () => {
  assert.equal(formatDuration(undefined), '-');
  assert.equal(formatDuration(null), '-');
  assert.equal(formatDuration(-5), '-');
  assert.equal(formatDuration(0), '0ms');
  assert.equal(formatDuration(850), '850ms');
  assert.equal(formatDuration(12_345), '12.3s');
  assert.equal(formatDuration(59_999), '59.9s');
  assert.equal(formatDuration(245_000), '4m 05s');
  assert.equal(formatDuration(2 * 3600_000 + 3 * 60_000), '2h 03m');
  assert.equal(formatDuration(26 * 3600_000), '1d 02h');
});

test('formatTimestamp renders epoch ms and ISO strings, dash when absent', () => {
  const t = new Date(2024, 0, 2, 3, 4, 5).getTime();
  assert.equal(formatTimestamp(t), '2024-01-02 03:04:05');
  assert.equal(formatTimestamp(new Date(t).toISOString()), '2024-01-02 03:04:05');
  assert.equal(formatTimestamp(null), '-');
  assert.equal(formatTimestamp(undefined), '-');
  assert.equal(formatTimestamp('garbage'), '-');
});

test('sanitizeCell keeps a row on one line', () => {
  assert.equal(sanitizeCell('a\nb\tc'), 'a b c');
});

const id = (c: string): JobId => c.repeat(32) as JobId;

test('the job list is newest first with the documented columns', () => {
  const jobs: JobSummary[] = [
    {
      jobId: id('a'),
      name: 'old',
      state: 'FINISHED',
      startTime: 1000,
      endTime: 2000,
      durationMs: 1000,
      restarts: 0,
    },
    {
      jobId: id('b'),
      name: 'new',
      state: 'RUNNING',
      startTime: 5000,
      endTime: null,
      durationMs: 61_000,
      restarts: 2,
    },
  ];
  const lines = formatJobList(jobs).trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^JOB ID\s+NAME\s+STATE\s+START\s+DURATION$/);
  assert.match(
    lines[1] ?? '',
    new RegExp(`^${id('b')}\\s+new\\s+RUNNING \\(2 restarts\\)\\s+\\S+ \\S+\\s+1m 01s$`),
  );
  assert.match(lines[2] ?? '', new RegExp(`^${id('a')}\\s+old\\s+FINISHED\\s+\\S+ \\S+\\s+1.0s$`));
});

test('job details show the failure and a task summary per vertex', () => {
  const job: JobDetails = {
    jobId: id('c'),
    name: 'wc',
    state: 'FAILED',
    attempt: 3,
    restarts: 3,
    startTime: 1000,
    endTime: 4000,
    failure: { code: 'USER_FUNCTION_FAILED', message: 'map threw: boom' },
    vertices: [
      {
        id: 'v1',
        name: 'Source -> Map',
        parallelism: 2,
        tasks: [{ state: 'FAILED' }, { state: 'CANCELED' }],
      },
    ],
  };
  const text = formatJobDetails(job, 10_000);
  assert.match(text, /State:\s+FAILED/);
  assert.match(text, /Duration:\s+3.0s/);
  assert.match(text, /Failure:\s+USER_FUNCTION_FAILED: map threw: boom/);
  assert.match(text, /v1\s+Source -> Map\s+2\s+FAILED 1, CANCELED 1/);
  assert.equal(summarizeTasks([]), '-');
});

test('formatBytes picks a binary unit', () => {
  assert.equal(formatBytes(undefined), '-');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.50 KiB');
  assert.equal(formatBytes(12 * 1024 * 1024), '12.0 MiB');
});

test('formatCheckpoints shows counts, the latest, and the history newest first', () => {
  const text = formatCheckpoints({
    counts: { completed: 1, failed: 1, inProgress: 0 },
    latest: { id: 2, path: 'file:///sp', durationMs: 1200, stateSize: 2048 },
    history: [
      {
        id: 1,
        kind: 'checkpoint',
        status: 'failed',
        triggerTime: 0,
        alignmentMs: 0,
        failure: 'declined: boom',
      },
      {
        id: 2,
        kind: 'savepoint',
        status: 'completed',
        triggerTime: 0,
        alignmentMs: 3,
        durationMs: 1200,
        stateSize: 2048,
        path: 'file:///sp',
      },
    ],
  });
  const lines = text.split('\n');
  assert.equal(lines[0], 'Completed: 1  Failed: 1  In progress: 0');
  assert.equal(lines[1], 'Latest:    2 at file:///sp (1.2s, 2.00 KiB)');
  assert.match(
    lines[3] ?? '',
    /^ID\s+KIND\s+STATUS\s+TRIGGERED\s+DURATION\s+SIZE\s+ALIGNMENT\s+PATH \/ FAILURE$/,
  );
  assert.match(lines[4] ?? '', /^2\s+savepoint\s+COMPLETED\s+-\s+1\.2s\s+2\.00 KiB\s+3ms\s+file:\/\/\/sp$/);
  assert.match(lines[5] ?? '', /^1\s+checkpoint\s+FAILED\s+.*declined: boom$/);
});
