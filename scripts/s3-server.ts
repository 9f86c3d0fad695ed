// A real S3-compatible server on loopback for tests and local runs (DESIGN.md section 12): s3rver from
// the npm registry (a root devDependency), which speaks the S3 REST API including multipart uploads,
// multi-object delete and access key ids (not SigV4 signatures), and stores objects in a directory.
//
//   node scripts/s3-server.ts serve [--port 0] [--directory DIR] [--bucket NAME]...
//       runs in the foreground; prints one JSON ready line {endpoint, buckets, accessKeyId,
//       secretAccessKey, pid} on stdout; stops on SIGTERM or SIGINT.
//   node scripts/s3-server.ts start [--port 9000] [--directory .eddy/s3/data] [--bucket NAME]...
//       starts `serve` in the background, waits until it is ready, prints the ready line and records
//       it in .eddy/s3/server.json.
//   node scripts/s3-server.ts stop
//       stops the server that `start` recorded.
// It binds 127.0.0.1 only. The credentials are s3rver's fixed test account.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = resolve(import.meta.dirname, '..');
const STATE_DIR = resolve(ROOT, '.eddy/s3');
const STATE_FILE = resolve(STATE_DIR, 'server.json');
const ACCESS_KEY_ID = 'S3RVER';
const SECRET_ACCESS_KEY = 'S3RVER';

/** The ready line. */
interface ReadyLine {
  readonly endpoint: string;
  readonly buckets: readonly string[];
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly pid: number;
}

/** The part of s3rver's API used here (it ships no types). */
interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
}

function options(args: string[], name: string): string[] {
  const out: string[] = [];
  args.forEach((a, i) => {
    const v = args[i + 1];
    if (a === name && v !== undefined) out.push(v);
  });
  return out;
}

async function serve(args: string[]): Promise<void> {
  const port = Number(option(args, '--port') ?? '0');
  const directory = resolve(option(args, '--directory') ?? resolve(STATE_DIR, 'data'));
  const buckets = options(args, '--bucket');
  mkdirSync(directory, { recursive: true });
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    directory,
    silent: true,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const address = await server.run();
  const ready: ReadyLine = {
    endpoint: `http://127.0.0.1:${address.port}`,
    buckets,
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    pid: process.pid,
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
  let closing = false;
  const stop = (): void => {
    if (closing) return;
    closing = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // When a parent that started us over a pipe dies, stdin closes: do not outlive it.
  if (args.includes('--exit-with-stdin')) {
    process.stdin.on('close', stop).on('end', stop).resume();
  }
}

async function start(args: string[]): Promise<void> {
  mkdirSync(STATE_DIR, { recursive: true });
  const log = resolve(STATE_DIR, 'server.log');
  const out = openSync(log, 'w');
  const port = option(args, '--port') ?? '9000';
  const rest = args.filter((_, i) => args[i] !== '--port' && args[i - 1] !== '--port');
  const child = spawn(process.execPath, [import.meta.filename, 'serve', '--port', port, ...rest], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
  const deadline = Date.now() + 30_000;
  for (;;) {
    const line = readFileSync(log, 'utf8').split('\n')[0] ?? '';
    if (line.startsWith('{')) {
      writeFileSync(STATE_FILE, line);
      process.stdout.write(`${line}\n`);
      return;
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      process.stderr.write(
        `s3-server: the server did not start; see ${log}:\n${readFileSync(log, 'utf8')}\n`,
      );
      process.exit(1);
    }
    await sleep(100);
  }
}

function stop(): void {
  let ready: ReadyLine;
  try {
    ready = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as ReadyLine;
  } catch {
    process.stderr.write('s3-server: no server recorded in .eddy/s3/server.json; nothing to stop\n');
    return;
  }
  try {
    process.kill(ready.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
  rmSync(STATE_FILE, { force: true });
}

const [command, ...args] = process.argv.slice(2);
switch (command) {
  case 'serve':
    await serve(args);
    break;
  case 'start':
    await start(args);
    break;
  case 'stop':
    stop();
    break;
  default:
    process.stderr.write(
      'usage: node scripts/s3-server.ts serve|start|stop [--port N] [--directory DIR] [--bucket NAME]...\n',
    );
    process.exit(2);
}
