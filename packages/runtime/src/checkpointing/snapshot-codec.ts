// The on-storage form of an OperatorSnapshot: a stream of length-prefixed msgpack frames, the first
// holding everything but keyed state, then one frame per key group. Encoding yields to the event
// loop between key groups, so that writing a large heap snapshot does not stall the task that goes
// on processing (the capture itself is copy-on-write and takes microseconds).
// Incremental checkpoints (LevelDB backend) store key groups as separate shared objects, one key
// group each (encodeKeyGroupObject); the subtask's own object then lists them in its first frame as
// KeyGroupReferences instead of holding their frames.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Packr } from 'msgpackr';
import { EddyError } from '@eddy/common';
import type { KeyGroupSnapshot, KeyedStateSnapshot } from '@eddy/state';
import type { OperatorSnapshot } from './operator-snapshot.ts';

const MAGIC = Buffer.from('EDS1');
/** Header of a shared object holding one key group. */
const KEY_GROUP_MAGIC = Buffer.from('EDK1');
const packr = new Packr({ moreTypes: true, useRecords: false });

/** A keyed snapshot that can produce its key groups one at a time. */
interface ChunkedSnapshot extends KeyedStateSnapshot {
  chunks?(): Iterable<KeyGroupSnapshot>;
}

function frame(value: unknown): Buffer {
  const body = packr.pack(value);
  const header = Buffer.allocUnsafe(4);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

/** A key group stored as a shared object of an incremental checkpoint; path relative to `shared/`. */
export interface KeyGroupReference {
  readonly keyGroup: number;
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

/**
 * Streams `snapshot` as frames; roughly `chunkBytes` are produced between yields. `keyGroupRefs`
 * lists key groups stored elsewhere (shared objects), in addition to the key groups of `keyed`.
 */
export async function* encodeOperatorSnapshot(
  snapshot: OperatorSnapshot,
  chunkBytes = 1 << 20,
  keyGroupRefs?: readonly KeyGroupReference[],
): AsyncGenerator<Uint8Array> {
  // `incremental` is in-memory bookkeeping of the snapshot, not state: never stored.
  const { keyed, incremental: _incremental, ...rest } = snapshot;
  const k = keyed as ChunkedSnapshot | undefined;
  yield MAGIC;
  yield frame({
    ...rest,
    keyed:
      k === undefined
        ? null
        : {
            maxParallelism: k.maxParallelism,
            states: k.states,
            ...(keyGroupRefs === undefined || keyGroupRefs.length === 0 ? {} : { refs: keyGroupRefs }),
          },
  });
  if (k === undefined) return;
  let pending: Buffer[] = [];
  let size = 0;
  for (const group of k.chunks?.() ?? k.keyGroups) {
    const f = frame(group);
    pending.push(f);
    size += f.length;
    if (size >= chunkBytes) {
      yield Buffer.concat(pending);
      pending = [];
      size = 0;
      await yieldToLoop();
    }
  }
  if (pending.length > 0) yield Buffer.concat(pending);
}

/** Decodes what encodeOperatorSnapshot wrote; `where` names the object in errors. */
export function decodeOperatorSnapshot(bytes: Uint8Array, where: string): OperatorSnapshot {
  const { snapshot, keyGroupRefs } = decodeOperatorSnapshotObject(bytes, where);
  if (keyGroupRefs.length > 0) {
    throw new EddyError(
      'INCREMENTAL_SNAPSHOT',
      `state object ${where} references ${keyGroupRefs.length} shared key-group objects: read it with decodeOperatorSnapshotObject and resolve them`,
    );
  }
  return snapshot;
}

/**
 * Decodes what encodeOperatorSnapshot wrote, returning the key groups it holds in `snapshot.keyed`
 * and the ones it references (shared objects the caller reads) in `keyGroupRefs`.
 */
export function decodeOperatorSnapshotObject(
  bytes: Uint8Array,
  where: string,
): { snapshot: OperatorSnapshot; keyGroupRefs: readonly KeyGroupReference[] } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (why: string): EddyError =>
    new EddyError('CORRUPTED_CHECKPOINT', `state object ${where} is not an Eddy operator snapshot (${why})`, {
      domain: 'external',
    });
  if (buf.length < 8 || !buf.subarray(0, 4).equals(MAGIC)) throw corrupt('bad header');
  const frames = new FrameReader(buf, 4, corrupt);
  const head = frames.next() as OperatorSnapshot & {
    keyed: {
      maxParallelism: number;
      states: KeyedStateSnapshot['states'];
      refs?: KeyGroupReference[];
    } | null;
  };
  const { keyed, ...rest } = head;
  if (keyed === null) return { snapshot: rest, keyGroupRefs: [] };
  const keyGroups: KeyGroupSnapshot[] = [];
  while (!frames.done) keyGroups.push(frames.next() as KeyGroupSnapshot);
  return {
    snapshot: { ...rest, keyed: { maxParallelism: keyed.maxParallelism, states: keyed.states, keyGroups } },
    keyGroupRefs: keyed.refs ?? [],
  };
}

/** The bytes of a shared object holding key group `group` (deterministic for the same entries). */
export function encodeKeyGroupObject(group: KeyGroupSnapshot): Buffer {
  return Buffer.concat([KEY_GROUP_MAGIC, frame(group)]);
}

/** Decodes encodeKeyGroupObject's bytes; `where` names the object in errors. */
export function decodeKeyGroupObject(bytes: Uint8Array, where: string): KeyGroupSnapshot {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (why: string): EddyError =>
    new EddyError('CORRUPTED_CHECKPOINT', `state object ${where} is not an Eddy key-group object (${why})`, {
      domain: 'external',
    });
  if (buf.length < 8 || !buf.subarray(0, 4).equals(KEY_GROUP_MAGIC)) throw corrupt('bad header');
  const frames = new FrameReader(buf, 4, corrupt);
  const group = frames.next() as KeyGroupSnapshot;
  if (!frames.done) throw corrupt('trailing bytes');
  return group;
}

/** Reads length-prefixed msgpack frames from `buf` starting at `pos`. */
class FrameReader {
  readonly #buf: Buffer;
  #pos: number;
  readonly #corrupt: (why: string) => EddyError;
  constructor(buf: Buffer, pos: number, corrupt: (why: string) => EddyError) {
    this.#buf = buf;
    this.#pos = pos;
    this.#corrupt = corrupt;
  }
  get done(): boolean {
    return this.#pos >= this.#buf.length;
  }
  next(): unknown {
    const buf = this.#buf;
    if (this.#pos + 4 > buf.length) throw this.#corrupt('truncated frame header');
    const len = buf.readUInt32BE(this.#pos);
    this.#pos += 4;
    if (this.#pos + len > buf.length) throw this.#corrupt('truncated frame');
    const v: unknown = packr.unpack(buf.subarray(this.#pos, this.#pos + len));
    this.#pos += len;
    return v;
  }
}
