// The byte layout of LevelDB rows of keyed state (DESIGN.md section 6):
//
//   keyGroup (u16 BE) | state id (u16 BE) | key length (u32 BE) | key bytes | namespace bytes
//
// The key group comes first so that a key group is one contiguous range (snapshots and rescaling
// read key group by key group); the state id next so that one state of one key group is a range too
// (keysAsync). The key is length-prefixed so that the namespace that follows cannot be confused with
// key bytes; the namespace runs to the end of the row key.
//
// Keys and namespaces are encoded from their normalized form (normalizeKey), so two keys that the
// heap backend treats as one (objects equal as canonical JSON, 0 and -0) are one row here too. An
// object key cannot be rebuilt from its canonical JSON, so its row says so (OBJECT tag) and the row
// value carries the original key next to the state value (see LevelDbKeyedStateBackend).
//
// Meta rows (state name -> id) live under the prefix 0xFFFF, above every key group (max parallelism
// is at most 32768).
//
// Not thread-safe by design: a KeyWriter is used synchronously by one task.
import type { NormalizedKey } from '../keyed-state-backend.ts';

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_FALSE = 2;
const T_TRUE = 3;
const T_INT32 = 4;
const T_FLOAT64 = 5;
const T_BIGINT = 6;
const T_STRING = 7;
/** A normalized object key ('\u0000' + canonical JSON): the original is in the row value. */
const T_OBJECT = 8;

/** Length of the fixed row-key header before the key bytes. */
const HEADER = 8;

/** The largest key group a row key can hold; 0xFFFF is the meta prefix. */
export const MAX_KEY_GROUPS = 32768;

/** A growable buffer that many row keys are written into, then handed out as views. */
export class KeyWriter {
  buf: Buffer;
  pos = 0;

  constructor(capacity: number) {
    // A fresh buffer per batch: views handed to LevelDB must not be overwritten by a later batch.
    this.buf = Buffer.allocUnsafe(Math.max(64, capacity));
  }

  #ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /**
   * Appends the row key of (state, key group, key, namespace) and returns its start offset; the row
   * key ends at `pos`. `isObjectKey` says the key was an object (normalized to canonical JSON).
   */
  writeRowKey(
    keyGroup: number,
    stateId: number,
    key: NormalizedKey,
    isObjectKey: boolean,
    ns: NormalizedKey,
  ): number {
    const start = this.pos;
    this.#ensure(HEADER);
    const b = this.buf;
    b[start] = keyGroup >>> 8;
    b[start + 1] = keyGroup & 0xff;
    b[start + 2] = stateId >>> 8;
    b[start + 3] = stateId & 0xff;
    this.pos = start + HEADER;
    this.#writeValue(key, isObjectKey);
    this.buf.writeUInt32BE(this.pos - start - HEADER, start + 4);
    this.#writeValue(ns, false);
    return start;
  }

  /** Appends a key-group-and-state prefix (the range of one state in one key group). */
  writePrefix(keyGroup: number, stateId: number): number {
    const start = this.pos;
    this.#ensure(4);
    this.buf.writeUInt16BE(keyGroup, start);
    this.buf.writeUInt16BE(stateId, start + 2);
    this.pos = start + 4;
    return start;
  }

  #writeValue(v: NormalizedKey, isObject: boolean): void {
    switch (typeof v) {
      case 'string': {
        this.#ensure(1 + v.length * 3);
        this.buf[this.pos] = isObject ? T_OBJECT : T_STRING;
        this.pos += 1 + this.buf.write(v, this.pos + 1, 'utf8');
        return;
      }
      case 'number': {
        this.#ensure(9);
        // Integers in int32 range always take the short form, so one number has one encoding.
        if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) {
          this.buf[this.pos] = T_INT32;
          this.buf.writeInt32BE(v | 0, this.pos + 1);
          this.pos += 5;
        } else {
          this.buf[this.pos] = T_FLOAT64;
          this.buf.writeDoubleBE(Number.isNaN(v) ? NaN : v, this.pos + 1);
          this.pos += 9;
        }
        return;
      }
      case 'bigint': {
        const s = v.toString();
        this.#ensure(1 + s.length);
        this.buf[this.pos] = T_BIGINT;
        this.pos += 1 + this.buf.write(s, this.pos + 1, 'latin1');
        return;
      }
      case 'boolean':
        this.#ensure(1);
        this.buf[this.pos++] = v ? T_TRUE : T_FALSE;
        return;
      default:
        this.#ensure(1);
        this.buf[this.pos++] = v === null ? T_NULL : T_UNDEFINED;
    }
  }
}

/** A decoded row key. */
export interface DecodedRowKey {
  readonly keyGroup: number;
  readonly stateId: number;
  /** The normalized key (for an object key: its canonical JSON form). */
  readonly key: NormalizedKey;
  /** The key was an object: its original is stored in the row value. */
  readonly isObjectKey: boolean;
  readonly namespace: NormalizedKey;
}

/** Decodes a row key written by KeyWriter.writeRowKey. */
export function decodeRowKey(b: Uint8Array): DecodedRowKey {
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const keyLen = buf.readUInt32BE(4);
  const keyEnd = HEADER + keyLen;
  return {
    keyGroup: buf.readUInt16BE(0),
    stateId: buf.readUInt16BE(2),
    key: decodeValue(buf, HEADER, keyEnd),
    isObjectKey: buf[HEADER] === T_OBJECT,
    namespace: decodeValue(buf, keyEnd, buf.length),
  };
}

function decodeValue(b: Buffer, start: number, end: number): NormalizedKey {
  switch (b[start]) {
    case T_UNDEFINED:
      return undefined;
    case T_NULL:
      return null;
    case T_FALSE:
      return false;
    case T_TRUE:
      return true;
    case T_INT32:
      return b.readInt32BE(start + 1);
    case T_FLOAT64:
      return b.readDoubleBE(start + 1);
    case T_BIGINT:
      return BigInt(b.toString('latin1', start + 1, end));
    case T_STRING:
    case T_OBJECT:
      return b.toString('utf8', start + 1, end);
    default:
      throw new Error(`corrupt state row key: unknown tag ${b[start]} at ${start}`);
  }
}

/** The row key range [gte, lt) of one state in one key group. */
export function stateRange(keyGroup: number, stateId: number): { gte: Buffer; lt: Buffer } {
  const gte = Buffer.allocUnsafe(4);
  gte.writeUInt16BE(keyGroup, 0);
  gte.writeUInt16BE(stateId, 2);
  const lt = Buffer.from(gte);
  // stateId + 1 may carry into the key group bytes, which is still the correct upper bound.
  lt.writeUInt32BE(gte.readUInt32BE(0) + 1, 0);
  return { gte, lt };
}

/** The row key range [gte, lt) of one key group (every state). */
export function keyGroupRange(keyGroup: number): { gte: Buffer; lt: Buffer } {
  const gte = Buffer.allocUnsafe(2);
  gte.writeUInt16BE(keyGroup, 0);
  const lt = Buffer.allocUnsafe(2);
  lt.writeUInt16BE(keyGroup + 1, 0);
  return { gte, lt };
}

/** The meta row key that records a state's id. */
export function metaKey(stateName: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xff]), Buffer.from(`state:${stateName}`, 'utf8')]);
}
