// The wire protocol against a hand-driven peer over real gRPC: sequence gaps and buffers sent
// without credit are detected and fail the channel with a clear error.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { partitionId } from '@eddy/runtime';
import type { TaskManagerId } from '@eddy/common';
import { DataExchangeClient, DataExchangeService, GRPC_OPTIONS, pb, type eddy } from './rpc.ts';
import { BufferSerializer } from './buffer-serializer.ts';
import {
  channel,
  collect,
  startTestingTaskManager,
  TEST_JOB,
  type TestingTaskManager,
} from './testing-task-manager.ts';

const cleanup: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanup) await c();
});

async function tm(): Promise<TestingTaskManager> {
  const t = await startTestingTaskManager();
  cleanup.push(() => t.close());
  return t;
}

type Frame = eddy.v1.DataFrame;

/** A fake producing TaskManager: answers every OpenChannel with the frames `script` returns. */
async function fakeProducer(script: (open: Frame) => Frame[]): Promise<string> {
  const server = new grpc.Server(GRPC_OPTIONS);
  server.addService(DataExchangeService, {
    exchange: (call: grpc.ServerDuplexStream<Frame, Frame>) => {
      call.on('data', (f: Frame) => {
        if (f.body === 'open') for (const out of script(f)) call.write(out);
      });
      call.on('error', () => {});
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e === null ? resolve(p) : reject(e),
    ),
  );
  cleanup.push(() => server.forceShutdown());
  return `127.0.0.1:${port}`;
}

const bytes = new BufferSerializer().serialize([1, 2]);

async function gateFailure(producerAddress: string, poll = true): Promise<string> {
  const b = await tm();
  const gate = b.network.createInputGate(TEST_JOB, 0, {
    edgeId: 'p',
    inputIndex: 0,
    channels: [
      channel(partitionId(TEST_JOB, 0, 'p', 0), 0, {
        taskManagerId: 'tm-fake' as TaskManagerId,
        address: producerAddress,
      }),
    ],
  });
  if (!poll) {
    // Never consume, so no credit returns: the producer's extra buffer is certainly uncredited.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      try {
        await gate.whenAvailable();
      } catch (err) {
        return (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  try {
    await collect(gate);
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail('the gate did not fail');
}

test('a sequence gap from the producer fails the channel', async () => {
  const address = await fakeProducer((open) => [
    pb.DataFrame.create({ channel: open.channel, seq: 0, buffer: bytes }),
    pb.DataFrame.create({ channel: open.channel, seq: 2, buffer: bytes }),
  ]);
  const message = await gateFailure(address);
  assert.match(message, /frame 2 arrived where frame 1 was expected/);
  assert.match(message, new RegExp(`producer TaskManager ${address}`));
});

test('a buffer sent without credit fails the channel', async () => {
  const address = await fakeProducer((open) =>
    Array.from({ length: open.open!.initialCredit! + 1 }, (_, seq) =>
      pb.DataFrame.create({ channel: open.channel, seq, buffer: bytes }),
    ),
  );
  assert.match(await gateFailure(address, false), /without credit/);
});

test('a consumer frame out of sequence gets an error frame from the producer', async () => {
  const a = await tm();
  const pid = partitionId(TEST_JOB, 0, 'q', 0);
  const writer = a.network.createResultPartition(TEST_JOB, 0, {
    edgeId: 'q',
    partitionId: pid,
    numberOfSubpartitions: 1,
  });
  const client = new DataExchangeClient(a.address, grpc.credentials.createInsecure(), GRPC_OPTIONS);
  cleanup.push(() => client.close());
  const def = DataExchangeService.exchange;
  const call = client.makeBidiStreamRequest(def.path, def.requestSerialize, def.responseDeserialize);
  call.on('error', () => {});
  const frames: Frame[] = [];
  const gotError = new Promise<void>((resolve) =>
    call.on('data', (f: Frame) => {
      frames.push(f);
      if (f.body === 'error') resolve();
    }),
  );
  call.write(
    pb.DataFrame.create({
      channel: 3,
      seq: 0,
      open: pb.OpenChannel.create({
        jobId: TEST_JOB,
        attempt: 0,
        partitionId: pid,
        subpartition: 0,
        initialCredit: 1,
      }),
    }),
  );
  call.write(pb.DataFrame.create({ channel: 3, seq: 7, credit: 1 }));
  await gotError;
  assert.match(frames.at(-1)!.error!.message!, /frame 7 arrived at the producer where 1 was expected/);
  call.cancel();
  writer.release();
});

test('records of 1 MiB among small ones arrive intact (the size estimate adapts)', async () => {
  const a = await tm();
  const b = await tm();
  const pid = partitionId(TEST_JOB, 0, 'big', 0);
  const writer = a.network.createResultPartition(TEST_JOB, 0, {
    edgeId: 'big',
    partitionId: pid,
    numberOfSubpartitions: 1,
  });
  const gate = b.network.createInputGate(TEST_JOB, 0, {
    edgeId: 'big',
    inputIndex: 0,
    channels: [channel(pid, 0, a.location)],
  });
  const big = { blob: 'x'.repeat(1 << 20) };
  const records: unknown[] = [];
  for (let i = 0; i < 20_000; i++) records.push(i % 5000 === 4999 ? big : { i });
  const result = collect(gate);
  for (let i = 0; i < records.length; i += 100) {
    if (!writer.isAvailable()) await writer.whenAvailable();
    writer.emit(0, records, i, i + 100);
  }
  writer.finish();
  assert.deepEqual((await result).records[0], records);
});
