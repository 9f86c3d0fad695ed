import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EddyError, ManualClock, type JobId } from '@eddy/common';
import { SavepointRequestTracker } from './savepoint-requests.ts';

const JOB = 'a'.repeat(32) as JobId;
const OTHER = 'b'.repeat(32) as JobId;
const clock = new ManualClock(1000);
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

function deferred(): {
  promise: Promise<string>;
  resolve: (s: string) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (s: string) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

test('a request is IN_PROGRESS until its promise settles, then COMPLETED with the location', async () => {
  const t = new SavepointRequestTracker(clock);
  const d = deferred();
  const id = t.track(JOB, 'savepoint', '/sp/1', d.promise);
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.equal(t.get(JOB, id).status, 'IN_PROGRESS');
  assert.equal(t.inProgressInto('/sp/1'), true);
  d.resolve('/sp/1');
  await settle();
  assert.deepEqual(
    { ...t.get(JOB, id) },
    {
      requestId: id,
      jobId: JOB,
      kind: 'savepoint',
      status: 'COMPLETED',
      targetDirectory: '/sp/1',
      triggerTime: 1000,
      location: '/sp/1',
      completionTime: 1000,
    },
  );
  assert.equal(t.inProgressInto('/sp/1'), false);
});

test('a failed request carries the code and message; requests of another job are not found', async () => {
  const t = new SavepointRequestTracker(clock);
  const d = deferred();
  const id = t.track(JOB, 'stop', '/sp/2', d.promise);
  d.reject(new EddyError('SAVEPOINT_FAILED', 'savepoint to /sp/2 failed: the job stopped'));
  await settle();
  const r = t.get(JOB, id);
  assert.equal(r.status, 'FAILED');
  assert.deepEqual(r.failure, {
    code: 'SAVEPOINT_FAILED',
    message: 'savepoint to /sp/2 failed: the job stopped',
  });
  assert.throws(() => t.get(OTHER, id), { code: 'SAVEPOINT_REQUEST_NOT_FOUND' });
  assert.throws(() => t.get(JOB, 'nope'), /job a{32} has no savepoint request nope/);
});

test('only finished requests are forgotten, oldest first, beyond the bound', async () => {
  const t = new SavepointRequestTracker(clock, 2);
  const running = t.track(JOB, 'savepoint', '/running', deferred().promise);
  const ids = [1, 2, 3].map((i) => t.track(JOB, 'savepoint', `/sp/${i}`, Promise.resolve(`/sp/${i}`)));
  await settle();
  assert.throws(() => t.get(JOB, ids[0]!), { code: 'SAVEPOINT_REQUEST_NOT_FOUND' });
  assert.equal(t.get(JOB, ids[1]!).status, 'COMPLETED');
  assert.equal(t.get(JOB, ids[2]!).status, 'COMPLETED');
  assert.equal(t.get(JOB, running).status, 'IN_PROGRESS');
});
