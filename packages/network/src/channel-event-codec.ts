// RuntimeEvent <-> ChannelEvent (proto). Events are small control elements; their payload travels
// as JSON so the runtime can add event kinds without touching the data plane.
import { EddyError } from '@eddy/common';
import type { RuntimeEvent } from '@eddy/runtime';
import { pb, type eddy } from './rpc.ts';
import { END_OF_PARTITION } from './result-partition.ts';

export function encodeEvent(event: RuntimeEvent): eddy.v1.ChannelEvent {
  const payload = 'payload' in event ? event.payload : undefined;
  return pb.ChannelEvent.create({
    kind: event.kind,
    payloadJson: payload === undefined ? '' : JSON.stringify(payload),
  });
}

export function decodeEvent(event: eddy.v1.ChannelEvent.$Properties): RuntimeEvent {
  const kind = event.kind ?? '';
  if (kind === END_OF_PARTITION.kind) return END_OF_PARTITION;
  const json = event.payloadJson ?? '';
  if (json === '') return { kind };
  try {
    return { kind, payload: JSON.parse(json) as unknown };
  } catch (err) {
    throw new EddyError('CORRUPT_FRAME', `event '${kind}' carries a payload that is not JSON`, {
      cause: err,
    });
  }
}
