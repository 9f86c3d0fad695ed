// Key bytes for hashing: strings as UTF-8, numbers as float64 little-endian, anything else as its
// canonical JSON. Not a general serializer: only what partitioning and key groups need.
// Not thread-safe by design: one scratch buffer per process, used synchronously.
import { murmur3 } from './murmur3.ts';

let scratch = Buffer.allocUnsafe(256);
const numberView = new DataView(new ArrayBuffer(8));
const numberBytes = new Uint8Array(numberView.buffer);

function canonical(key: unknown): string {
  return (
    JSON.stringify(key, (_k, v: unknown) => {
      if (typeof v === 'bigint') return `${v}n`;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        const o: Record<string, unknown> = {};
        for (const k of Object.keys(v).sort()) o[k] = (v as Record<string, unknown>)[k];
        return o;
      }
      return v;
    }) ?? 'undefined'
  );
}

function hashString(s: string): number {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  if (s.length * 3 > scratch.length) scratch = Buffer.allocUnsafe(Math.max(s.length * 3, scratch.length * 2));
  const n = scratch.write(s, 0, 'utf8');
  return murmur3(scratch, n);
}

/** murmur3 of a key's serialized bytes. */
export function hashKey(key: unknown): number {
  if (typeof key === 'string') return hashString(key);
  if (typeof key === 'number') {
    numberView.setFloat64(0, key === 0 ? 0 : key, true); // -0 and 0 are one key
    return murmur3(numberBytes, 8);
  }
  return hashString(canonical(key));
}
