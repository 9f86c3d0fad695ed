// Turns a checkpoint-storage URI (the `--checkpoint-dir` of a job, a savepoint path) into a
// CheckpointStorage: `file:///dir` or a plain path for the local file system, `s3://bucket/prefix`
// for S3. A URI that cannot work fails here, naming the URI and the fix, before any checkpoint runs.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EddyError } from '@eddy/common';
import { CheckpointErrorCodes } from '../checkpoint-errors.ts';
import type { CheckpointStorage } from './checkpoint-storage.ts';
import { LocalFileSystemCheckpointStorage } from './local-file-system-checkpoint-storage.ts';
import { S3CheckpointStorage, type S3CheckpointStorageOptions } from './s3-checkpoint-storage.ts';

/** Options of createCheckpointStorage, per kind of storage. */
export interface CheckpointStorageOptions {
  /** Used for `s3://` URIs. */
  readonly s3?: S3CheckpointStorageOptions;
}

/** A parsed checkpoint-storage URI. */
export type CheckpointStorageLocation =
  | { readonly kind: 'file'; readonly directory: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string };

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
// S3's bucket naming rules: 3-63 characters, lowercase letters, digits, '.', '-', starting and ending
// with a letter or digit.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses a checkpoint-storage URI; throws INVALID_CHECKPOINT_STORAGE_URI with the fix. */
export function parseCheckpointStorageUri(uri: string): CheckpointStorageLocation {
  const bad = (why: string, fix: string): EddyError =>
    new EddyError(
      CheckpointErrorCodes.INVALID_STORAGE_URI,
      `invalid checkpoint storage URI '${uri}': ${why}; ${fix}`,
      {
        domain: 'user',
      },
    );
  const trimmed = uri.trim();
  if (trimmed === '')
    throw bad('it is empty', "give a directory (file:///var/eddy/checkpoints) or 's3://bucket/prefix'");
  const scheme = SCHEME.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'file', directory: resolve(trimmed) };
  if (scheme === 'file') {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch (err) {
      throw bad(`it is not a valid URL (${(err as Error).message})`, 'write it as file:///absolute/dir');
    }
    if (url.host !== '' && url.host !== 'localhost') {
      throw bad(
        `it names the host '${url.host}'`,
        'only local paths work: write file:///absolute/dir (three slashes)',
      );
    }
    if (url.search !== '' || url.hash !== '') throw bad('it has a query or fragment', 'remove it');
    const directory = fileURLToPath(url);
    if (directory === '/')
      throw bad('it is the root directory', 'choose a directory of its own for checkpoints');
    return { kind: 'file', directory: directory.replace(/\/+$/, '') };
  }
  if (scheme === 's3' || scheme === 's3a') {
    const rest = trimmed.slice(scheme.length + 1);
    if (!rest.startsWith('//')) throw bad('it lacks the bucket', 'write s3://bucket/prefix');
    const withoutSlashes = rest.slice(2);
    const slash = withoutSlashes.indexOf('/');
    const bucket = slash < 0 ? withoutSlashes : withoutSlashes.slice(0, slash);
    const prefix = (slash < 0 ? '' : withoutSlashes.slice(slash + 1)).replace(/\/+$/, '');
    if (bucket === '') throw bad('it has no bucket name', 'write s3://bucket/prefix');
    if (!BUCKET.test(bucket) || bucket.includes('..')) {
      throw bad(
        `'${bucket}' is not a valid S3 bucket name`,
        'use 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit',
      );
    }
    if (/[?#]/.test(prefix)) throw bad('the prefix has a query or fragment', 'remove it');
    for (const segment of prefix === '' ? [] : prefix.split('/')) {
      if (segment === '' || segment === '.' || segment === '..') {
        throw bad(
          `the prefix '${prefix}' has an empty, '.' or '..' segment`,
          'use plain names separated by single slashes',
        );
      }
    }
    return { kind: 's3', bucket, prefix };
  }
  throw bad(
    `the scheme '${scheme}:' is not supported`,
    'use file:///dir, a plain path or s3://bucket/prefix',
  );
}

/** Creates the CheckpointStorage for `uri` (see parseCheckpointStorageUri). */
export function createCheckpointStorage(
  uri: string,
  options: CheckpointStorageOptions = {},
): CheckpointStorage {
  const location = parseCheckpointStorageUri(uri);
  if (location.kind === 'file') {
    return new LocalFileSystemCheckpointStorage(location.directory, `file://${location.directory}`);
  }
  return new S3CheckpointStorage(location.bucket, location.prefix, options.s3 ?? {});
}
