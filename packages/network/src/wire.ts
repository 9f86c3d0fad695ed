// Numbers off the wire. The generated codecs type uint64 fields as `number`, but protobufjs decodes
// them to Long objects whenever the `long` package is installed (it is, through grpc-js). Every
// uint64 Eddy reads goes through `u64`.

/** A decoded uint64 field as a number (exact up to 2^53). */
export function u64(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v !== null && typeof v === 'object' && typeof (v as { toNumber?: unknown }).toNumber === 'function') {
    return (v as { toNumber(): number }).toNumber();
  }
  return Number(v ?? 0);
}
