// The default record serializer of remote channels: msgpackr over a whole buffer. One `pack` call
// encodes the records of one network buffer; msgpackr's record extension defines each object shape
// once inside the buffer and refers to it for every further record of that shape, so keys are not
// repeated per record. Every buffer is self-describing (no structure table shared between buffers),
// which keeps producer and consumer free of shared state: buffers of different channels can be
// multiplexed, dropped with a released channel, or decoded by any deserializer.
//
// Layout: a plain buffer is the bare array of records; a buffer with timestamps or inline events
// (watermarks) is `{r: records, t?: timestamps, e?: [[at, kind, payload], ...]}`.
//
// Threading: one instance per connection, used from the TaskManager's event loop only.
import { Packr, Unpackr } from 'msgpackr';
import { EddyError } from '@eddy/common';
import type { InlineEvent, RecordBatch } from './result-partition.ts';

/** Encodes a batch of records into one buffer. */
export class BufferSerializer {
  readonly #packr = new Packr({ useRecords: true, moreTypes: true });

  /**
   * The encoded bytes. The returned view stays valid: msgpackr advances through its scratch memory
   * and never rewrites bytes it returned.
   */
  serialize(
    records: readonly unknown[],
    timestamps?: readonly number[],
    inline?: readonly InlineEvent[],
  ): Uint8Array {
    try {
      if (timestamps === undefined && inline === undefined) return this.#packr.pack(records);
      return this.#packr.pack({
        r: records,
        ...(timestamps === undefined ? {} : { t: timestamps }),
        ...(inline === undefined
          ? {}
          : {
              e: inline.map((i) => [i.at, i.event.kind, (i.event as { payload?: unknown }).payload ?? null]),
            }),
      });
    } catch (err) {
      throw new EddyError(
        'RECORD_NOT_SERIALIZABLE',
        `cannot serialize a record for the network: ${(err as Error).message}; records must be plain data (objects, arrays, strings, numbers, bigints, dates, typed arrays, maps, sets)`,
        { domain: 'user', cause: err },
      );
    }
  }
}

/** Decodes buffers written by BufferSerializer. */
export class BufferDeserializer {
  readonly #unpackr = new Unpackr({ useRecords: true, moreTypes: true });

  deserialize(bytes: Uint8Array): RecordBatch {
    const decoded: unknown = this.#unpackr.unpack(bytes);
    if (Array.isArray(decoded)) return { records: decoded, timestamps: undefined, inline: undefined };
    const o = decoded as { r?: unknown; t?: unknown; e?: unknown } | null;
    if (
      o !== null &&
      typeof o === 'object' &&
      Array.isArray(o.r) &&
      (o.t === undefined || (Array.isArray(o.t) && o.t.length === o.r.length)) &&
      (o.e === undefined || Array.isArray(o.e))
    ) {
      const inline = (o.e as [number, string, unknown][] | undefined)?.map(
        ([at, kind, payload]): InlineEvent => ({
          at,
          event: payload === null ? { kind } : { kind, payload },
        }),
      );
      return { records: o.r, timestamps: o.t as number[] | undefined, inline };
    }
    throw new EddyError('CORRUPT_BUFFER', `network buffer of ${bytes.length} bytes is not a record batch`);
  }
}
