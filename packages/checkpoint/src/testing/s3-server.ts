// Test support: starts the repository's S3-compatible server (scripts/s3-server.ts) as a child process
// on loopback with a fresh data directory and one bucket, for tests of S3CheckpointStorage against a
// real server. A server that cannot start fails the test; nothing is skipped.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** A running S3-compatible server. */
export interface TestingS3Server {
  readonly endpoint: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Stops the server and deletes its data. Safe to call twice. */
  stop(): Promise<void>;
}

const SCRIPT = resolve(import.meta.dirname, '../../../../scripts/s3-server.ts');

/** Starts a server with an empty bucket `bucket` (default 'eddy-test'). */
export async function startS3Server(
  options: { bucket?: string; timeoutMs?: number } = {},
): Promise<TestingS3Server> {
  const bucket = options.bucket ?? 'eddy-test';
  const directory = await mkdtemp(join(tmpdir(), 'eddy-s3-'));
  const child = spawn(
    process.execPath,
    [SCRIPT, 'serve', '--port', '0', '--directory', directory, '--bucket', bucket, '--exit-with-stdin'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(directory, { recursive: true, force: true });
  };
  try {
    const line = await new Promise<string>((done, fail) => {
      const timer = setTimeout(
        () =>
          fail(new Error(`the S3 server did not start within ${options.timeoutMs ?? 30_000} ms: ${stderr}`)),
        options.timeoutMs ?? 30_000,
      );
      timer.unref();
      createInterface({ input: child.stdout }).once('line', (l) => {
        clearTimeout(timer);
        done(l);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`the S3 server (${SCRIPT}) exited with ${code} before it was ready: ${stderr}`));
      });
    });
    const ready = JSON.parse(line) as { endpoint: string; accessKeyId: string; secretAccessKey: string };
    return {
      endpoint: ready.endpoint,
      bucket,
      accessKeyId: ready.accessKeyId,
      secretAccessKey: ready.secretAccessKey,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
