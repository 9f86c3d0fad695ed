// Checkpoint storage in an S3 bucket (AWS or any S3-compatible server: set `endpoint` and
// `forcePathStyle`). Objects are immutable and S3 makes each PutObject or completed multipart upload
// visible whole, so writes are atomic without a rename. Large objects (above `partSize`) and streams go
// through @aws-sdk/lib-storage's multipart Upload, which bounds memory to queueSize * partSize.
// Called from any async context; the S3Client is shared and safe for concurrent use.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { EddyError } from '@eddy/common';
import { CheckpointErrorCodes } from '../checkpoint-errors.ts';
import {
  abortedError,
  checkDirectoryPrefix,
  checkObjectPath,
  chunksOf,
  throwIfAborted,
  type CheckpointStorage,
  type ObjectContent,
  type StorageOperationOptions,
  type StoredObjectInfo,
  type WrittenObject,
} from './checkpoint-storage.ts';

/** Static credentials; without them the SDK's default chain (environment, profile, IMDS) is used. */
export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Options of S3CheckpointStorage. */
export interface S3CheckpointStorageOptions {
  /** An S3-compatible endpoint such as `http://127.0.0.1:9000`; AWS when absent. */
  readonly endpoint?: string;
  /** Default 'us-east-1'. */
  readonly region?: string;
  readonly credentials?: S3Credentials;
  /** Path-style addressing (`endpoint/bucket/key`), needed by most S3-compatible servers. */
  readonly forcePathStyle?: boolean;
  /** Multipart part size in bytes (at least 5 MiB, S3's minimum); default 8 MiB. */
  readonly partSize?: number;
  /** Parts uploaded concurrently per object; default 4. */
  readonly queueSize?: number;
  /** Attempts per request, retries included; default 3. */
  readonly maxAttempts?: number;
}

const MIN_PART_SIZE = 5 * 1024 * 1024;
const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
const DELETE_BATCH = 1000;

/** A CheckpointStorage under `s3://bucket/prefix`. */
export class S3CheckpointStorage implements CheckpointStorage {
  readonly uri: string;
  readonly bucket: string;
  /** The key prefix without a trailing '/', '' for the bucket's root. */
  readonly prefix: string;
  readonly #client: S3Client;
  readonly #partSize: number;
  readonly #queueSize: number;
  readonly #endpoint: string;
  #closed = false;

  constructor(bucket: string, prefix: string, options: S3CheckpointStorageOptions = {}) {
    this.bucket = bucket;
    this.prefix = prefix.replace(/^\/+|\/+$/g, '');
    if (this.prefix !== '') checkObjectPath(this.prefix, 'S3 prefix');
    this.uri = `s3://${bucket}${this.prefix === '' ? '' : `/${this.prefix}`}`;
    this.#partSize = Math.max(MIN_PART_SIZE, options.partSize ?? DEFAULT_PART_SIZE);
    this.#queueSize = Math.max(1, options.queueSize ?? 4);
    this.#endpoint = options.endpoint ?? 'the AWS S3 endpoint';
    const config: S3ClientConfig = {
      region: options.region ?? 'us-east-1',
      forcePathStyle: options.forcePathStyle ?? false,
      maxAttempts: options.maxAttempts ?? 3,
      ...(options.endpoint === undefined
        ? {}
        : {
            endpoint: options.endpoint,
            // Many S3-compatible servers reject the SDK's default trailing CRC checksums; Eddy
            // verifies every object with its own SHA-256 anyway.
            requestChecksumCalculation: 'WHEN_REQUIRED' as const,
            responseChecksumValidation: 'WHEN_REQUIRED' as const,
          }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    };
    this.#client = new S3Client(config);
  }

  async write(
    path: string,
    content: ObjectContent,
    options: StorageOperationOptions = {},
  ): Promise<WrittenObject> {
    checkObjectPath(path);
    const what = `writing '${path}' to ${this.uri}`;
    throwIfAborted(options.signal, what);
    const key = this.#key(path);
    const hash = createHash('sha256');
    try {
      if (content instanceof Uint8Array && content.byteLength <= this.#partSize) {
        hash.update(content);
        await this.#client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: content,
            ContentLength: content.byteLength,
          }),
          abortOptions(options.signal),
        );
        return { path, size: content.byteLength, sha256: hash.digest('hex') };
      }
      let size = 0;
      // Hash as the uploader pulls: one pass over the data, no second read.
      const hashing = async function* (): AsyncGenerator<Uint8Array> {
        for await (const chunk of chunksOf(content)) {
          hash.update(chunk);
          size += chunk.byteLength;
          yield chunk;
        }
      };
      const upload = new Upload({
        client: this.#client,
        params: { Bucket: this.bucket, Key: key, Body: Readable.from(hashing(), { objectMode: false }) },
        partSize: this.#partSize,
        queueSize: this.#queueSize,
        leavePartsOnError: false,
      });
      const onAbort = (): void => void upload.abort().catch(() => undefined);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await upload.done();
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
      }
      throwIfAborted(options.signal, what);
      return { path, size, sha256: hash.digest('hex') };
    } catch (err) {
      throw this.#error(err, what, options.signal);
    }
  }

  async read(path: string, options: StorageOperationOptions = {}): Promise<Uint8Array> {
    checkObjectPath(path);
    const what = `reading '${path}' from ${this.uri}`;
    throwIfAborted(options.signal, what);
    try {
      const out = await this.#client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.#key(path) }),
        abortOptions(options.signal),
      );
      if (out.Body === undefined) return new Uint8Array(0);
      return await out.Body.transformToByteArray();
    } catch (err) {
      throw this.#error(err, what, options.signal, 'object');
    }
  }

  async readStream(path: string, options: StorageOperationOptions = {}): Promise<AsyncIterable<Uint8Array>> {
    checkObjectPath(path);
    const what = `reading '${path}' from ${this.uri}`;
    throwIfAborted(options.signal, what);
    try {
      const out = await this.#client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.#key(path) }),
        abortOptions(options.signal),
      );
      if (out.Body === undefined) return Readable.from([]);
      // In Node the body is an IncomingMessage, an AsyncIterable of Buffers.
      return out.Body as unknown as AsyncIterable<Uint8Array>;
    } catch (err) {
      throw this.#error(err, what, options.signal, 'object');
    }
  }

  async exists(path: string, options: StorageOperationOptions = {}): Promise<boolean> {
    checkObjectPath(path);
    const what = `checking '${path}' in ${this.uri}`;
    throwIfAborted(options.signal, what);
    try {
      await this.#client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.#key(path) }),
        abortOptions(options.signal),
      );
      return true;
    } catch (err) {
      const e = this.#error(err, what, options.signal, 'object');
      if (e.code === CheckpointErrorCodes.OBJECT_NOT_FOUND) return false;
      throw e;
    }
  }

  async list(prefix: string, options: StorageOperationOptions = {}): Promise<StoredObjectInfo[]> {
    const what = `listing '${prefix}' in ${this.uri}`;
    const base = this.prefix === '' ? '' : `${this.prefix}/`;
    const out: StoredObjectInfo[] = [];
    let token: string | undefined;
    try {
      do {
        throwIfAborted(options.signal, what);
        const page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: base + prefix,
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
          abortOptions(options.signal),
        );
        for (const o of page.Contents ?? []) {
          if (o.Key === undefined || !o.Key.startsWith(base)) continue;
          out.push({ path: o.Key.slice(base.length), size: o.Size ?? 0 });
        }
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    } catch (err) {
      throw this.#error(err, what, options.signal);
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async delete(paths: readonly string[], options: StorageOperationOptions = {}): Promise<void> {
    for (const path of paths) checkObjectPath(path);
    const what = `deleting from ${this.uri}`;
    try {
      for (let i = 0; i < paths.length; i += DELETE_BATCH) {
        throwIfAborted(options.signal, what);
        const batch = paths.slice(i, i + DELETE_BATCH);
        const out = await this.#client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((p) => ({ Key: this.#key(p) })), Quiet: true },
          }),
          abortOptions(options.signal),
        );
        const failed = out.Errors ?? [];
        if (failed.length > 0) {
          const first = failed[0];
          throw new EddyError(
            first?.Code === 'AccessDenied'
              ? CheckpointErrorCodes.ACCESS_DENIED
              : CheckpointErrorCodes.STORAGE_FAILURE,
            `${what}: ${failed.length} object(s) could not be deleted, first '${first?.Key}': ${first?.Code} ${first?.Message ?? ''}`,
            { domain: 'external', retryable: first?.Code !== 'AccessDenied' },
          );
        }
      }
    } catch (err) {
      throw this.#error(err, what, options.signal);
    }
  }

  async deletePrefix(prefix: string, options: StorageOperationOptions = {}): Promise<number> {
    checkDirectoryPrefix(prefix);
    const objects = await this.list(prefix, options);
    await this.delete(
      objects.map((o) => o.path),
      options,
    );
    return objects.length;
  }

  async checkAccess(options: StorageOperationOptions = {}): Promise<void> {
    const what = `checking checkpoint storage ${this.uri}`;
    throwIfAborted(options.signal, what);
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.bucket }), abortOptions(options.signal));
    } catch (err) {
      throw this.#error(err, what, options.signal, 'bucket');
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.destroy();
  }

  #key(path: string): string {
    return this.prefix === '' ? path : `${this.prefix}/${path}`;
  }

  /** Classifies an SDK or network error; `notFound` says what a bare 404 (HEAD has no body) means. */
  #error(err: unknown, what: string, signal?: AbortSignal, notFound?: 'object' | 'bucket'): EddyError {
    if (err instanceof EddyError) return err;
    if (signal?.aborted === true) return abortedError(signal, what);
    const e = err as {
      name?: string;
      code?: string;
      message?: string;
      $metadata?: { httpStatusCode?: number };
    };
    const name = e.name ?? '';
    const status = e.$metadata?.httpStatusCode;
    const detail = e.message ?? String(err);
    if (name === 'AbortError') {
      return new EddyError(CheckpointErrorCodes.ABORTED, `${what} was aborted`, {
        retryable: true,
        cause: err,
      });
    }
    if (name === 'NoSuchBucket' || (status === 404 && notFound === 'bucket')) {
      return new EddyError(
        CheckpointErrorCodes.BUCKET_NOT_FOUND,
        `${what}: bucket '${this.bucket}' does not exist at ${this.#endpoint}; create it or fix the bucket in the checkpoint URI ${this.uri}`,
        { domain: 'user', cause: err },
      );
    }
    if (name === 'NoSuchKey' || name === 'NotFound' || (status === 404 && notFound === 'object')) {
      return new EddyError(CheckpointErrorCodes.OBJECT_NOT_FOUND, `${what}: the object does not exist`, {
        domain: 'external',
        cause: err,
      });
    }
    if (
      name === 'AccessDenied' ||
      name === 'InvalidAccessKeyId' ||
      name === 'SignatureDoesNotMatch' ||
      name === 'Forbidden' ||
      status === 403
    ) {
      return new EddyError(
        CheckpointErrorCodes.ACCESS_DENIED,
        `${what}: access denied (${name || status}: ${detail}); check the S3 credentials (access key id and secret) and the bucket policy for ${this.uri}`,
        { domain: 'user', cause: err },
      );
    }
    const network = e.code ?? (err as { cause?: { code?: string } }).cause?.code;
    if (
      network === 'ECONNREFUSED' ||
      network === 'ENOTFOUND' ||
      network === 'EAI_AGAIN' ||
      network === 'ETIMEDOUT' ||
      network === 'ECONNRESET' ||
      network === 'EHOSTUNREACH' ||
      name === 'TimeoutError'
    ) {
      return new EddyError(
        CheckpointErrorCodes.UNREACHABLE,
        `${what}: cannot reach ${this.#endpoint} (${network ?? name}); check the S3 endpoint option and that the server is running`,
        { domain: 'external', retryable: true, cause: err },
      );
    }
    return new EddyError(
      CheckpointErrorCodes.STORAGE_FAILURE,
      `${what}: ${name ? `${name}: ` : ''}${detail}`,
      {
        domain: 'external',
        retryable: status === undefined || status >= 500,
        cause: err,
      },
    );
  }
}

function abortOptions(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal === undefined ? {} : { abortSignal: signal };
}
