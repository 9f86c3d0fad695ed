// Deployment races and failures: a consumer asking before the partition exists, a partition that
// never comes, a producer releasing its partition, a broken stream, a released job attempt.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { partitionId } from '@eddy/runtime';
import type { InputGate } from '@eddy/runtime';
import {
  channel,
  collect,
  produce,
  startTestingTaskManager,
  TEST_JOB,
  waitFor,
  type TestingTaskManager,
} from './testing-task-manager.ts';

const managers: TestingTaskManager[] = [];
after(async () => {
  for (const tm of managers) await tm.close();
});

async function tm(timeout?: number): Promise<TestingTaskManager> {
  const t = await startTestingTaskManager({}, timeout);
  managers.push(t);
  return t;
}

/** Polls `gate` until it rejects; returns the error. */
async function failureOf(gate: InputGate): Promise<Error> {
  for (;;) {
    while (gate.pollNext() !== undefined);
    try {
      await gate.whenAvailable();
    } catch (err) {
      return err as Error;
    }
    assert.equal(gate.isFinished(), false, 'the gate finished instead of failing');
  }
}

for (const remote of [true, false]) {
  const kind = remote ? 'remote' : 'local';

  test(`${kind}: a consumer may ask for a subpartition before its partition is registered`, async () => {
    const a = await tm();
    const b = remote ? await tm() : a;
    const attempt = remote ? 20 : 21;
    const pid = partitionId(TEST_JOB, attempt, 'park', 0);
    const gate = b.network.createInputGate(TEST_JOB, attempt, {
      edgeId: 'park',
      inputIndex: 0,
      channels: [channel(pid, 0, a.location)],
    });
    const result = collect(gate);
    await new Promise((r) => setTimeout(r, 50)); // the request is parked at the producer meanwhile
    const writer = a.network.createResultPartition(TEST_JOB, attempt, {
      edgeId: 'park',
      partitionId: pid,
      numberOfSubpartitions: 1,
    });
    await produce(writer, 0, [1, 2, 3]);
    writer.finish();
    assert.deepEqual((await result).records, [[1, 2, 3]]);
  });

  test(`${kind}: a partition that never registers fails the gate after the request timeout`, async () => {
    const a = await tm(100);
    const b = remote ? await tm() : a;
    const pid = partitionId(TEST_JOB, 22, 'never', 0);
    const gate = b.network.createInputGate(TEST_JOB, 22, {
      edgeId: 'never',
      inputIndex: 0,
      channels: [channel(pid, 0, a.location)],
    });
    const err = await failureOf(gate);
    assert.match(err.message, new RegExp(`partition ${pid.replaceAll('.', '\\.')} was not registered`));
    assert.match(err.message, new RegExp(a.address));
    assert.match(err.message, /within 100 ms/);
    gate.close();
  });

  test(`${kind}: release() by the producer fails the consumer with the reason`, async () => {
    const a = await tm();
    const b = remote ? await tm() : a;
    const attempt = remote ? 23 : 24;
    const pid = partitionId(TEST_JOB, attempt, 'rel', 0);
    const writer = a.network.createResultPartition(TEST_JOB, attempt, {
      edgeId: 'rel',
      partitionId: pid,
      numberOfSubpartitions: 1,
    });
    const gate = b.network.createInputGate(TEST_JOB, attempt, {
      edgeId: 'rel',
      inputIndex: 0,
      channels: [channel(pid, 0, a.location)],
    });
    writer.emit(0, [1, 2, 3]);
    writer.flushAll();
    await gate.whenAvailable();
    writer.release('task cancelled');
    const consumed = writer.whenConsumed();
    const err = await failureOf(gate);
    assert.match(err.message, /was released by its producer: task cancelled/);
    assert.ok(err.message.includes(pid));
    assert.ok(err.message.includes(a.address), err.message);
    await consumed; // a released partition counts as consumed
    // A released writer drops what it is given and never blocks the winding-down task.
    writer.emit(0, [4]);
    assert.equal(writer.isAvailable(), true);
  });

  test(`${kind}: releaseJob fails parked requests of that attempt at once`, async () => {
    const a = await tm();
    const b = remote ? await tm() : a;
    const attempt = remote ? 25 : 26;
    const gate = b.network.createInputGate(TEST_JOB, attempt, {
      edgeId: 'rj',
      inputIndex: 0,
      channels: [channel(partitionId(TEST_JOB, attempt, 'rj', 0), 0, a.location)],
    });
    await new Promise((r) => setTimeout(r, 20));
    a.network.releaseJob(TEST_JOB, attempt);
    const err = await failureOf(gate);
    assert.match(err.message, /was released at TaskManager/);
  });
}

test('remote: a broken stream fails every gate reading over it, naming the producer TaskManager', async () => {
  const a = await tm();
  const b = await tm();
  const pids = [0, 1].map((p) => partitionId(TEST_JOB, 27, 'brk', p));
  const writers = pids.map((pid) =>
    a.network.createResultPartition(TEST_JOB, 27, {
      edgeId: 'brk',
      partitionId: pid,
      numberOfSubpartitions: 1,
    }),
  );
  const gates = pids.map((pid) =>
    b.network.createInputGate(TEST_JOB, 27, {
      edgeId: 'brk',
      inputIndex: 0,
      channels: [channel(pid, 0, a.location)],
    }),
  );
  for (const w of writers) {
    w.emit(0, ['before']);
    w.flushAll();
  }
  await Promise.all(gates.map((g) => g.whenAvailable()));
  a.server.forceShutdown(); // the producing TaskManager dies
  for (const gate of gates) {
    const err = await failureOf(gate);
    assert.match(err.message, new RegExp(`producer TaskManager ${a.address}`));
    assert.match(err.message, /broke/);
  }
  await waitFor(() => b.network.streams().toProducers === 0, 'the dead stream to be dropped');
});

test('remote: the gate closing early detaches its channel at the producer', async () => {
  const a = await tm();
  const b = await tm();
  const pid = partitionId(TEST_JOB, 28, 'cl', 0);
  const writer = a.network.createResultPartition(TEST_JOB, 28, {
    edgeId: 'cl',
    partitionId: pid,
    numberOfSubpartitions: 1,
  });
  const gate = b.network.createInputGate(TEST_JOB, 28, {
    edgeId: 'cl',
    inputIndex: 0,
    channels: [channel(pid, 0, a.location)],
  });
  writer.emit(0, [1]);
  writer.flushAll();
  await gate.whenAvailable();
  gate.close();
  gate.close(); // idempotent
  assert.equal(gate.pollNext(), undefined);
  await assert.doesNotReject(gate.whenAvailable());
  // A new consumer (e.g. after a restart of only the consumer) could attach again once the old one is gone.
  await waitFor(() => {
    try {
      writer.subpartition(0)!.attachReader({ notifyDataAvailable() {}, notifyReleased() {} });
      return true;
    } catch {
      return false;
    }
  }, 'the producer to detach the closed channel');
  writer.release();
});
