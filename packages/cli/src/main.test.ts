import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { CliIo } from './cli-io.ts';
import { main } from './main.ts';

async function cli(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env };
  const code = await main(argv, io);
  return { code, out, err };
}

test('--help lists every command on stdout', async () => {
  const r = await cli(['--help']);
  assert.equal(r.code, 0);
  for (const c of [
    'run <job>',
    'list',
    'info <jobId>',
    'cancel <jobId>',
    'savepoint [jobId] [targetDirectory]',
    'stop <jobId>',
    'checkpoints <jobId>',
    'cluster',
    'jobmanager',
    'taskmanager',
  ]) {
    assert.ok(r.out.includes(`eddy ${c}`), c);
  }
  assert.equal(r.err, '');
});

test('usage errors: one line naming the problem, a pointer to --help, exit 2, no stack', async () => {
  const cases: [string[], RegExp][] = [
    [[], /^eddy: name a command\nRun 'eddy --help' for usage\.\n$/],
    [['run'], /^eddy: name the job file: eddy run \[options\] <job>.*\nRun 'eddy run --help'/],
    [['run', 'job.ts', '--bogus'], /^eddy: Unknown argument: bogus\n/],
    [['lst'], /^eddy: unknown command; did you mean list\?/],
    [['info'], /^eddy: name the job: eddy info <jobId>/],
    [['cluster'], /^eddy: name a subcommand: 'eddy cluster start' or 'eddy cluster stop'/],
    [['list', '--', 'x'], /^eddy: only 'eddy run' takes arguments after '--'/],
    [
      ['savepoint'],
      /^eddy: name the job: eddy savepoint <jobId> \[targetDirectory\].*\nRun 'eddy savepoint --help'/,
    ],
    [['stop'], /^eddy: name the job: eddy stop <jobId>/],
    [['checkpoints'], /^eddy: name the job: eddy checkpoints <jobId>/],
    [
      ['savepoint', 'ab'.repeat(16), '--dispose', '/x'],
      /^eddy: --dispose takes the savepoint path and no job id/,
    ],
    [['run', '-n', 'job.ts'], /^eddy: --allow-non-restored-state only applies to a restore/],
  ];
  for (const [argv, expected] of cases) {
    const r = await cli(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, expected, argv.join(' '));
    assert.doesNotMatch(r.err, /\s+at /, 'no stack trace');
    assert.equal(r.out, '');
  }
});

test('values are validated before anything is contacted: bad values exit 2, a missing file 1', async () => {
  const env = { EDDY_JOBMANAGER: '127.0.0.1:1' }; // nothing listens there; validation must fail first
  const cases: [string[], RegExp, number][] = [
    [['info', 'xyz'], /^eddy: invalid job id 'xyz': a job id is 32 hexadecimal/, 2],
    [['cancel', '123'], /^eddy: invalid job id '123'/, 2],
    [['list', '-m', 'nohost'], /^eddy: invalid JobManager address \(-m\/--jobmanager\) 'nohost'/, 2],
    [['run', '-p', '0', 'x.ts'], /^eddy: -p\/--parallelism must be an integer >= 1/, 2],
    [['run', '--local', '-d', 'x.ts'], /cannot be combined with -d/, 2],
    [['cluster', 'start', '-n', '0'], /--taskmanagers must be an integer >= 1/, 2],
    [['cluster', 'start', '-D', 'novalue'], /-D expects key=value, got 'novalue'/, 2],
    // The command line is fine; the file named in it is not there.
    [['run', 'no/such/job.ts'], /^eddy: job file not found: no\/such\/job\.ts\n$/, 1],
  ];
  for (const [argv, expected, code] of cases) {
    const r = await cli(argv, env);
    assert.match(r.err, expected, argv.join(' '));
    assert.equal(r.code, code, argv.join(' '));
    assert.equal(r.out, '', argv.join(' '));
  }
});

test('a job whose builder throws fails with a message naming the job', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-main-'));
  try {
    const file = join(dir, 'bad-job.ts');
    writeFileSync(
      file,
      "import { defineJob } from '@eddy/api';\nexport default defineJob(() => { throw new Error('no input given'); });\n",
    );
    const r = await cli(['run', '-m', '127.0.0.1:1', file]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^eddy: .*bad-job\.ts threw while building its dataflow: no input given\n$/);
    writeFileSync(join(dir, 'no-default.ts'), 'export const x = 1;\n');
    const r2 = await cli(['run', join(dir, 'no-default.ts')]);
    assert.match(r2.err, /no-default\.ts has no default export made with defineJob/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('list, info and cancel talk to the REST API named by -m or EDDY_JOBMANAGER', async () => {
  const id = 'f'.repeat(32);
  const requests: string[] = [];
  const server = createServer((req, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url}`);
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/v1/jobs') {
      send(200, {
        jobs: [
          {
            jobId: id,
            name: 'wc',
            state: 'RUNNING',
            startTime: Date.now() - 5000,
            endTime: null,
            durationMs: 5000,
            restarts: 0,
          },
        ],
      });
    } else if (req.url === `/v1/jobs/${id}`) {
      send(200, {
        jobId: id,
        name: 'wc',
        state: 'RUNNING',
        attempt: 0,
        restarts: 0,
        startTime: 1,
        endTime: null,
        vertices: [],
      });
    } else if (req.url === `/v1/jobs/${id}/cancel`) {
      send(202, { jobId: id, state: 'CANCELING' });
    } else {
      send(404, { errors: [{ code: 'JOB_NOT_FOUND', message: 'no job with id 0123' }] });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const list = await cli(['list', '-m', address]);
    assert.equal(list.code, 0);
    assert.match(
      list.out,
      new RegExp(`^JOB ID\\s+NAME\\s+STATE\\s+START\\s+DURATION\\n${id}\\s+wc\\s+RUNNING\\s`),
    );
    const listJson = await cli(['list', '--json'], { EDDY_JOBMANAGER: address });
    assert.equal(JSON.parse(listJson.out).jobs[0].jobId, id);
    const info = await cli(['info', id, '-m', address, '--json']);
    assert.equal(JSON.parse(info.out).state, 'RUNNING');
    assert.match((await cli(['info', id, '-m', address])).out, /State:\s+RUNNING/);
    const cancel = await cli(['cancel', id, '-m', address]);
    assert.equal(cancel.code, 0);
    const missing = await cli(['info', '0123'.repeat(8), '-m', address]);
    assert.equal(missing.code, 1);
    assert.equal(missing.err, 'eddy: no job with id 0123\n');
    assert.ok(requests.includes(`POST /v1/jobs/${id}/cancel`));
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
