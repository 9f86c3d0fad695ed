// The BlobServer: stores job bundles content-addressed (SHA-256) under server-chosen names and
// streams them to TaskManagers over gRPC. Uploads arrive through the REST API; the size limit is
// enforced while streaming so an oversized body is never held in memory or kept on disk.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { EddyError, userError, type Logger } from '@eddy/common';
import { pb, type eddy } from '@eddy/network';

/** Bytes per BlobChunk sent to a TaskManager. */
export const BLOB_CHUNK_BYTES = 1024 * 1024;

const KEY = /^[0-9a-f]{64}$/;

/** Whether `key` has the form of a bundle key (a SHA-256 in hex). */
export function isBundleKey(key: string): boolean {
  return KEY.test(key);
}

/** Content-addressed bundle storage in one directory. */
export class BlobServer {
  readonly dir: string;
  readonly maxBytes: number;
  readonly #logger: Logger;
  readonly #ownsDir: boolean;

  private constructor(dir: string, maxBytes: number, ownsDir: boolean, logger: Logger) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.#ownsDir = ownsDir;
    this.#logger = logger;
  }

  /** A BlobServer in `dir`, or in a fresh temporary directory when `dir` is empty. */
  static async create(dir: string, maxBytes: number, logger: Logger): Promise<BlobServer> {
    if (dir === '')
      return new BlobServer(await mkdtemp(join(tmpdir(), 'eddy-blobs-')), maxBytes, true, logger);
    await mkdir(dir, { recursive: true });
    return new BlobServer(dir, maxBytes, false, logger);
  }

  #path(key: string): string {
    return join(this.dir, `${key}.bundle`);
  }

  /**
   * Stores the bytes of `body` and returns their key. Fails with BUNDLE_TOO_LARGE as soon as more
   * than `maxBytes` arrived and with BUNDLE_EMPTY for no bytes. On failure `body` is left paused,
   * not destroyed: destroying an HTTP request would kill the socket before the 413 is written.
   */
  async put(body: Readable): Promise<string> {
    const tmp = join(this.dir, `upload-${randomBytes(8).toString('hex')}.tmp`);
    const out = createWriteStream(tmp, { flags: 'wx' });
    const hash = createHash('sha256');
    let size = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        const stop = (err: Error): void => {
          body.off('data', onData);
          body.off('end', onEnd);
          body.off('error', stop);
          body.pause();
          reject(err);
        };
        const onData = (chunk: Buffer): void => {
          size += chunk.length;
          if (size > this.maxBytes) {
            stop(
              userError(
                'BUNDLE_TOO_LARGE',
                `job bundle exceeds the limit of ${this.maxBytes} bytes (jobmanager.bundle.max-size): ` +
                  'shrink the bundle (mark large dependencies external) or raise the limit on the JobManager',
              ),
            );
            return;
          }
          hash.update(chunk);
          if (!out.write(chunk)) {
            body.pause();
            out.once('drain', () => body.resume());
          }
        };
        const onEnd = (): void => {
          body.off('data', onData);
          body.off('error', stop);
          resolve();
        };
        body.on('data', onData);
        body.once('end', onEnd);
        body.once('error', stop);
        out.once('error', stop);
      });
      out.end();
      await finished(out);
      if (size === 0) {
        throw userError(
          'BUNDLE_EMPTY',
          'the uploaded job bundle is empty: send the bundle bytes as the body',
        );
      }
      const key = hash.digest('hex');
      await rename(tmp, this.#path(key));
      this.#logger.info({ bundleKey: key, bytes: size }, 'stored job bundle');
      return key;
    } catch (err) {
      out.destroy();
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** Whether a bundle with `key` is stored. */
  async has(key: string): Promise<boolean> {
    if (!isBundleKey(key)) return false;
    try {
      return (await stat(this.#path(key))).isFile();
    } catch {
      return false;
    }
  }

  /** The gRPC handler of BlobService.FetchBlob: the bundle in 1 MiB chunks, the first with the size. */
  readonly fetchBlob: grpc.handleServerStreamingCall<eddy.v1.FetchBlobRequest, eddy.v1.BlobChunk> = (
    call,
  ) => {
    this.#stream(call).catch((err: unknown) => {
      const e = EddyError.from(err);
      this.#logger.warn({ bundleKey: call.request.key, err: e }, 'FetchBlob failed');
      call.emit('error', { code: grpc.status.INTERNAL, details: `FetchBlob failed: ${e.message}` });
    });
  };

  async #stream(call: grpc.ServerWritableStream<eddy.v1.FetchBlobRequest, eddy.v1.BlobChunk>): Promise<void> {
    const key = call.request.key;
    if (!(await this.has(key))) {
      call.emit('error', {
        code: grpc.status.NOT_FOUND,
        details: `no job bundle with key '${key}' on this JobManager: upload it with POST /v1/jars first`,
      });
      return;
    }
    const path = this.#path(key);
    const { size } = await stat(path);
    let first = true;
    for await (const data of createReadStream(path, {
      highWaterMark: BLOB_CHUNK_BYTES,
    }) as AsyncIterable<Buffer>) {
      if (call.cancelled) return;
      const ok = call.write(pb.BlobChunk.create({ data, size: first ? size : 0 }));
      first = false;
      // Honour backpressure: a slow TaskManager must not make us buffer the whole bundle.
      if (!ok) await new Promise<void>((resolve) => call.once('drain', resolve));
    }
    call.end();
  }

  /** Removes the directory when it was a temporary one. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#ownsDir) await rm(this.dir, { recursive: true, force: true });
  }
}
