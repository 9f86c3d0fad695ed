import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EddyError, type JobId } from '@eddy/common';
import { RestClient } from './rest-client.ts';

type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;

/** A tiny HTTP server answering with `handler`; stands in for the JobManager's REST API. */
async function withServer(handler: Handler, fn: (client: RestClient) => Promise<void>): Promise<void> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks), res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    await fn(new RestClient(`127.0.0.1:${port}`, { timeoutMs: 5000 }));
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};
const JOB = 'ab'.repeat(16) as JobId;

test("a server error body becomes an EddyError with the server's code and message", async () => {
  await withServer(
    (_req, _body, res) => json(res, 404, { errors: [{ code: 'JOB_NOT_FOUND', message: `no job ${JOB}` }] }),
    async (client) => {
      await assert.rejects(client.getJob(JOB), (err: unknown) => {
        assert.ok(err instanceof EddyError);
        assert.equal(err.code, 'JOB_NOT_FOUND');
        assert.equal(err.message, `no job ${JOB}`);
        assert.equal(err.domain, 'user');
        return true;
      });
    },
  );
});

test('several error entries become one error with the first code and every message', async () => {
  const errors = [
    { code: 'INVALID_REQUEST', message: 'bundleKey must be 64 hex characters' },
    { code: 'INVALID_REQUEST', message: 'args must be an array of strings' },
  ];
  await withServer(
    (_req, _body, res) => json(res, 400, { errors }),
    async (client) => {
      await assert.rejects(client.listJobs(), (err: unknown) => {
        assert.ok(err instanceof EddyError);
        assert.equal(err.code, 'INVALID_REQUEST');
        assert.equal(err.message, `${errors[0]!.message}\n${errors[1]!.message}`);
        return true;
      });
    },
  );
});

test('5xx errors are external; the older {error:{...}} form is understood too', async () => {
  await withServer(
    (_req, _body, res) => json(res, 503, { error: { code: 'NO_LEADER', message: 'not ready yet' } }),
    async (client) => {
      await assert.rejects(client.listJobs(), (err: unknown) => {
        assert.ok(err instanceof EddyError);
        assert.equal(err.code, 'NO_LEADER');
        assert.equal(err.message, 'not ready yet');
        assert.equal(err.domain, 'external');
        assert.equal(err.retryable, true);
        return true;
      });
    },
  );
});

test('a 413 without a body says the bundle is too large; other bodies are quoted', async () => {
  await withServer(
    (req, _body, res) => {
      if (req.url === '/v1/jars') res.writeHead(413).end();
      else res.writeHead(500).end('<html>proxy error</html>');
    },
    async (client) => {
      await assert.rejects(client.uploadBundle(new Uint8Array(10)), { code: 'BUNDLE_TOO_LARGE' });
      await assert.rejects(
        client.overview(),
        /GET \/v1\/overview failed with HTTP 500: <html>proxy error<\/html>/,
      );
    },
  );
});

test('uploads send the raw bytes; submit sends JSON', async () => {
  const seen: {
    method: string | undefined;
    url: string | undefined;
    type: string | undefined;
    body: Buffer;
  }[] = [];
  await withServer(
    (req, body, res) => {
      seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], body });
      if (req.url === '/v1/jars') json(res, 201, { bundleKey: 'k1' });
      else json(res, 202, { jobId: JOB });
    },
    async (client) => {
      const bytes = new Uint8Array([1, 2, 3, 255]);
      assert.deepEqual(await client.uploadBundle(bytes), { bundleKey: 'k1' });
      const graph = { version: 1 } as never;
      assert.deepEqual(
        await client.submitJob({
          bundleKey: 'k1',
          jobGraph: graph,
          args: ['--x', '1'],
          defaultParallelism: 2,
        }),
        { jobId: JOB },
      );
    },
  );
  assert.equal(seen[0]?.type, 'application/octet-stream');
  assert.deepEqual([...(seen[0]?.body ?? [])], [1, 2, 3, 255]);
  assert.equal(seen[1]?.url, '/v1/jobs');
  assert.deepEqual(JSON.parse(seen[1]?.body.toString() ?? ''), {
    bundleKey: 'k1',
    jobGraph: { version: 1 },
    args: ['--x', '1'],
    defaultParallelism: 2,
  });
});

test('waitForJob polls until a terminal state', async () => {
  let polls = 0;
  await withServer(
    (_req, _body, res) => {
      polls++;
      json(res, 200, { jobId: JOB, state: polls < 3 ? 'RUNNING' : 'FINISHED', vertices: [] });
    },
    async (client) => {
      const states: string[] = [];
      const job = await client.waitForJob(JOB, { intervalMs: 10, onStatus: (j) => states.push(j.state) });
      assert.equal(job.state, 'FINISHED');
      assert.deepEqual(states, ['RUNNING', 'RUNNING', 'FINISHED']);
    },
  );
});

test('waitForJob stops when its signal aborts', async () => {
  await withServer(
    (_req, _body, res) => json(res, 200, { jobId: JOB, state: 'RUNNING', vertices: [] }),
    async (client) => {
      const ac = new AbortController();
      setTimeout(() => ac.abort(new Error('stop waiting')), 50);
      await assert.rejects(client.waitForJob(JOB, { intervalMs: 10, signal: ac.signal }), /stop waiting/);
    },
  );
});

test('an unreachable JobManager is an external, retryable error that says what to do', async () => {
  // Bind and close a server to get a port nobody listens on.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  const client = new RestClient(`127.0.0.1:${port}`);
  await assert.rejects(client.listJobs(), (err: unknown) => {
    assert.ok(err instanceof EddyError);
    assert.equal(err.code, 'JOBMANAGER_UNREACHABLE');
    assert.equal(err.domain, 'external');
    assert.match(
      err.message,
      new RegExp(`cannot reach the JobManager at http://127.0.0.1:${port} \\(ECONNREFUSED\\)`),
    );
    assert.match(err.message, /eddy cluster start/);
    return true;
  });
});

test('a non-JSON success body is reported, not parsed as garbage', async () => {
  await withServer(
    (_req, _body, res) => res.writeHead(200).end('hello'),
    async (client) => {
      await assert.rejects(client.overview(), { code: 'JOBMANAGER_BAD_RESPONSE' });
    },
  );
});

test('savepoint triggers post JSON and return the request id; waitForSavepoint polls to the end', async () => {
  const seen: { method: string | undefined; url: string | undefined; body: string }[] = [];
  let polls = 0;
  await withServer(
    (req, body, res) => {
      seen.push({ method: req.method, url: req.url, body: body.toString() });
      if (req.method === 'POST') json(res, 202, { requestId: 'r1' });
      else if (++polls < 3) json(res, 200, { requestId: 'r1', status: 'IN_PROGRESS' });
      else json(res, 200, { requestId: 'r1', status: 'COMPLETED', location: '/sp' });
    },
    async (client) => {
      assert.deepEqual(await client.triggerSavepoint(JOB), { requestId: 'r1' });
      assert.deepEqual(await client.triggerSavepoint(JOB, '/sp'), { requestId: 'r1' });
      assert.deepEqual(await client.stopJob(JOB, { targetDirectory: '/sp', drain: true }), {
        requestId: 'r1',
      });
      const done = await client.waitForSavepoint(JOB, 'r1', { intervalMs: 1 });
      assert.equal(done.location, '/sp');
    },
  );
  assert.deepEqual(
    seen.slice(0, 3).map((s) => [s.method, s.url, JSON.parse(s.body) as unknown]),
    [
      ['POST', `/v1/jobs/${JOB}/savepoints`, {}],
      ['POST', `/v1/jobs/${JOB}/savepoints`, { targetDirectory: '/sp' }],
      ['POST', `/v1/jobs/${JOB}/stop`, { targetDirectory: '/sp', drain: true }],
    ],
  );
  assert.equal(seen[3]?.url, `/v1/jobs/${JOB}/savepoints/r1`);
  assert.equal(polls, 3);
});
