// Keys and namespaces as JavaScript map keys: JS maps compare objects by identity, so state keys
// are normalized once per access (primitives as they are, objects as canonical JSON). Shared by both
// keyed state backends, state TTL, timers and broadcast state.
import type { NormalizedKey } from './keyed-state-backend.ts';

/** Makes `v` usable as a Map key with value semantics. */
export function normalizeKey(v: unknown): NormalizedKey {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return v;
    default:
      if (v === null) return null;
      // The prefix keeps an object key from colliding with a string key that spells the same JSON.
      return `\u0000${canonical(v)}`;
  }
}

function canonical(v: unknown): string {
  return (
    JSON.stringify(v, (_k, x: unknown) => {
      if (typeof x === 'bigint') return `${x}n`;
      if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
        const o: Record<string, unknown> = {};
        for (const k of Object.keys(x).sort()) o[k] = (x as Record<string, unknown>)[k];
        return o;
      }
      return x;
    }) ?? 'undefined'
  );
}

/** The namespace of plain keyed state (not windowed). */
export const VOID_NAMESPACE = 0;
