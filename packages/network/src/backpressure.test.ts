// A fast producer and a slow consumer: credit-based flow control must bound what is in flight and
// queued, backpressure the producer, and lose nothing. Remote (real gRPC) and local channels.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { partitionId } from '@eddy/runtime';
import {
  channel,
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

const RECORDS = 1_000_000;
const EXCLUSIVE = 2;
const FLOATING = 8;

async function slowConsumer(remote: boolean): Promise<void> {
  const a = await startTestingTaskManager();
  const b = remote ? await startTestingTaskManager() : a;
  managers.push(a, b);
  const attempt = remote ? 10 : 11;
  const pid = partitionId(TEST_JOB, attempt, 'bp', 0);
  const writer = a.network.createResultPartition(TEST_JOB, attempt, {
    edgeId: 'bp',
    partitionId: pid,
    numberOfSubpartitions: 1,
  });
  const gate = b.network.createInputGate(TEST_JOB, attempt, {
    edgeId: 'bp',
    inputIndex: 0,
    channels: [channel(pid, 0, a.location)],
  });
  const records = Array.from({ length: RECORDS }, (_, i) => ({ word: `w${i % 1000}`, count: i }));

  let backpressured = 0;
  let unavailableSeen = false;
  const producing = (async () => {
    await produce(writer, 0, records, 1000, () => {
      backpressured++;
      unavailableSeen ||= !writer.isAvailable();
    });
    writer.finish();
  })();

  let next = 0;
  let polls = 0;
  let maxInFlightAndQueued = 0;
  await consume(gate, async (e) => {
    // Instrumentation: both ends live in this process, so compare the producer's view with the gate's.
    const sent = writer.stats()[0]!.buffersTaken;
    const gs = gate.stats();
    const ch = gs.channels[0]!;
    assert.ok(sent <= ch.creditsGranted, `sent ${sent} buffers against ${ch.creditsGranted} credits`);
    const inFlightAndQueued = sent - ch.buffersConsumed;
    maxInFlightAndQueued = Math.max(maxInFlightAndQueued, inFlightAndQueued);
    assert.ok(
      inFlightAndQueued <= ch.grantedBuffers,
      `${inFlightAndQueued} buffers in flight + queued exceed ${ch.grantedBuffers} granted`,
    );
    assert.ok(gs.heldBuffers <= EXCLUSIVE + FLOATING, `gate holds ${gs.heldBuffers} buffers`);
    if (e.kind !== 'records') return;
    for (const r of e.records as { count: number }[]) {
      if (r.count !== next) assert.fail(`record ${next} expected, got ${r.count}`);
      next++;
    }
    // Slow: a timer turn per buffer for the first part, while the producer could go much faster.
    if (polls++ < 200) await new Promise((r) => setTimeout(r, 1));
  });
  await producing;
  await writer.whenConsumed();

  assert.equal(next, RECORDS, 'every record arrived exactly once, in order');
  assert.ok(unavailableSeen && backpressured > 0, 'the producer was backpressured');
  const maxQueued = writer.stats()[0]!.maxQueuedBuffers;
  assert.ok(
    maxQueued <= writer.backlogLimit + 2,
    `the producer queued ${maxQueued} buffers, limit ${writer.backlogLimit}`,
  );
  assert.ok(maxInFlightAndQueued <= EXCLUSIVE + FLOATING);
  assert.ok(gate.stats().maxHeldBuffers >= 1);
  gate.close();
}

test('slow remote consumer: bounded in-flight buffers, backpressure, nothing lost', async () => {
  await slowConsumer(true);
});

test('slow local consumer: same credit discipline without gRPC', async () => {
  await slowConsumer(false);
});
