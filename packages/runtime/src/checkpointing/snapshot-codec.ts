// The on-storage form of an OperatorSnapshot: a stream of length-prefixed msgpack frames, the first
// holding everything but keyed state, then one frame per key group. Encoding yields to the event
// loop between key groups, so that writing a large heap snapshot does not stall the task that goes
// on processing (the capture itself is copy-on-write and takes microseconds).
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Packr } from 'msgpackr';
import { EddyError } from '@eddy/common';
import type { KeyGroupSnapshot, KeyedStateSnapshot } from '@eddy/state';
import type { OperatorSnapshot } from './operator-snapshot.ts';

const MAGIC = Buffer.from('EDS1');
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

/** Streams `snapshot` as frames; roughly `chunkBytes` are produced between yields. */
export async function* encodeOperatorSnapshot(
  snapshot: OperatorSnapshot,
  chunkBytes = 1 << 20,
): AsyncGenerator<Uint8Array> {
  const { keyed, ...rest } = snapshot;
  const k = keyed as ChunkedSnapshot | undefined;
  yield MAGIC;
  yield frame({
    ...rest,
    keyed: k === undefined ? null : { maxParallelism: k.maxParallelism, states: k.states },
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
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (why: string): EddyError =>
    new EddyError('CORRUPTED_CHECKPOINT', `state object ${where} is not an Eddy operator snapshot (${why})`, {
      domain: 'external',
    });
  if (buf.length < 8 || !buf.subarray(0, 4).equals(MAGIC)) throw corrupt('bad header');
  let pos = 4;
  const next = (): unknown => {
    if (pos + 4 > buf.length) throw corrupt('truncated frame header');
    const len = buf.readUInt32BE(pos);
    pos += 4;
    if (pos + len > buf.length) throw corrupt('truncated frame');
    const v: unknown = packr.unpack(buf.subarray(pos, pos + len));
    pos += len;
    return v;
  };
  const head = next() as OperatorSnapshot & {
    keyed: { maxParallelism: number; states: KeyedStateSnapshot['states'] } | null;
  };
  const { keyed, ...rest } = head;
  if (keyed === null) return rest;
  const keyGroups: KeyGroupSnapshot[] = [];
  while (pos < buf.length) keyGroups.push(next() as KeyGroupSnapshot);
  return { ...rest, keyed: { maxParallelism: keyed.maxParallelism, states: keyed.states, keyGroups } };
}
