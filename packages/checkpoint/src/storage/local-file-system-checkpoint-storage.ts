// Checkpoint storage on a local (or mounted) file system: the embedded default. A write goes to a
// hidden temporary file in the target directory, is fsync'ed, renamed over the final name and the
// directory is fsync'ed, so a crash leaves either the whole object or none (plus at worst a stray
// temporary file, which `list` never shows). Called from any async context; no shared mutable state.
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants, type Dirent } from 'node:fs';
import { access, mkdir, open, readFile, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { EddyError } from '@eddy/common';
import { CheckpointErrorCodes } from '../checkpoint-errors.ts';
import {
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

/** Marks temporary files; `list` skips them. */
const IN_PROGRESS = '.inprogress-';

/** A CheckpointStorage under one directory of the local file system. */
export class LocalFileSystemCheckpointStorage implements CheckpointStorage {
  readonly uri: string;
  /** The absolute base directory. */
  readonly directory: string;

  constructor(directory: string, uri = `file://${resolve(directory)}`) {
    this.directory = resolve(directory);
    this.uri = uri;
  }

  async write(
    path: string,
    content: ObjectContent,
    options: StorageOperationOptions = {},
  ): Promise<WrittenObject> {
    checkObjectPath(path);
    const what = `writing '${path}' to ${this.uri}`;
    throwIfAborted(options.signal, what);
    const file = this.#file(path);
    const dir = dirname(file);
    const temp = join(dir, `.${file.slice(dir.length + 1)}${IN_PROGRESS}${randomBytes(6).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      await mkdir(dir, { recursive: true });
      const handle = await open(temp, 'wx');
      try {
        for await (const chunk of chunksOf(content)) {
          throwIfAborted(options.signal, what);
          hash.update(chunk);
          size += chunk.byteLength;
          let offset = 0;
          while (offset < chunk.byteLength) {
            const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
            offset += bytesWritten;
          }
        }
        throwIfAborted(options.signal, what);
        // Data must be on disk before the rename makes it visible, or a crash could expose a
        // complete-looking but empty file.
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
      await syncDirectory(dir);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw this.#error(err, what);
    }
    return { path, size, sha256: hash.digest('hex') };
  }

  async read(path: string, options: StorageOperationOptions = {}): Promise<Uint8Array> {
    checkObjectPath(path);
    const what = `reading '${path}' from ${this.uri}`;
    throwIfAborted(options.signal, what);
    try {
      return await readFile(this.#file(path), options.signal === undefined ? {} : { signal: options.signal });
    } catch (err) {
      throw this.#error(err, what, path);
    }
  }

  async readStream(path: string, options: StorageOperationOptions = {}): Promise<AsyncIterable<Uint8Array>> {
    checkObjectPath(path);
    const what = `reading '${path}' from ${this.uri}`;
    throwIfAborted(options.signal, what);
    try {
      // Open first so that a missing object fails here, with a clear error, not in the consumer.
      const handle = await open(this.#file(path), 'r');
      return handle.createReadStream({
        autoClose: true,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    } catch (err) {
      throw this.#error(err, what, path);
    }
  }

  async exists(path: string, options: StorageOperationOptions = {}): Promise<boolean> {
    checkObjectPath(path);
    throwIfAborted(options.signal, `checking '${path}' in ${this.uri}`);
    try {
      return (await stat(this.#file(path))).isFile();
    } catch (err) {
      if (codeOf(err) === 'ENOENT' || codeOf(err) === 'ENOTDIR') return false;
      throw this.#error(err, `checking '${path}' in ${this.uri}`);
    }
  }

  async list(prefix: string, options: StorageOperationOptions = {}): Promise<StoredObjectInfo[]> {
    const what = `listing '${prefix}' in ${this.uri}`;
    throwIfAborted(options.signal, what);
    // Walk only the deepest directory the prefix names; the rest of the prefix filters names.
    const slash = prefix.lastIndexOf('/');
    const dirPart = slash < 0 ? '' : prefix.slice(0, slash);
    if (dirPart !== '') checkObjectPath(dirPart, 'list prefix');
    const root = dirPart === '' ? this.directory : this.#file(dirPart);
    let entries: Dirent[];
    try {
      entries = await readdir(root, { recursive: true, withFileTypes: true });
    } catch (err) {
      if (codeOf(err) === 'ENOENT' || codeOf(err) === 'ENOTDIR') return [];
      throw this.#error(err, what);
    }
    const out: StoredObjectInfo[] = [];
    for (const entry of entries) {
      if (!entry.isFile() || entry.name.includes(IN_PROGRESS)) continue;
      const absolute = join(entry.parentPath, entry.name);
      const path = absolute
        .slice(this.directory.length + 1)
        .split(sep)
        .join('/');
      if (!path.startsWith(prefix)) continue;
      throwIfAborted(options.signal, what);
      try {
        out.push({ path, size: (await stat(absolute)).size });
      } catch (err) {
        // Deleted between readdir and stat: it is not there any more.
        if (codeOf(err) !== 'ENOENT') throw this.#error(err, what);
      }
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async delete(paths: readonly string[], options: StorageOperationOptions = {}): Promise<void> {
    for (const path of paths) checkObjectPath(path);
    for (const path of paths) {
      throwIfAborted(options.signal, `deleting from ${this.uri}`);
      try {
        await unlink(this.#file(path));
      } catch (err) {
        if (codeOf(err) !== 'ENOENT') throw this.#error(err, `deleting '${path}' from ${this.uri}`);
      }
    }
  }

  async deletePrefix(prefix: string, options: StorageOperationOptions = {}): Promise<number> {
    checkDirectoryPrefix(prefix);
    const what = `deleting '${prefix}' from ${this.uri}`;
    const objects = await this.list(prefix, options);
    throwIfAborted(options.signal, what);
    try {
      if (prefix === '') {
        for (const entry of await readdir(this.directory).catch(() => [])) {
          await rm(join(this.directory, entry), { recursive: true, force: true });
        }
      } else {
        await rm(this.#file(prefix.slice(0, -1)), { recursive: true, force: true });
      }
    } catch (err) {
      throw this.#error(err, what);
    }
    return objects.length;
  }

  async checkAccess(options: StorageOperationOptions = {}): Promise<void> {
    const what = `checking checkpoint storage ${this.uri}`;
    throwIfAborted(options.signal, what);
    try {
      await mkdir(this.directory, { recursive: true });
      await access(this.directory, fsConstants.W_OK | fsConstants.R_OK);
    } catch (err) {
      throw this.#error(err, what);
    }
  }

  async close(): Promise<void> {}

  #file(path: string): string {
    return join(this.directory, ...path.split('/'));
  }

  #error(err: unknown, what: string, path?: string): EddyError {
    if (err instanceof EddyError) return err;
    const code = codeOf(err);
    const detail = err instanceof Error ? err.message : String(err);
    if (code === 'ABORT_ERR') {
      return new EddyError(CheckpointErrorCodes.ABORTED, `${what} was aborted`, {
        retryable: true,
        cause: err,
      });
    }
    if (code === 'ENOENT' && path !== undefined) {
      return new EddyError(CheckpointErrorCodes.OBJECT_NOT_FOUND, `${what}: the object does not exist`, {
        domain: 'external',
        cause: err,
      });
    }
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      return new EddyError(
        CheckpointErrorCodes.ACCESS_DENIED,
        `${what}: permission denied (${detail}); make ${this.directory} writable by this process or choose another checkpoint directory`,
        { domain: 'user', cause: err },
      );
    }
    if (code === 'ENOTDIR' || code === 'EEXIST') {
      return new EddyError(
        CheckpointErrorCodes.STORAGE_FAILURE,
        `${what}: a file is in the way of a directory (${detail}); point the checkpoint directory at a directory`,
        { domain: 'user', cause: err },
      );
    }
    return new EddyError(CheckpointErrorCodes.STORAGE_FAILURE, `${what}: ${detail}`, {
      domain: 'external',
      retryable: code === 'ENOSPC' || code === 'EIO' || code === 'EMFILE',
      cause: err,
    });
  }
}

/** Makes a rename durable: POSIX requires fsync of the directory holding the new entry. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
