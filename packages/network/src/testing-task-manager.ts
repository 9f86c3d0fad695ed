// Test support: a NetworkEnvironment behind a real gRPC server on 127.0.0.1 (port 0), standing in
// for one TaskManager, plus small task loops that drive writers and gates as the runtime does.
import * as grpc from '@grpc/grpc-js';
import { Configuration, silentLogger, type JobId, type TaskManagerId } from '@eddy/common';
import type {
  InputChannelDeploymentDescriptor,
  InputGate,
  InputGateElement,
  ResultPartitionWriter,
  TaskManagerLocation,
} from '@eddy/runtime';
import { NetworkEnvironment } from './network-environment.ts';
import { GRPC_OPTIONS } from './rpc.ts';

/** One simulated TaskManager: its gRPC server and network environment. */
export interface TestingTaskManager {
  readonly address: string;
  readonly location: TaskManagerLocation;
  readonly server: grpc.Server;
  readonly network: NetworkEnvironment;
  close(): Promise<void>;
}

/** Starts a gRPC server on a free port with a NetworkEnvironment bound to it. */
export async function startTestingTaskManager(
  settings: Record<string, number> = {},
  partitionRequestTimeoutMs?: number,
): Promise<TestingTaskManager> {
  const server = new grpc.Server(GRPC_OPTIONS);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err === null ? resolve(p) : reject(err),
    ),
  );
  const address = `127.0.0.1:${port}`;
  const network = new NetworkEnvironment({
    localAddress: address,
    config: new Configuration(Object.entries(settings)),
    logger: silentLogger(),
    ...(partitionRequestTimeoutMs === undefined ? {} : { partitionRequestTimeoutMs }),
  });
  network.bind(server);
  let closed = false;
  return {
    address,
    location: { taskManagerId: `tm-${port}` as TaskManagerId, address },
    server,
    network,
    async close() {
      if (closed) return;
      closed = true;
      await network.close();
      server.forceShutdown();
    },
  };
}

/** Channel descriptor of subpartition `subpartition` of `partitionId` produced at `producer`. */
export function channel(
  partitionId: string,
  subpartition: number,
  producer: TaskManagerLocation,
  producerSubtask = 0,
): InputChannelDeploymentDescriptor {
  return { partitionId, subpartition, producerSubtask, producer };
}

/** Writes `records` to `subpartition` in batches of `batch`, waiting while the writer is backpressured. */
export async function produce(
  writer: ResultPartitionWriter,
  subpartition: number,
  records: readonly unknown[],
  batch = 1000,
  onBackpressure?: () => void,
): Promise<void> {
  for (let i = 0; i < records.length; i += batch) {
    if (!writer.isAvailable()) {
      onBackpressure?.();
      await writer.whenAvailable();
    }
    writer.emit(subpartition, records, i, Math.min(records.length, i + batch));
  }
}

/** Reads a gate to the end as a task would, calling `onElement` for everything polled. */
export async function consume(
  gate: InputGate,
  onElement: (element: InputGateElement) => void | Promise<void>,
): Promise<void> {
  while (!gate.isFinished()) {
    let element = gate.pollNext();
    while (element !== undefined) {
      await onElement(element);
      element = gate.pollNext();
    }
    if (!gate.isFinished()) await gate.whenAvailable();
  }
}

/** Records per channel plus the non-EOP events per channel, in arrival order. */
export async function collect(gate: InputGate): Promise<{ records: unknown[][]; elements: string[][] }> {
  const records: unknown[][] = Array.from({ length: gate.numberOfChannels }, () => []);
  const elements: string[][] = Array.from({ length: gate.numberOfChannels }, () => []);
  await consume(gate, (e) => {
    if (e.kind === 'records') {
      for (const r of e.records) records[e.channel]!.push(r);
      elements[e.channel]!.push(`records`);
    } else {
      elements[e.channel]!.push(`event:${e.event.kind}`);
    }
  });
  return { records, elements };
}

/** The id of a job for tests. */
export const TEST_JOB = '0123456789abcdef0123456789abcdef' as JobId;

/** Waits until `condition()` holds, polling every few ms, or fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
