// Data-plane throughput: records/s through one remote channel (real gRPC on loopback, msgpackr
// buffers, credit-based flow control) and one local channel. Producer, consumer and both gRPC ends
// share one event loop here, so the remote number is what one core does for both sides.
//
//   node bench/network.ts [records=3000000]
import type { JobId, TaskManagerId } from '@eddy/common';
import type { NetworkEnvironment } from '@eddy/network';
import { partitionId } from '@eddy/runtime';
// The bench reuses the tests' TaskManager stand-in (a NetworkEnvironment behind a real gRPC server).
import { startTestingTaskManager } from '../packages/network/src/testing-task-manager.ts';

const RECORDS = Number(process.argv[2] ?? 3_000_000);
const BATCH = 1000;
const JOB = 'bench0000000000000000000000000000' as JobId;

async function run(
  name: string,
  producer: NetworkEnvironment,
  consumer: NetworkEnvironment,
  attempt: number,
): Promise<void> {
  const pid = partitionId(JOB, attempt, 'bench', 0);
  const writer = producer.createResultPartition(JOB, attempt, {
    edgeId: 'bench',
    partitionId: pid,
    numberOfSubpartitions: 1,
  });
  const gate = consumer.createInputGate(JOB, attempt, {
    edgeId: 'bench',
    inputIndex: 0,
    channels: [
      {
        partitionId: pid,
        subpartition: 0,
        producerSubtask: 0,
        producer: { taskManagerId: 'tm-bench' as TaskManagerId, address: producer.localAddress },
      },
    ],
  });
  // A pool of distinct records, emitted over and over (records are not mutated, so sharing is fine).
  const pool = Array.from({ length: 64 * BATCH }, (_, i) => ({ word: `word-${i % 5000}`, count: i }));
  const start = performance.now();
  let backpressured = 0;
  const producing = (async () => {
    for (let sent = 0; sent < RECORDS; sent += BATCH) {
      if (!writer.isAvailable()) {
        backpressured++;
        await writer.whenAvailable();
      }
      const offset = sent % pool.length;
      writer.emit(0, pool, offset, offset + Math.min(BATCH, RECORDS - sent));
    }
    writer.finish();
  })();
  let received = 0;
  let checksum = 0;
  while (!gate.isFinished()) {
    for (let e = gate.pollNext(); e !== undefined; e = gate.pollNext()) {
      if (e.kind === 'records') {
        received += e.records.length;
        checksum += (e.records[0] as { count: number }).count;
      }
    }
    if (!gate.isFinished()) await gate.whenAvailable();
  }
  await producing;
  const seconds = (performance.now() - start) / 1000;
  if (received !== RECORDS) throw new Error(`${name}: received ${received} of ${RECORDS}`);
  const rate = RECORDS / seconds;
  console.log(
    `${name.padEnd(7)} ${(rate / 1e6).toFixed(2)} M records/s  (${RECORDS} records in ${seconds.toFixed(2)} s, ` +
      `backpressured ${backpressured}x, checksum ${checksum})`,
  );
  gate.close();
}

const a = await startTestingTaskManager();
const b = await startTestingTaskManager();
await run('remote', a.network, b.network, 0); // warm-up
await run('remote', a.network, b.network, 1);
await run('local', a.network, a.network, 2);
await run('local', a.network, a.network, 3);
await a.close();
await b.close();
