// The JobManager end to end over real HTTP and real gRPC, with TaskManagers faked in the test:
// each fake is a grpc-js server implementing TaskExecutorGateway that registers, heartbeats and
// reports task states like a real TaskManager would.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { pack } from 'msgpackr';
import { CollectSink, StreamExecutionEnvironment, generateJobGraph, type JobGraph } from '@eddy/api';
import { Configuration, silentLogger, userError } from '@eddy/common';
import {
  BlobServiceClient,
  GRPC_OPTIONS,
  JobManagerGatewayClient,
  JobManagerGatewayService,
  TaskExecutorGatewayService,
  pb,
  unary,
  type eddy,
} from '@eddy/network';
import type { TaskDeploymentDescriptor } from '@eddy/runtime';
import { startJobManager, type JobManagerHandle } from './jobmanager.ts';
import { u64 } from '@eddy/network';

const ExecState = pb.ExecutionState;

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A TaskManager reduced to its protocol: a real gRPC server, scripted reports. */
class FakeTaskManager {
  readonly id: string;
  readonly deployments: eddy.v1.TaskDeployment[] = [];
  readonly cancels: eddy.v1.CancelTaskRequest[] = [];
  readonly #server = new grpc.Server();
  readonly #jm: grpc.Client;
  address = '';
  leaderEpoch = 0;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(id: string, jmRpcAddress: string) {
    this.id = id;
    this.#jm = new JobManagerGatewayClient(jmRpcAddress, grpc.credentials.createInsecure(), GRPC_OPTIONS);
    this.#server.addService(TaskExecutorGatewayService, {
      submitTask: (
        call: grpc.ServerUnaryCall<eddy.v1.TaskDeployment, eddy.v1.Ack>,
        cb: grpc.sendUnaryData<eddy.v1.Ack>,
      ) => {
        this.deployments.push(call.request);
        cb(null, pb.Ack.create({ ok: true }));
      },
      cancelTask: (
        call: grpc.ServerUnaryCall<eddy.v1.CancelTaskRequest, eddy.v1.Ack>,
        cb: grpc.sendUnaryData<eddy.v1.Ack>,
      ) => {
        this.cancels.push(call.request);
        cb(null, pb.Ack.create({ ok: true }));
        const r = call.request;
        setImmediate(() => {
          this.report(
            { jobId: r.jobId, attempt: r.attempt, executionId: r.executionId },
            ExecState.CANCELED,
          ).catch(() => undefined);
        });
      },
    });
  }

  async start(slots: number): Promise<void> {
    const port = await new Promise<number>((resolve, reject) =>
      this.#server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e === null ? resolve(p) : reject(e),
      ),
    );
    this.address = `127.0.0.1:${port}`;
    const res = await unary(
      this.#jm,
      JobManagerGatewayService.registerTaskManager,
      pb.RegisterTaskManagerRequest.create({
        taskManagerId: this.id,
        address: this.address,
        numberOfSlots: slots,
      }),
    );
    assert.equal(res.accepted, true, res.error);
    this.leaderEpoch = u64(res.leaderEpoch);
    this.#heartbeat = setInterval(() => {
      unary(
        this.#jm,
        JobManagerGatewayService.heartbeat,
        pb.HeartbeatRequest.create({ taskManagerId: this.id, leaderEpoch: this.leaderEpoch }),
      ).catch(() => undefined);
    }, res.heartbeatIntervalMs);
  }

  stopHeartbeats(): void {
    clearInterval(this.#heartbeat);
  }

  descriptors(attempt: number): TaskDeploymentDescriptor[] {
    return this.deployments
      .filter((d) => d.attempt === attempt)
      .map((d) => JSON.parse(d.descriptorJson) as TaskDeploymentDescriptor);
  }

  async report(
    d: { jobId: string; attempt: number; executionId: string },
    state: eddy.v1.ExecutionState,
    errorJson = '',
  ): Promise<eddy.v1.Ack> {
    return unary(
      this.#jm,
      JobManagerGatewayService.updateTaskExecutionState,
      pb.TaskExecutionStateUpdate.create({
        taskManagerId: this.id,
        jobId: d.jobId,
        attempt: d.attempt,
        executionId: d.executionId,
        state,
        errorJson,
        leaderEpoch: this.leaderEpoch,
      }),
    );
  }

  async reportAll(attempt: number, state: eddy.v1.ExecutionState): Promise<void> {
    for (const d of this.deployments.filter((x) => x.attempt === attempt)) {
      const ack = await this.report(d, state);
      assert.equal(ack.ok, true, ack.error);
    }
  }

  async collect(jobId: string, attempt: number, sinkUid: string, records: unknown[]): Promise<eddy.v1.Ack> {
    return unary(
      this.#jm,
      JobManagerGatewayService.reportCollected,
      pb.CollectedRecords.create({ jobId, attempt, sinkUid, subtask: 0, payload: pack(records) }),
    );
  }

  async close(): Promise<void> {
    this.stopHeartbeats();
    this.#jm.close();
    this.#server.forceShutdown();
  }
}

function testGraph(parallelism: number, name = 'test-job'): JobGraph {
  const env = new StreamExecutionEnvironment(parallelism, name);
  env
    .fromSequence(0, 9)
    .map((x: number) => x * 2)
    .rebalance()
    .sinkTo(new CollectSink())
    .uid('out');
  return generateJobGraph(env).graph;
}

function config(extra: [string, string | number][] = []): Configuration {
  return new Configuration([
    ['rest.port', 0],
    ['jobmanager.rpc.port', 0],
    ['metrics.port', 0],
    ['heartbeat.interval', 50],
    ['heartbeat.timeout', 500],
    ['restart-strategy.exponential-delay.initial-backoff', 50],
    ['restart-strategy.exponential-delay.jitter-factor', 0],
    ['jobmanager.bundle.max-size', 1024],
    ...extra,
  ]);
}

/** Every field any REST response of these tests has; each response has some of them. */
interface ApiBody {
  errors: { code: string; message: string }[];
  bundleKey: string;
  jobId: string;
  state: string;
  jobs: { jobId: string; state: string; name: string }[];
  history: { attempt: number; error: { code: string; message: string } }[];
  taskmanagers: { id: string; slots: number; address: string }[];
  records: unknown[];
  jobsFinished: number;
  slotsAvailable: number;
  slotsTotal: number;
}

/** The first entry of an error body, after checking the body is `{"errors":[{code,message}...]}`. */
function firstError(body: ApiBody): { code: string; message: string } {
  assert.deepEqual(Object.keys(body), ['errors'], JSON.stringify(body));
  assert.ok(Array.isArray(body.errors) && body.errors.length > 0, JSON.stringify(body));
  for (const e of body.errors) {
    assert.deepEqual(Object.keys(e).sort(), ['code', 'message'], JSON.stringify(body));
    assert.equal(typeof e.code, 'string');
    assert.equal(typeof e.message, 'string');
  }
  return body.errors[0]!;
}

/** GET /v1/jobs/:id. */
interface JobView {
  state: string;
  attempt: number;
  restarts: number;
  endTime: number | null;
  failure?: { code: string; message: string };
  vertices: { id: string; tasks: { subtask: number; state: string; taskManagerId: string | null }[] }[];
}

class Rest {
  readonly base: string;
  constructor(jm: JobManagerHandle) {
    this.base = `http://${jm.restAddress}/v1`;
  }
  async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: ApiBody }> {
    const init: RequestInit = { method };
    if (body instanceof Uint8Array) {
      init.body = body;
      init.headers = { 'content-type': 'application/octet-stream' };
    } else if (typeof body === 'string') {
      init.body = body;
    } else if (body !== undefined) {
      init.body = JSON.stringify(body);
    }
    const res = await fetch(this.base + path, init);
    return { status: res.status, json: (await res.json()) as ApiBody };
  }
  async job(id: string): Promise<JobView> {
    const res = await fetch(`${this.base}/jobs/${id}`);
    assert.equal(res.status, 200);
    return (await res.json()) as JobView;
  }
  async upload(): Promise<string> {
    const r = await this.call('POST', '/jars', new TextEncoder().encode('export default "bundle";'));
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return r.json.bundleKey;
  }
  async submit(graph: JobGraph, bundleKey: string): Promise<string> {
    const r = await this.call('POST', '/jobs', {
      bundleKey,
      jobGraph: graph,
      args: ['--n', '3'],
      defaultParallelism: 2,
    });
    assert.equal(r.status, 202, JSON.stringify(r.json));
    return r.json.jobId;
  }
}

interface Cluster {
  readonly jm: JobManagerHandle;
  readonly rest: Rest;
  fake(id: string, slots: number): Promise<FakeTaskManager>;
}

/** A JobManager of its own for each test, so that no TaskManager of one test serves another. */
async function cluster(t: TestContext, extra: [string, string | number][] = []): Promise<Cluster> {
  const jm = await startJobManager({ config: config(extra), logger: silentLogger() });
  const fakes: FakeTaskManager[] = [];
  t.after(async () => {
    for (const f of fakes) await f.close();
    await jm.close();
    await jm.close(); // idempotent
  });
  return {
    jm,
    rest: new Rest(jm),
    fake: async (id, slots) => {
      const tm = new FakeTaskManager(id, jm.rpcAddress);
      fakes.push(tm);
      await tm.start(slots);
      return tm;
    },
  };
}

describe('JobManager', () => {
  test('REST errors are JSON that names the problem', async (t) => {
    const { rest } = await cluster(t);
    const malformed = await rest.call('POST', '/jobs', '{"bundleKey": ');
    assert.equal(malformed.status, 400);
    assert.equal(firstError(malformed.json).code, 'MALFORMED_JSON');

    const big = await rest.call('POST', '/jars', new Uint8Array(4096));
    assert.equal(big.status, 413);
    assert.equal(firstError(big.json).code, 'BUNDLE_TOO_LARGE');
    assert.match(firstError(big.json).message, /1024 bytes.*jobmanager\.bundle\.max-size/);

    // Without a content-length the limit is enforced while streaming.
    const chunks = [new Uint8Array(800), new Uint8Array(800)];
    const streamed = await fetch(`${rest.base}/jars`, {
      method: 'POST',
      body: new ReadableStream({
        pull(c) {
          const next = chunks.shift();
          if (next === undefined) c.close();
          else c.enqueue(next);
        },
      }),
      duplex: 'half',
    });
    assert.equal(streamed.status, 413);

    const empty = await rest.call('POST', '/jars', new Uint8Array(0));
    assert.equal(empty.status, 400);
    assert.equal(firstError(empty.json).code, 'BUNDLE_EMPTY');

    const key = await rest.upload();
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.equal(await rest.upload(), key, 'content-addressed');

    const graph = testGraph(1);
    const invalid = await rest.call('POST', '/jobs', {
      bundleKey: key,
      jobGraph: {
        ...graph,
        vertices: [{ ...graph.vertices[0], parallelism: 0 }, ...graph.vertices.slice(1)],
      },
      args: [],
    });
    assert.equal(invalid.status, 422);
    assert.equal(firstError(invalid.json).code, 'JOB_GRAPH_INVALID');
    assert.match(firstError(invalid.json).message, /vertices\[0\]\.parallelism/);

    const noBundle = await rest.call('POST', '/jobs', {
      bundleKey: 'f'.repeat(64),
      jobGraph: graph,
      args: [],
    });
    assert.equal(noBundle.status, 404);
    assert.equal(firstError(noBundle.json).code, 'BUNDLE_NOT_FOUND');

    const badFields = await rest.call('POST', '/jobs', { bundleKey: 'x', jobGraph: graph, args: [1] });
    assert.equal(badFields.status, 400);
    // One entry per problem, each naming its field.
    firstError(badFields.json);
    assert.deepEqual(
      badFields.json.errors.map((e) => e.code),
      ['INVALID_REQUEST', 'INVALID_REQUEST'],
    );
    assert.match(badFields.json.errors[0]?.message ?? '', /invalid job submission: bundleKey must be/);
    assert.match(badFields.json.errors[1]?.message ?? '', /invalid job submission: args must be/);

    const unknown = await rest.call('GET', `/jobs/${'a'.repeat(32)}`);
    assert.equal(unknown.status, 404);
    assert.equal(firstError(unknown.json).code, 'JOB_NOT_FOUND');
    assert.equal((await rest.call('GET', `/jobs/${'a'.repeat(32)}/exceptions`)).status, 404);
    const badId = await rest.call('GET', '/jobs/not-a-job');
    assert.equal(badId.status, 400);
    assert.match(firstError(badId.json).message, /32 lowercase hex/);
    const nope = await rest.call('GET', '/nope');
    assert.equal(nope.status, 404);
    assert.equal(firstError(nope.json).code, 'NOT_FOUND');
    const deleted = await rest.call('DELETE', '/jobs');
    assert.equal(deleted.status, 405);
    assert.equal(firstError(deleted.json).code, 'METHOD_NOT_ALLOWED');
  });

  test('a job is deployed to a TaskManager, collects records and FINISHES', async (t) => {
    const { jm, rest, fake } = await cluster(t);
    const tm = await fake('tm-happy', 2);
    const key = await rest.upload();
    const graph = testGraph(2, 'happy');
    const jobId = await rest.submit(graph, key);
    const tasks = graph.vertices.reduce((n, v) => n + v.parallelism, 0);
    await waitFor('all subtasks deployed', () => tm.deployments.length === tasks);

    const d0 = tm.deployments[0];
    assert.ok(d0);
    assert.equal(d0.jobId, jobId);
    assert.equal(d0.bundleKey, key);
    assert.equal(u64(d0.leaderEpoch), tm.leaderEpoch);
    const descriptors = tm.descriptors(0);
    for (const d of descriptors) {
      assert.equal(d.jobName, 'happy');
      assert.deepEqual(d.submission, { args: ['--n', '3'], defaultParallelism: 2, graphHash: graph.hash });
      for (const g of d.inputGates) for (const c of g.channels) assert.equal(c.producer.address, tm.address);
    }

    // The bundle can be fetched over gRPC, size on the first chunk.
    const blobs = new BlobServiceClient(jm.rpcAddress, grpc.credentials.createInsecure(), GRPC_OPTIONS);
    const chunks: eddy.v1.BlobChunk[] = [];
    await new Promise<void>((resolve, reject) => {
      const call = blobs.makeServerStreamRequest(
        '/eddy.v1.BlobService/FetchBlob',
        (m: eddy.v1.FetchBlobRequest) => Buffer.from(pb.FetchBlobRequest.encode(m).finish()),
        (b: Buffer) => pb.BlobChunk.decode(b),
        pb.FetchBlobRequest.create({ key }),
      );
      call.on('data', (c: eddy.v1.BlobChunk) => chunks.push(c));
      call.on('end', resolve);
      call.on('error', reject);
    });
    assert.equal(Buffer.concat(chunks.map((c) => c.data)).toString(), 'export default "bundle";');
    assert.equal(u64(chunks[0]?.size), 'export default "bundle";'.length);
    const missing = blobs.makeServerStreamRequest(
      '/eddy.v1.BlobService/FetchBlob',
      (m: eddy.v1.FetchBlobRequest) => Buffer.from(pb.FetchBlobRequest.encode(m).finish()),
      (b: Buffer) => pb.BlobChunk.decode(b),
      pb.FetchBlobRequest.create({ key: 'e'.repeat(64) }),
    );
    const status = await new Promise<number>((resolve) => {
      missing.on('error', (e: grpc.ServiceError) => resolve(e.code));
      missing.on('data', () => undefined);
    });
    assert.equal(status, grpc.status.NOT_FOUND);
    blobs.close();

    await tm.reportAll(0, ExecState.RUNNING);
    const running = await rest.job(jobId);
    assert.equal(running.state, 'RUNNING');
    assert.ok(running.vertices.every((v) => v.tasks.every((t) => t.state === 'RUNNING')));
    assert.equal(running.vertices[0]?.tasks[0]?.taskManagerId, 'tm-happy');

    assert.equal((await tm.collect(jobId, 0, 'out', [1, { a: 2 }])).ok, true);
    assert.equal((await tm.collect(jobId, 7, 'out', [99])).ok, false, 'stale attempt is fenced');
    assert.deepEqual((await rest.call('GET', `/jobs/${jobId}/collect?sink=out`)).json, {
      records: [1, { a: 2 }],
    });
    const misspelt = await rest.call('GET', `/jobs/${jobId}/collect?sink=oot`);
    assert.equal(misspelt.status, 404);
    assert.equal(firstError(misspelt.json).code, 'SINK_NOT_FOUND');
    assert.match(
      firstError(misspelt.json).message,
      /no CollectSink with uid 'oot' \(its CollectSinks: 'out'\)/,
    );

    const stale = await tm.report({ jobId, attempt: 3, executionId: d0.executionId }, ExecState.FAILED);
    assert.equal(stale.ok, false, 'a report of another attempt is fenced');

    await tm.reportAll(0, ExecState.FINISHED);
    const done = await rest.job(jobId);
    assert.equal(done.state, 'FINISHED');
    assert.equal(typeof done.endTime, 'number');

    const list = await rest.call('GET', '/jobs');
    assert.ok(list.json.jobs.some((j) => j.jobId === jobId && j.state === 'FINISHED' && j.name === 'happy'));
    const overview = (await rest.call('GET', '/overview')).json;
    assert.ok(overview.jobsFinished >= 1);
    assert.equal(overview.slotsAvailable, overview.slotsTotal, 'slots released');
    const tms = (await rest.call('GET', '/taskmanagers')).json.taskmanagers;
    assert.ok(tms.some((t) => t.id === 'tm-happy' && t.slots === 2 && t.address === tm.address));

    const metrics = await (await fetch(`http://${jm.metricsAddress}/metrics`)).text();
    assert.match(metrics, /eddy_jobmanager_taskmanagers_registered \d/);
    assert.match(metrics, /eddy_jobmanager_slots_available \d/);

    const again = await rest.call('POST', `/jobs/${jobId}/cancel`);
    assert.equal(again.status, 409);
    await tm.close();
  });

  test('a user error fails the job without restart; cancel reaches CANCELED', async (t) => {
    const { rest, fake } = await cluster(t);
    const tm = await fake('tm-user', 4);
    const key = await rest.upload();
    const jobId = await rest.submit(testGraph(1, 'broken'), key);
    await waitFor('deployed', () => tm.deployments.some((d) => d.jobId === jobId));
    const d = tm.deployments.find((x) => x.jobId === jobId);
    assert.ok(d);
    const err = userError('JOB_GRAPH_MISMATCH', 'the job built a different graph in the TaskManager');
    await tm.report(d, ExecState.FAILED, JSON.stringify(err.toJSON()));
    const failed = await waitFor('FAILED', async () => {
      const j = await rest.job(jobId);
      return j.state === 'FAILED' ? j : undefined;
    });
    assert.equal(failed.restarts, 0);
    assert.equal(failed.failure?.code, 'JOB_GRAPH_MISMATCH');
    const history = (await rest.call('GET', `/jobs/${jobId}/exceptions`)).json.history;
    assert.equal(history.length, 1);
    assert.equal(history[0]?.error.code, 'JOB_GRAPH_MISMATCH');

    const jobId2 = await rest.submit(testGraph(2, 'to-cancel'), key);
    await waitFor('deployed', () => tm.deployments.filter((x) => x.jobId === jobId2).length === 4);
    for (const x of tm.deployments.filter((y) => y.jobId === jobId2)) await tm.report(x, ExecState.RUNNING);
    const cancel = await rest.call('POST', `/jobs/${jobId2}/cancel`);
    assert.equal(cancel.status, 202);
    assert.equal(cancel.json.state, 'CANCELLING');
    await waitFor('CANCELED', async () => (await rest.job(jobId2)).state === 'CANCELED');
    assert.equal(tm.cancels.filter((c) => c.jobId === jobId2).length, 4);
    await tm.close();
  });

  test('a lost TaskManager restarts the job, which is redeployed as attempt 1 on a new one', async (t) => {
    const { jm, rest, fake } = await cluster(t);
    const tm1 = await fake('tm-doomed', 2);
    const key = await rest.upload();
    const jobId = await rest.submit(testGraph(2, 'failover'), key);
    await waitFor('deployed on tm1', () => tm1.deployments.filter((d) => d.jobId === jobId).length === 4);
    await tm1.reportAll(0, ExecState.RUNNING);
    tm1.stopHeartbeats();

    await waitFor('RESTARTING', async () => (await rest.job(jobId)).state === 'RESTARTING');
    const history = (await rest.call('GET', `/jobs/${jobId}/exceptions`)).json.history;
    assert.equal(history[0]?.error.code, 'TASK_MANAGER_LOST');
    assert.match(history[0]?.error.message ?? '', new RegExp(`tm-doomed at ${tm1.address}`));
    assert.equal(
      (await rest.call('GET', '/taskmanagers')).json.taskmanagers.some((t) => t.id === 'tm-doomed'),
      false,
    );

    const tm2 = await fake('tm-rescue', 2);
    await waitFor('redeployed on tm2', () => tm2.deployments.filter((d) => d.jobId === jobId).length === 4);
    assert.ok(tm2.deployments.every((d) => d.attempt === 1));
    const job = await rest.job(jobId);
    assert.equal(job.state, 'RUNNING');
    assert.equal(job.attempt, 1);
    assert.equal(job.restarts, 1);
    // Reports of the lost attempt are fenced.
    const first = tm1.deployments[0];
    assert.ok(first);
    assert.equal((await tm1.report(first, ExecState.FINISHED)).ok, false);

    await tm2.reportAll(1, ExecState.FINISHED);
    await waitFor('FINISHED', async () => (await rest.job(jobId)).state === 'FINISHED');
    const metrics = await (await fetch(`http://${jm.metricsAddress}/metrics`)).text();
    assert.match(metrics, new RegExp(`eddy_job_restarts_total\\{job_id="${jobId}"\\} 1`));
  });

  test('without enough slots the job fails with NO_RESOURCES after slot.request.timeout', async (t) => {
    const { rest, fake } = await cluster(t, [
      ['slot.request.timeout', 300],
      ['restart-strategy.type', 'none'],
    ]);
    await fake('tm-small', 1);
    const key = await rest.upload();
    const jobId = await rest.submit(testGraph(2, 'too-wide'), key);
    assert.equal((await rest.job(jobId)).state, 'CREATED');
    const failed = await waitFor('FAILED', async () => {
      const j = await rest.job(jobId);
      return j.state === 'FAILED' ? j : undefined;
    });
    assert.equal(failed.failure?.code, 'NO_RESOURCES');
    assert.match(
      failed.failure?.message ?? '',
      /needs 2 slots.*1 of 1 slots were free.*start more TaskManagers/,
    );
  });
});
