// The CheckpointCoordinator's decisions: examples first, then fast-check properties over random
// interleavings of triggers, acks, declines, timeouts, metadata writes and task failures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { newJobId, type JobId } from '@eddy/common';
import type { OperatorSubtaskStateHandles } from '../metadata/checkpoint-metadata.ts';
import {
  CheckpointCoordinator,
  type CheckpointCoordinatorConfig,
  type CoordinatorAction,
} from './checkpoint-coordinator.ts';

const TASKS = ['a', 'b', 'c'];
const plan = { tasksToTrigger: ['a'], tasksToAck: TASKS };
const H = '0'.repeat(64);
const state = (
  task: string,
  paths: { path: string; shared?: boolean }[] = [{ path: `${task}/state` }],
): OperatorSubtaskStateHandles[] => [
  {
    operatorUid: `op-${task}`,
    subtask: 0,
    objects: paths.map((p) => ({ path: p.path, size: 1, sha256: H, ...(p.shared ? { shared: true } : {}) })),
  },
];
const types = (actions: CoordinatorAction[]): string[] => actions.map((a) => a.type);

function coordinator(
  config: Partial<CheckpointCoordinatorConfig> = {},
  jobId: JobId = newJobId(),
): CheckpointCoordinator {
  return new CheckpointCoordinator({ jobId, checkpointInterval: 100, checkpointTimeout: 1000, ...config });
}

/** Acks `id` from every task at `time`; returns the last ack's actions. */
function ackAll(
  c: CheckpointCoordinator,
  id: number,
  time: number,
  paths?: (task: string) => { path: string; shared?: boolean }[],
): CoordinatorAction[] {
  let out: CoordinatorAction[] = [];
  for (const task of TASKS)
    out = c.handle({ type: 'ack', time, checkpointId: id, task, states: state(task, paths?.(task)) });
  return out;
}

describe('CheckpointCoordinator', () => {
  it('triggers periodically, completes after all acks and the metadata write, then notifies', () => {
    const c = coordinator();
    assert.deepEqual(c.handle({ type: 'tasks-running', time: 0, plan }), []);
    assert.equal(c.nextWakeUp(), 100);
    assert.deepEqual(c.handle({ type: 'tick', time: 99 }), []);
    const [trigger] = c.handle({ type: 'tick', time: 100 });
    assert.deepEqual(trigger, {
      type: 'trigger-checkpoint',
      checkpointId: 1,
      kind: 'checkpoint',
      timestamp: 100,
      tasks: ['a'],
    });
    // One pending at most: no second trigger while 1 is pending.
    assert.deepEqual(c.handle({ type: 'tick', time: 250 }), []);
    assert.deepEqual(
      c.handle({ type: 'ack', time: 260, checkpointId: 1, task: 'a', states: state('a') }),
      [],
    );
    assert.deepEqual(
      c.handle({ type: 'ack', time: 261, checkpointId: 1, task: 'b', states: state('b') }),
      [],
    );
    const fin = c.handle({ type: 'ack', time: 262, checkpointId: 1, task: 'c', states: state('c') });
    assert.deepEqual(types(fin), ['write-metadata']);
    const write = fin[0] as Extract<CoordinatorAction, { type: 'write-metadata' }>;
    assert.deepEqual(
      write.metadata.operators.map((o) => o.operatorUid),
      ['op-a', 'op-b', 'op-c'],
    );
    const done = c.handle({ type: 'metadata-written', time: 270, checkpointId: 1 });
    // The interval elapsed while 1 was pending: the next one triggers at once, after the notification.
    assert.deepEqual(types(done), [
      'checkpoint-completed',
      'notify-checkpoint-complete',
      'trigger-checkpoint',
    ]);
    assert.equal((done[0] as Extract<CoordinatorAction, { type: 'checkpoint-completed' }>).durationMs, 170);
    assert.deepEqual(
      (done[1] as Extract<CoordinatorAction, { type: 'notify-checkpoint-complete' }>).tasks,
      TASKS,
    );
    assert.equal((done[2] as { checkpointId: number }).checkpointId, 2);
  });

  it('honours the minimum pause after a completion', () => {
    const c = coordinator({ minPauseBetweenCheckpoints: 500 });
    c.handle({ type: 'tasks-running', time: 0, plan });
    c.handle({ type: 'tick', time: 100 });
    ackAll(c, 1, 110);
    c.handle({ type: 'metadata-written', time: 120, checkpointId: 1 });
    assert.equal(c.nextWakeUp(), 620);
    assert.deepEqual(c.handle({ type: 'tick', time: 619 }), []);
    assert.deepEqual(types(c.handle({ type: 'tick', time: 620 })), ['trigger-checkpoint']);
  });

  it('expires a checkpoint, ignores its late acks and deletes their unreferenced state', () => {
    const c = coordinator({ tolerableCheckpointFailures: 5 });
    c.handle({ type: 'tasks-running', time: 0, plan });
    c.handle({ type: 'tick', time: 100 });
    c.handle({ type: 'ack', time: 200, checkpointId: 1, task: 'a', states: state('a') });
    assert.equal(c.nextWakeUp(), 1100);
    const expired = c.handle({ type: 'tick', time: 1100 });
    assert.deepEqual(types(expired), ['checkpoint-aborted', 'trigger-checkpoint']);
    const abort = expired[0] as Extract<CoordinatorAction, { type: 'checkpoint-aborted' }>;
    assert.equal(abort.reason, 'expired');
    assert.deepEqual(abort.discard, { checkpointId: 1, objects: ['chk-1/a/state'], deleteDirectory: true });
    const late = c.handle({ type: 'ack', time: 1101, checkpointId: 1, task: 'b', states: state('b') });
    assert.deepEqual(late, [
      {
        type: 'message-ignored',
        event: 'ack',
        checkpointId: 1,
        task: 'b',
        reason: 'late',
        discard: { checkpointId: 1, objects: ['chk-1/b/state'], deleteDirectory: false },
      },
    ]);
    assert.equal(
      (
        c.handle({ type: 'ack', time: 1102, checkpointId: 99, task: 'b', states: [] })[0] as {
          reason: string;
        }
      ).reason,
      'unknown-checkpoint',
    );
    assert.equal(
      (
        c.handle({ type: 'ack', time: 1103, checkpointId: 2, task: 'zz', states: [] })[0] as {
          reason: string;
        }
      ).reason,
      'unknown-task',
    );
    c.handle({ type: 'ack', time: 1104, checkpointId: 2, task: 'a', states: state('a') });
    assert.equal(
      (
        c.handle({ type: 'ack', time: 1105, checkpointId: 2, task: 'a', states: state('a') })[0] as {
          reason: string;
        }
      ).reason,
      'duplicate-ack',
    );
  });

  it('fails the job when failed checkpoints exceed the tolerable number', () => {
    const c = coordinator({ tolerableCheckpointFailures: 1 });
    c.handle({ type: 'tasks-running', time: 0, plan });
    c.handle({ type: 'tick', time: 100 });
    const first = c.handle({ type: 'decline', time: 110, checkpointId: 1, task: 'b', message: 'not ready' });
    assert.deepEqual(types(first), ['checkpoint-aborted']);
    const second = c.handle({ type: 'tick', time: 200 });
    assert.deepEqual(types(second), ['trigger-checkpoint']);
    const failed = c.handle({ type: 'decline', time: 210, checkpointId: 2, task: 'c', message: 'disk full' });
    assert.deepEqual(types(failed), ['checkpoint-aborted', 'fail-job']);
    assert.match(
      (failed[1] as { message: string }).message,
      /tolerable checkpoint failures \(1\).*disk full/,
    );
    assert.deepEqual(c.handle({ type: 'tick', time: 10_000 }), []);
    // The restarted job gets a fresh budget; a success resets the counter.
    c.handle({ type: 'tasks-stopped', time: 10_001, message: 'restarting' });
    c.handle({ type: 'tasks-running', time: 10_002, plan });
    assert.deepEqual(types(c.handle({ type: 'tick', time: 10_102 })), ['trigger-checkpoint']);
  });

  it('subsumes older pending checkpoints when a newer one completes', () => {
    const c = coordinator({ maxConcurrentCheckpoints: 3 });
    c.handle({ type: 'tasks-running', time: 0, plan });
    c.handle({ type: 'tick', time: 100 });
    c.handle({ type: 'tick', time: 200 });
    c.handle({ type: 'tick', time: 300 });
    ackAll(c, 2, 310);
    const done = c.handle({ type: 'metadata-written', time: 320, checkpointId: 2 });
    assert.deepEqual(types(done), [
      'checkpoint-completed',
      'checkpoint-aborted',
      'notify-checkpoint-complete',
    ]);
    assert.equal((done[1] as { reason: string; checkpointId: number }).checkpointId, 1);
    assert.equal((done[1] as { reason: string }).reason, 'subsumed');
    assert.deepEqual(
      c.snapshot().pending.map((p) => p.checkpointId),
      [3],
    );
  });

  it('retains the last K checkpoints and never deletes objects they share', () => {
    const c = coordinator({ retainedCheckpoints: 2 });
    c.handle({ type: 'tasks-running', time: 0, plan });
    const complete = (
      id: number,
      time: number,
      paths: (task: string) => { path: string; shared?: boolean }[],
    ): CoordinatorAction[] => {
      c.handle({ type: 'tick', time });
      ackAll(c, id, time + 1, paths);
      return c.handle({ type: 'metadata-written', time: time + 2, checkpointId: id });
    };
    // Incremental: every checkpoint references sst 1; checkpoint 2 adds sst 2; checkpoint 3 drops it.
    assert.deepEqual(
      types(complete(1, 100, (t) => [{ path: `${t}/meta` }, { path: `${t}/1.sst`, shared: true }])),
      ['checkpoint-completed', 'notify-checkpoint-complete'],
    );
    complete(2, 200, (t) => [
      { path: `${t}/meta` },
      { path: `${t}/1.sst`, shared: true },
      { path: `${t}/2.sst`, shared: true },
    ]);
    const third = complete(3, 300, (t) => [{ path: `${t}/meta` }, { path: `${t}/1.sst`, shared: true }]);
    const discard = third.find((a) => a.type === 'discard-checkpoint');
    assert.deepEqual(discard, {
      type: 'discard-checkpoint',
      discard: {
        checkpointId: 1,
        objects: ['chk-1/a/meta', 'chk-1/b/meta', 'chk-1/c/meta'],
        deleteDirectory: true,
      },
    });
    const fourth = complete(4, 400, (t) => [{ path: `${t}/meta` }, { path: `${t}/1.sst`, shared: true }]);
    const d2 = fourth.find((a) => a.type === 'discard-checkpoint') as Extract<
      CoordinatorAction,
      { type: 'discard-checkpoint' }
    >;
    assert.deepEqual([...d2.discard.objects].sort(), [
      'chk-2/a/meta',
      'chk-2/b/meta',
      'chk-2/c/meta',
      'shared/a/2.sst',
      'shared/b/2.sst',
      'shared/c/2.sst',
    ]);
    assert.deepEqual(c.snapshot().retained, [3, 4]);
  });

  it('continues ids after a JobManager restart and keeps the seeded checkpoints referenced', () => {
    const jobId = newJobId();
    const c1 = coordinator({}, jobId);
    c1.handle({ type: 'tasks-running', time: 0, plan });
    c1.handle({ type: 'tick', time: 100 });
    const write = ackAll(c1, 1, 110, (t) => [{ path: `${t}/x.sst`, shared: true }])[0] as Extract<
      CoordinatorAction,
      { type: 'write-metadata' }
    >;
    // The new JobManager finds chk-1 complete and an abandoned chk-2 in storage.
    const c2 = new CheckpointCoordinator(
      { jobId, checkpointInterval: 100 },
      { highestCheckpointId: 2, completed: [write.metadata] },
    );
    c2.handle({ type: 'tasks-running', time: 0, plan });
    const [t] = c2.handle({ type: 'tick', time: 100 });
    assert.equal((t as { checkpointId: number }).checkpointId, 3);
    const done =
      (ackAll(c2, 3, 101, (x) => [{ path: `${x}/x.sst`, shared: true }]),
      c2.handle({ type: 'metadata-written', time: 102, checkpointId: 3 }));
    const d = done.find((a) => a.type === 'discard-checkpoint') as Extract<
      CoordinatorAction,
      { type: 'discard-checkpoint' }
    >;
    assert.deepEqual(d.discard, { checkpointId: 1, objects: [], deleteDirectory: true });
  });

  it('aborts everything pending when tasks stop, and discards a metadata write that lands afterwards', () => {
    const c = coordinator();
    c.handle({ type: 'tasks-running', time: 0, plan });
    c.handle({ type: 'tick', time: 100 });
    assert.deepEqual(types(ackAll(c, 1, 101)), ['write-metadata']);
    const stopped = c.handle({ type: 'tasks-stopped', time: 102, message: 'task b failed' });
    assert.deepEqual(types(stopped), ['checkpoint-aborted']);
    assert.equal((stopped[0] as { reason: string }).reason, 'tasks-stopped');
    const late = c.handle({ type: 'metadata-written', time: 103, checkpointId: 1 });
    assert.deepEqual(late, [
      {
        type: 'message-ignored',
        event: 'metadata-written',
        checkpointId: 1,
        reason: 'late',
        discard: { checkpointId: 1, objects: [], deleteDirectory: true },
      },
    ]);
    assert.deepEqual(c.handle({ type: 'tick', time: 10_000 }), []);
    assert.deepEqual(types(c.handle({ type: 'trigger-savepoint', time: 10_001, target: 'file:///sp' })), [
      'trigger-rejected',
    ]);
  });

  it('completes savepoints without subsuming or retaining them', () => {
    const c = coordinator({ checkpointInterval: 0 });
    c.handle({ type: 'tasks-running', time: 0, plan });
    assert.equal(c.nextWakeUp(), undefined);
    const [t] = c.handle({ type: 'trigger-savepoint', time: 5, target: 'file:///sp/1' });
    assert.deepEqual(t, {
      type: 'trigger-checkpoint',
      checkpointId: 1,
      kind: 'savepoint',
      timestamp: 5,
      tasks: ['a'],
      target: 'file:///sp/1',
    });
    const w = ackAll(c, 1, 6);
    assert.equal((w[0] as Extract<CoordinatorAction, { type: 'write-metadata' }>).metadata.kind, 'savepoint');
    const done = c.handle({ type: 'metadata-written', time: 7, checkpointId: 1 });
    assert.deepEqual(types(done), ['checkpoint-completed', 'notify-checkpoint-complete']);
    assert.deepEqual(c.snapshot().retained, []);
  });

  it('aborts a checkpoint whose ack names a path outside its prefix', () => {
    const c = coordinator({ tolerableCheckpointFailures: 3 });
    c.handle({ type: 'tasks-running', time: 0, plan });
    c.handle({ type: 'tick', time: 100 });
    const out = c.handle({
      type: 'ack',
      time: 101,
      checkpointId: 1,
      task: 'a',
      states: state('a', [{ path: '../other/x' }]),
    });
    assert.deepEqual(types(out), ['checkpoint-aborted']);
    assert.equal((out[0] as { reason: string }).reason, 'invalid-ack');
  });
});

// ---- properties ----

type Op =
  | { op: 'advance'; ms: number }
  | { op: 'ack'; pick: number; task: number; reuse: boolean }
  | { op: 'decline'; pick: number; task: number }
  | { op: 'metadata'; pick: number; ok: boolean }
  | { op: 'stop' }
  | { op: 'run' }
  | { op: 'savepoint' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 400 }) }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constant('ack' as const),
      pick: fc.nat(),
      task: fc.integer({ min: 0, max: TASKS.length }),
      reuse: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('decline' as const),
      pick: fc.nat(),
      task: fc.nat({ max: TASKS.length - 1 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('metadata' as const),
      pick: fc.nat(),
      ok: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'stop' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'run' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'savepoint' as const }) },
);

const configArb = fc.record({
  checkpointInterval: fc.integer({ min: 10, max: 300 }),
  checkpointTimeout: fc.integer({ min: 50, max: 800 }),
  minPauseBetweenCheckpoints: fc.integer({ min: 0, max: 200 }),
  maxConcurrentCheckpoints: fc.integer({ min: 1, max: 3 }),
  tolerableCheckpointFailures: fc.integer({ min: 0, max: 100 }),
  retainedCheckpoints: fc.integer({ min: 1, max: 3 }),
});

/** Drives a coordinator like the JobMaster would and checks every invariant after every step. */
function simulate(config: Omit<CheckpointCoordinatorConfig, 'jobId'>, ops: Op[]): void {
  const c = new CheckpointCoordinator({ jobId: newJobId(), ...config });
  let time = 0;
  let lastTriggered = 0;
  const triggered = new Map<number, { time: number; kind: string }>();
  const acked = new Map<number, Set<string>>(); // acks the oracle expects the coordinator to accept
  const ackedObjects = new Map<number, string[]>();
  const aborted = new Set<number>();
  const writeRequested = new Set<number>();
  const metadataWritten = new Set<number>();
  const completed = new Set<number>();
  const completedObjects = new Map<number, string[]>();
  const retained = new Set<number>();
  let latestRetained: number | undefined;
  const deleted = new Set<string>();
  let uniq = 0;

  const apply = (event: Parameters<CheckpointCoordinator['handle']>[0], expectWriteFor?: number): void => {
    const out = c.handle(event);
    const deletes: string[] = [];
    for (const a of out) {
      switch (a.type) {
        case 'trigger-checkpoint':
          assert.ok(a.checkpointId > lastTriggered, 'ids strictly increase');
          lastTriggered = a.checkpointId;
          triggered.set(a.checkpointId, { time: a.timestamp, kind: a.kind });
          acked.set(a.checkpointId, new Set());
          ackedObjects.set(a.checkpointId, []);
          break;
        case 'write-metadata':
          assert.ok(!aborted.has(a.checkpointId), 'no metadata for an aborted checkpoint');
          assert.equal(acked.get(a.checkpointId)?.size, TASKS.length, 'metadata only after every task acked');
          assert.ok(!writeRequested.has(a.checkpointId));
          writeRequested.add(a.checkpointId);
          break;
        case 'checkpoint-completed':
          assert.ok(metadataWritten.has(a.checkpointId), 'completed only after its metadata was written');
          assert.ok(!completed.has(a.checkpointId), 'never two completions for one id');
          assert.ok(!aborted.has(a.checkpointId), 'an aborted checkpoint never completes');
          completed.add(a.checkpointId);
          if (a.kind === 'checkpoint') {
            completedObjects.set(a.checkpointId, ackedObjects.get(a.checkpointId) ?? []);
            retained.add(a.checkpointId);
            latestRetained = a.checkpointId;
          }
          break;
        case 'notify-checkpoint-complete':
          assert.ok(completed.has(a.checkpointId), 'notify only after completion');
          break;
        case 'checkpoint-aborted':
          assert.ok(!completed.has(a.checkpointId), 'a completed checkpoint is never aborted');
          assert.ok(!aborted.has(a.checkpointId), 'aborted once');
          aborted.add(a.checkpointId);
          if (a.discard) deletes.push(...a.discard.objects);
          break;
        case 'discard-checkpoint':
          assert.ok(retained.delete(a.discard.checkpointId), 'only retained checkpoints are discarded');
          deletes.push(...a.discard.objects);
          break;
        case 'message-ignored':
          if (a.discard) deletes.push(...a.discard.objects);
          break;
        default:
          break;
      }
    }
    if (expectWriteFor !== undefined) {
      assert.ok(
        out.some((a) => a.type === 'write-metadata' && a.checkpointId === expectWriteFor),
        'every task acked in time: the checkpoint finalizes',
      );
    }
    // Nothing referenced by a retained or a pending checkpoint is ever deleted.
    const live = new Set<string>();
    for (const id of retained) for (const p of completedObjects.get(id) ?? []) live.add(p);
    for (const p of c.snapshot().pending)
      if (p.kind === 'checkpoint') for (const o of ackedObjects.get(p.checkpointId) ?? []) live.add(o);
    for (const d of deletes) {
      assert.ok(!live.has(d), `deleted object ${d} is still referenced`);
      deleted.add(d);
    }
    assert.ok(retained.size <= config.retainedCheckpoints!, 'at most K retained');
  };

  const isOpen = (id: number): boolean => !aborted.has(id) && !writeRequested.has(id) && !completed.has(id);
  const openIds = (): number[] => [...triggered.keys()];

  apply({ type: 'tasks-running', time, plan });
  for (const o of ops) {
    switch (o.op) {
      case 'advance':
        time += o.ms;
        apply({ type: 'tick', time });
        break;
      case 'ack': {
        const ids = openIds();
        const id = ids.length === 0 ? 1 : (ids[o.pick % (ids.length + 1)] ?? lastTriggered + 1);
        const task = TASKS[o.task] ?? 'stranger';
        const info = triggered.get(id);
        // Incremental state: reuse the latest retained checkpoint's shared object, as a backend
        // that only builds on completed checkpoints would; plus one new object.
        const paths: { path: string; shared?: boolean }[] = [{ path: `${task}/own-${uniq++}` }];
        const base =
          latestRetained === undefined
            ? undefined
            : completedObjects.get(latestRetained)?.find((p) => p.startsWith(`shared/${task}/`));
        // Savepoints are self-contained: tasks write them in full, never with shared objects.
        const incremental = o.reuse && info?.kind !== 'savepoint';
        if (incremental && base !== undefined && !deleted.has(base))
          paths.push({ path: base.slice('shared/'.length), shared: true });
        else if (incremental) paths.push({ path: `${task}/sst-${uniq++}`, shared: true });
        const states = state(task, paths);
        const accepted =
          info !== undefined &&
          isOpen(id) &&
          TASKS.includes(task) &&
          !acked.get(id)!.has(task) &&
          time < info.time + config.checkpointTimeout!;
        let expectWrite: number | undefined;
        if (accepted) {
          acked.get(id)!.add(task);
          if (info.kind === 'checkpoint') {
            ackedObjects
              .get(id)!
              .push(...paths.map((p) => (p.shared ? `shared/${p.path}` : `chk-${id}/${p.path}`)));
          }
          if (acked.get(id)!.size === TASKS.length) expectWrite = id;
        }
        apply({ type: 'ack', time, checkpointId: id, task, states }, expectWrite);
        break;
      }
      case 'decline': {
        const ids = openIds();
        if (ids.length === 0) break;
        apply({
          type: 'decline',
          time,
          checkpointId: ids[o.pick % ids.length]!,
          task: TASKS[o.task]!,
          message: 'test',
        });
        break;
      }
      case 'metadata': {
        const waiting = [...writeRequested].filter(
          (id) => !metadataWritten.has(id) && !aborted.has(id) && !completed.has(id),
        );
        const id = waiting[o.pick % Math.max(1, waiting.length)] ?? [...writeRequested][0];
        if (id === undefined) break;
        if (o.ok) {
          metadataWritten.add(id);
          apply({ type: 'metadata-written', time, checkpointId: id });
        } else {
          apply({ type: 'metadata-failed', time, checkpointId: id, message: 'test' });
        }
        break;
      }
      case 'stop':
        apply({ type: 'tasks-stopped', time, message: 'test' });
        break;
      case 'run':
        apply({ type: 'tasks-running', time, plan });
        break;
      case 'savepoint':
        apply({ type: 'trigger-savepoint', time, target: 'file:///sp' });
        break;
    }
  }
  // Completion iff: every checkpoint whose tasks all acked in time, whose metadata write succeeded
  // and that was not aborted meanwhile, completed; nothing else did.
  for (const id of triggered.keys()) {
    const shouldComplete = writeRequested.has(id) && metadataWritten.has(id) && !aborted.has(id);
    assert.equal(completed.has(id), shouldComplete, `checkpoint ${id}`);
  }
}

describe('CheckpointCoordinator properties', () => {
  it('holds every invariant under random interleavings', () => {
    fc.assert(
      fc.property(configArb, fc.array(opArb, { minLength: 1, maxLength: 200 }), (config, ops) =>
        simulate(config, ops),
      ),
      {
        numRuns: 400,
        ...(process.env['EDDY_TEST_SEED'] === undefined
          ? {}
          : { seed: Number(process.env['EDDY_TEST_SEED']) }),
      },
    );
  });
});
