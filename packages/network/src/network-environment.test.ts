// Round trips through real gRPC servers on loopback: two NetworkEnvironments in one process stand
// in for two TaskManagers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { partitionId } from '@eddy/runtime';
import type { JobId } from '@eddy/common';
import { ResultPartition } from './result-partition.ts';
import {
  channel,
  collect,
  consume,
  produce,
  startTestingTaskManager,
  TEST_JOB,
  type TestingTaskManager,
} from './testing-task-manager.ts';

const managers: TestingTaskManager[] = [];
after(async () => {
  for (const tm of managers) await tm.close();
});

async function tm(settings: Record<string, number> = {}, timeout?: number): Promise<TestingTaskManager> {
  const t = await startTestingTaskManager(settings, timeout);
  managers.push(t);
  return t;
}

function words(n: number, tag: string): { word: string; count: number }[] {
  return Array.from({ length: n }, (_, i) => ({ word: `${tag}-${i % 97}`, count: i }));
}

test('remote and local channels deliver records in order per channel, then end-of-partition', async () => {
  const a = await tm();
  const b = await tm();
  const attempt = 0;
  // Two producers on A, each with 3 subpartitions: consumers 0 and 1 run on B (remote), 2 on A (local).
  const producers = [0, 1].map((p) =>
    a.network.createResultPartition(TEST_JOB, attempt, {
      edgeId: 'e1',
      partitionId: partitionId(TEST_JOB, attempt, 'e1', p),
      numberOfSubpartitions: 3,
    }),
  );
  const gates = [0, 1, 2].map((c) =>
    (c < 2 ? b : a).network.createInputGate(TEST_JOB, attempt, {
      edgeId: 'e1',
      inputIndex: 0,
      channels: [0, 1].map((p) => channel(partitionId(TEST_JOB, attempt, 'e1', p), c, a.location, p)),
    }),
  );
  const expected = [0, 1].map((p) => [0, 1, 2].map((c) => words(20_000 + 1000 * c, `p${p}c${c}`)));
  const results = gates.map((g) => collect(g));
  await Promise.all(
    producers.map(async (writer, p) => {
      await Promise.all([0, 1, 2].map((c) => produce(writer, c, expected[p]![c]!, 777)));
      writer.finish();
    }),
  );
  const got = await Promise.all(results);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < 2; p++) {
      assert.deepEqual(got[c]!.records[p], expected[p]![c], `consumer ${c} channel ${p}`);
      assert.equal(got[c]!.elements[p]!.at(-1), 'event:end-of-partition');
    }
    assert.equal(gates[c]!.isFinished(), true);
    assert.equal(gates[c]!.pollNext(), undefined);
  }
  await Promise.all(producers.map((w) => w.whenConsumed()));
  for (const g of gates) g.close();
  assert.equal(a.network.metrics.buffersInUse(), 0);
  assert.equal(b.network.metrics.buffersInUse(), 0);
});

test('events travel in order between buffers, with their payload, remote and local', async () => {
  const a = await tm();
  const b = await tm();
  const pid = partitionId(TEST_JOB, 1, 'ev', 0);
  const writer = a.network.createResultPartition(TEST_JOB, 1, {
    edgeId: 'ev',
    partitionId: pid,
    numberOfSubpartitions: 2,
  });
  const remote = b.network.createInputGate(TEST_JOB, 1, {
    edgeId: 'ev',
    inputIndex: 0,
    channels: [channel(pid, 0, a.location)],
  });
  const local = a.network.createInputGate(TEST_JOB, 1, {
    edgeId: 'ev',
    inputIndex: 0,
    channels: [channel(pid, 1, a.location)],
  });
  const seen: unknown[][] = [[], []];
  const readers = [remote, local].map(async (gate, i) => {
    await consume(gate, (e) => {
      if (e.kind === 'records') seen[i]!.push(...e.records);
      else seen[i]!.push(e.event);
    });
  });
  for (const sub of [0, 1]) writer.emit(sub, [1, 2, 3]);
  writer.broadcastEvent({
    kind: 'checkpoint-barrier',
    payload: { checkpointId: 7, options: { unaligned: false } },
  });
  for (const sub of [0, 1]) writer.emit(sub, ['x', { y: 1n }]);
  writer.broadcastEvent({ kind: 'watermark', payload: 123 });
  writer.finish();
  await Promise.all(readers);
  for (const s of seen) {
    assert.deepEqual(s, [
      1,
      2,
      3,
      { kind: 'checkpoint-barrier', payload: { checkpointId: 7, options: { unaligned: false } } },
      'x',
      { y: 1n },
      { kind: 'watermark', payload: 123 },
      { kind: 'end-of-partition' },
    ]);
  }
});

test('the buffer timeout sends a partly filled buffer without an explicit flush', async () => {
  const a = await tm({ 'taskmanager.network.buffer-timeout': 20 });
  const b = await tm();
  const pid = partitionId(TEST_JOB, 2, 'bt', 0);
  const writer = a.network.createResultPartition(TEST_JOB, 2, {
    edgeId: 'bt',
    partitionId: pid,
    numberOfSubpartitions: 1,
  });
  const gate = b.network.createInputGate(TEST_JOB, 2, {
    edgeId: 'bt',
    inputIndex: 0,
    channels: [channel(pid, 0, a.location)],
  });
  writer.emit(0, [{ a: 1 }]);
  await gate.whenAvailable();
  assert.deepEqual(gate.pollNext(), { kind: 'records', channel: 0, records: [{ a: 1 }] });
  // A job may set its own timeout; 0 sends after every emit call.
  const pid0 = partitionId(TEST_JOB, 2, 'bt', 1);
  const eager = a.network.createResultPartition(
    TEST_JOB,
    2,
    { edgeId: 'bt', partitionId: pid0, numberOfSubpartitions: 1 },
    { bufferTimeout: 0 },
  );
  const gate0 = a.network.createInputGate(TEST_JOB, 2, {
    edgeId: 'bt',
    inputIndex: 0,
    channels: [channel(pid0, 0, a.location)],
  });
  eager.emit(0, ['now']);
  assert.deepEqual(gate0.pollNext(), { kind: 'records', channel: 0, records: ['now'] });
  writer.release();
  eager.release();
  gate.close();
  gate0.close();
});

test('many channels share one stream per TaskManager pair', async () => {
  const a = await tm();
  const b = await tm();
  const n = 24;
  const writers = Array.from({ length: n }, (_, p) =>
    a.network.createResultPartition(TEST_JOB, 3, {
      edgeId: 'm',
      partitionId: partitionId(TEST_JOB, 3, 'm', p),
      numberOfSubpartitions: 1,
    }),
  );
  const gate = b.network.createInputGate(TEST_JOB, 3, {
    edgeId: 'm',
    inputIndex: 0,
    channels: writers.map((w, p) => channel(w.partitionId, 0, a.location, p)),
  });
  const result = collect(gate);
  await Promise.all(
    writers.map(async (w, p) => {
      await produce(w, 0, words(3000, `m${p}`), 100);
      w.finish();
    }),
  );
  const { records } = await result;
  records.forEach((r, p) => assert.deepEqual(r, words(3000, `m${p}`)));
  assert.deepEqual(b.network.streams(), { toProducers: 1, fromConsumers: 0 });
  assert.deepEqual(a.network.streams(), { toProducers: 0, fromConsumers: 1 });
});

test('a shrinking records-per-buffer target never drops, duplicates or misaligns records (regression)', () => {
  // A subpartition holding more records than a newly lowered target must cut before appending.
  const rp = new ResultPartition({
    jobId: '0'.repeat(32) as JobId,
    attempt: 0,
    partitionId: 'p',
    numberOfSubpartitions: 1,
    bufferSize: 32 * 1024,
    bufferTimeout: 1000,
    backlogLimit: 100,
    onDisposed: () => undefined,
  });
  const sub = rp.subpartition(0)!;
  const records = Array.from({ length: 3000 }, (_, i) => i);
  const ts = records.map((i) => i * 10);
  sub.append(records, 0, 1500, 2000, ts);
  sub.append(records, 1500, 3000, 1000, ts);
  sub.flush();
  const got: number[] = [];
  const gotTs: number[] = [];
  for (let item = sub.poll(); item !== undefined; item = sub.poll()) {
    if (item.kind !== 'buffer') continue;
    got.push(...(item.records as number[]));
    gotTs.push(...item.timestamps!);
  }
  assert.deepEqual(got, records);
  assert.deepEqual(gotTs, ts);
});
