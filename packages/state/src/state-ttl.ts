// State time-to-live (Flink's TtlStateFactory and its Ttl*State wrappers): the state handles of a
// descriptor with a TTL, written once over a small storage interface that both keyed state backends
// implement, so that heap and LevelDB expire values identically.
//
// A TTL state stores each value with the processing time of its last update (StateEntry documents the
// stored forms; they are also the canonical snapshot forms). A value whose time plus the TTL has been
// reached is expired: an access removes it (cleanup on access) and, unless the visibility says
// otherwise, treats it as absent; snapshots leave it out (cleanup in snapshots, `withoutExpired`).
// Descriptors without a TTL never come here: their handles store plain values.
//
// Threading: used only from the owning task's mailbox, like the backends.
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  ListState,
  MapState,
  ReducingState,
  ReducingStateDescriptor,
  StateDescriptor,
  StateTtlConfig,
  ValueState,
  ValueStateDescriptor,
} from '@eddy/api';
import { EddyError } from '@eddy/common';
import type { InternalKvState, NormalizedKey } from './keyed-state-backend.ts';
import { normalizeKey, VOID_NAMESPACE } from './normalized-key.ts';

/** Where state TTL takes the current time from (Flink's TtlTimeProvider); tests inject a manual one. */
export interface TtlTimeProvider {
  /** Milliseconds, like Date.now(). */
  now(): number;
}

/** Wall-clock time. */
export const SYSTEM_TIME_PROVIDER: TtlTimeProvider = { now: () => Date.now() };

/**
 * A backend's storage of one state, for the current key: the stored (timestamped) value per
 * namespace. The TTL handles never mutate what `get` returns; what `getMutable` returns they may.
 */
export interface TtlStateStorage {
  readonly descriptor: StateDescriptor;
  /** The stored value of the current key in `ns`, undefined when absent. Read-only. */
  get(ns: NormalizedKey): unknown;
  /** Like `get`, but safe to change in place, and recorded as changed when present. */
  getMutable(ns: NormalizedKey): unknown;
  /** Replaces the stored value of the current key in `ns`; undefined removes it. */
  set(ns: NormalizedKey, value: unknown): void;
}

/** A value, reduced value or accumulator with its last-update time. */
type TtlValue = readonly [value: unknown, ts: number];
/** A list element with its last-update time. */
type TtlElement = readonly [element: unknown, ts: number];
/** A map entry with its last-update time, keyed by the normalized map key. */
type TtlMapEntry = readonly [mapKey: unknown, value: unknown, ts: number];
type TtlMap = Map<NormalizedKey, TtlMapEntry>;

/** Flink's expiry rule: expired once `ts + ttl <= now`. */
function isExpired(ts: number, ttlMs: number, now: number): boolean {
  return ts + ttlMs <= now;
}

/**
 * A TTL state's canonical value without its expired parts, or undefined when nothing is left
 * (snapshots call it; `value` is never changed).
 */
export function withoutExpired(
  kind: StateDescriptor['kind'],
  value: unknown,
  ttlMs: number,
  now: number,
): unknown {
  if (kind === 'list' || kind === 'map') {
    const items = value as readonly (readonly unknown[])[];
    const tsAt = kind === 'list' ? 1 : 2;
    let live = 0;
    for (const item of items) if (!isExpired(item[tsAt] as number, ttlMs, now)) live++;
    if (live === items.length) return value;
    if (live === 0) return undefined;
    return items.filter((item) => !isExpired(item[tsAt] as number, ttlMs, now));
  }
  return isExpired((value as TtlValue)[1], ttlMs, now) ? undefined : value;
}

/** The error for state whose TTL was switched on or off (Flink refuses this too). */
export function ttlIncompatible(name: string, existingHasTtl: boolean): EddyError {
  const [was, now] = existingHasTtl ? ['with', 'without'] : ['without', 'with'];
  return new EddyError(
    'STATE_TTL_INCOMPATIBLE',
    `state '${name}' exists ${was} a TTL (restored or declared earlier) but is declared ${now} one: ` +
      `a TTL cannot be switched on or off for existing state; keep it as it was (its duration may change) or give the state a new name`,
    { domain: 'user' },
  );
}

/** A handle for a descriptor with a TTL over `storage`. */
export function createTtlState(storage: TtlStateStorage, time: TtlTimeProvider): InternalKvState {
  switch (storage.descriptor.kind) {
    case 'value':
      return new TtlValueState(storage, time);
    case 'list':
      return new TtlListState(storage, time);
    case 'map':
      return new TtlMapState(storage, time);
    case 'reducing':
      return new TtlReducingState(storage, time);
    case 'aggregating':
      return new TtlAggregatingState(storage, time);
  }
}

abstract class TtlState implements InternalKvState {
  protected readonly storage: TtlStateStorage;
  protected readonly time: TtlTimeProvider;
  protected ns: NormalizedKey = VOID_NAMESPACE;
  constructor(storage: TtlStateStorage, time: TtlTimeProvider) {
    this.storage = storage;
    this.time = time;
  }
  get descriptor(): StateDescriptor {
    return this.storage.descriptor;
  }
  /** Read on every access: the operator's declaration replaces a restored placeholder. */
  protected get ttl(): StateTtlConfig {
    const ttl = this.storage.descriptor.ttl;
    if (ttl === undefined)
      throw new EddyError('STATE_TTL_MISSING', `TTL state '${this.storage.descriptor.name}' has no TTL`);
    return ttl;
  }
  setCurrentNamespace(namespace: unknown): void {
    this.ns = normalizeKey(namespace);
  }
  clear(): void {
    this.storage.set(this.ns, undefined);
  }
  abstract mergeNamespaces(target: unknown, sources: readonly unknown[]): void;
}

/** Value, reducing and aggregating state: one timestamped value per (key, namespace). */
abstract class TtlSingleValueState extends TtlState {
  /**
   * The stored value as a read sees it: an expired one is removed, and returned only under
   * 'return-expired-if-not-cleaned-up'; a live one is refreshed under 'on-read-and-write'.
   */
  protected readVisible(): TtlValue | undefined {
    const stored = this.storage.get(this.ns) as TtlValue | undefined;
    if (stored === undefined) return undefined;
    const ttl = this.ttl;
    const now = this.time.now();
    if (isExpired(stored[1], ttl.ttlMs, now)) {
      this.storage.set(this.ns, undefined);
      return ttl.visibility === 'return-expired-if-not-cleaned-up' ? stored : undefined;
    }
    if (ttl.updateType === 'on-read-and-write' && stored[1] !== now)
      this.storage.set(this.ns, [stored[0], now]);
    return stored;
  }
  /** What a read-modify-write builds on: the stored value unless it is expired and invisible. */
  protected base(stored: TtlValue | undefined, now: number): TtlValue | undefined {
    if (stored === undefined) return undefined;
    const ttl = this.ttl;
    return isExpired(stored[1], ttl.ttlMs, now) && ttl.visibility === 'never-return-expired'
      ? undefined
      : stored;
  }
  /** The unexpired value of `ns`; an expired one is removed. */
  #unexpired(ns: NormalizedKey, now: number): TtlValue | undefined {
    const stored = this.storage.get(ns) as TtlValue | undefined;
    if (stored === undefined || !isExpired(stored[1], this.ttl.ttlMs, now)) return stored;
    this.storage.set(ns, undefined);
    return undefined;
  }
  protected abstract combine(a: TtlValue, b: TtlValue, now: number): TtlValue;
  /** Merges the unexpired values of `sources` into `target` (expired ones take no part). */
  mergeNamespaces(target: unknown, sources: readonly unknown[]): void {
    const now = this.time.now();
    const t = normalizeKey(target);
    let acc = this.#unexpired(t, now);
    for (const s of sources) {
      const ns = normalizeKey(s);
      if (ns === t) continue;
      const v = this.#unexpired(ns, now);
      if (v === undefined) continue;
      acc = acc === undefined ? v : this.combine(acc, v, now);
      this.storage.set(ns, undefined);
    }
    if (acc !== undefined) this.storage.set(t, acc);
  }
}

class TtlValueState extends TtlSingleValueState implements ValueState<unknown> {
  value(): unknown {
    const v = this.readVisible();
    return v === undefined ? (this.descriptor as ValueStateDescriptor<unknown>).defaultValue : v[0];
  }
  update(value: unknown): void {
    this.storage.set(this.ns, value === undefined ? undefined : [value, this.time.now()]);
  }
  protected combine(_a: TtlValue, b: TtlValue): TtlValue {
    return b;
  }
}

class TtlReducingState extends TtlSingleValueState implements ReducingState<unknown> {
  #reduce(a: unknown, b: unknown): unknown {
    return (this.descriptor as ReducingStateDescriptor<unknown>).reduce(a, b);
  }
  get(): unknown {
    return this.readVisible()?.[0];
  }
  add(value: unknown): void {
    const now = this.time.now();
    const cur = this.base(this.storage.get(this.ns) as TtlValue | undefined, now);
    this.storage.set(this.ns, [cur === undefined ? value : this.#reduce(cur[0], value), now]);
  }
  protected combine(a: TtlValue, b: TtlValue, now: number): TtlValue {
    return [this.#reduce(a[0], b[0]), now];
  }
}

class TtlAggregatingState extends TtlSingleValueState implements AggregatingState<unknown, unknown> {
  get #agg(): AggregatingStateDescriptor<unknown, unknown, unknown>['aggregate'] {
    return (this.descriptor as AggregatingStateDescriptor<unknown, unknown, unknown>).aggregate;
  }
  get(): unknown {
    const v = this.readVisible();
    return v === undefined ? undefined : this.#agg.getResult(v[0]);
  }
  add(value: unknown): void {
    const agg = this.#agg;
    const now = this.time.now();
    // Mutable: AggregateFunction.add may change the accumulator in place, and a heap snapshot may
    // still share the stored one.
    const cur = this.base(this.storage.getMutable(this.ns) as TtlValue | undefined, now);
    this.storage.set(this.ns, [agg.add(value, cur === undefined ? agg.createAccumulator() : cur[0]), now]);
  }
  protected combine(a: TtlValue, b: TtlValue, now: number): TtlValue {
    return [this.#agg.merge(a[0], b[0]), now];
  }
}

/** List state: every element carries its own time, so elements expire one by one. */
class TtlListState extends TtlState implements ListState<unknown> {
  get(): readonly unknown[] {
    const stored = this.storage.get(this.ns) as readonly TtlElement[] | undefined;
    if (stored === undefined) return [];
    const { ttlMs, updateType, visibility } = this.ttl;
    const now = this.time.now();
    const refresh = updateType === 'on-read-and-write';
    const returnExpired = visibility === 'return-expired-if-not-cleaned-up';
    const out: unknown[] = [];
    let expired = false;
    let stale = false;
    for (const e of stored) {
      if (isExpired(e[1], ttlMs, now)) {
        expired = true;
        if (returnExpired) out.push(e[0]);
      } else {
        out.push(e[0]);
        if (e[1] !== now) stale = true;
      }
    }
    if (expired || (refresh && stale)) {
      const kept: TtlElement[] = [];
      for (const e of stored)
        if (!isExpired(e[1], ttlMs, now)) kept.push(refresh && e[1] !== now ? [e[0], now] : e);
      this.storage.set(this.ns, kept.length === 0 ? undefined : kept);
    }
    return out;
  }
  add(value: unknown): void {
    const now = this.time.now();
    const l = this.storage.getMutable(this.ns) as TtlElement[] | undefined;
    if (l === undefined) this.storage.set(this.ns, [[value, now]]);
    else l.push([value, now]);
  }
  addAll(values: readonly unknown[]): void {
    if (values.length === 0) return;
    const now = this.time.now();
    const l = this.storage.getMutable(this.ns) as TtlElement[] | undefined;
    if (l === undefined)
      this.storage.set(
        this.ns,
        values.map((v) => [v, now]),
      );
    else for (const v of values) l.push([v, now]);
  }
  update(values: readonly unknown[]): void {
    const now = this.time.now();
    this.storage.set(this.ns, values.length === 0 ? undefined : values.map((v) => [v, now]));
  }
  /** The unexpired elements of `ns` (expired ones are removed), undefined when none. */
  #unexpired(ns: NormalizedKey, now: number): readonly TtlElement[] | undefined {
    const stored = this.storage.get(ns) as readonly TtlElement[] | undefined;
    if (stored === undefined) return undefined;
    const live = withoutExpired('list', stored, this.ttl.ttlMs, now) as readonly TtlElement[] | undefined;
    if (live !== stored) this.storage.set(ns, live);
    return live;
  }
  /** Concatenates the unexpired elements; each keeps its own time. */
  mergeNamespaces(target: unknown, sources: readonly unknown[]): void {
    const now = this.time.now();
    const t = normalizeKey(target);
    let acc = this.#unexpired(t, now);
    for (const s of sources) {
      const ns = normalizeKey(s);
      if (ns === t) continue;
      const v = this.#unexpired(ns, now);
      if (v === undefined) continue;
      acc = acc === undefined ? v : [...acc, ...v];
      this.storage.set(ns, undefined);
    }
    // A fresh array: the target's list may be shared with a source's or a snapshot's.
    if (acc !== undefined) this.storage.set(t, [...acc]);
  }
}

/** Map state: every entry carries its own time, so entries expire one by one. */
class TtlMapState extends TtlState implements MapState<unknown, unknown> {
  #stored(): TtlMap | undefined {
    return this.storage.get(this.ns) as TtlMap | undefined;
  }
  #mutable(): TtlMap {
    let m = this.storage.getMutable(this.ns) as TtlMap | undefined;
    if (m === undefined) this.storage.set(this.ns, (m = new Map()));
    return m;
  }
  #delete(nk: NormalizedKey): void {
    const m = this.storage.getMutable(this.ns) as TtlMap | undefined;
    if (m === undefined) return;
    m.delete(nk);
    if (m.size === 0) this.storage.set(this.ns, undefined);
  }
  /** Applies the TTL to one entry a read found; true when the read sees it. */
  #onRead(nk: NormalizedKey, e: TtlMapEntry): boolean {
    const ttl = this.ttl;
    const now = this.time.now();
    if (isExpired(e[2], ttl.ttlMs, now)) {
      this.#delete(nk);
      return ttl.visibility === 'return-expired-if-not-cleaned-up';
    }
    if (ttl.updateType === 'on-read-and-write' && e[2] !== now) this.#mutable().set(nk, [e[0], e[1], now]);
    return true;
  }
  /**
   * Every entry a read of the whole map sees, after removing the expired ones (and, for `read`
   * under 'on-read-and-write', refreshing the others).
   */
  #sweep(read: boolean): TtlMapEntry[] {
    const m = this.#stored();
    if (m === undefined) return [];
    const { ttlMs, updateType, visibility } = this.ttl;
    const now = this.time.now();
    const refresh = read && updateType === 'on-read-and-write';
    const returnExpired = visibility === 'return-expired-if-not-cleaned-up';
    const seen: TtlMapEntry[] = [];
    let expired = false;
    let stale = false;
    for (const e of m.values()) {
      if (isExpired(e[2], ttlMs, now)) {
        expired = true;
        if (returnExpired) seen.push(e);
      } else {
        seen.push(e);
        if (e[2] !== now) stale = true;
      }
    }
    if (expired || (refresh && stale)) {
      const mm = this.#mutable();
      for (const [nk, e] of mm) {
        if (isExpired(e[2], ttlMs, now)) mm.delete(nk);
        else if (refresh && e[2] !== now) mm.set(nk, [e[0], e[1], now]);
      }
      if (mm.size === 0) this.storage.set(this.ns, undefined);
    }
    return seen;
  }
  get(key: unknown): unknown {
    const nk = normalizeKey(key);
    const e = this.#stored()?.get(nk);
    return e !== undefined && this.#onRead(nk, e) ? e[1] : undefined;
  }
  put(key: unknown, value: unknown): void {
    this.#mutable().set(normalizeKey(key), [key, value, this.time.now()]);
  }
  putAll(entries: Iterable<readonly [unknown, unknown]>): void {
    const now = this.time.now();
    const m = this.#mutable();
    for (const [k, v] of entries) m.set(normalizeKey(k), [k, v, now]);
    if (m.size === 0) this.storage.set(this.ns, undefined);
  }
  remove(key: unknown): void {
    const nk = normalizeKey(key);
    if (this.#stored()?.has(nk) === true) this.#delete(nk);
  }
  contains(key: unknown): boolean {
    const nk = normalizeKey(key);
    const e = this.#stored()?.get(nk);
    return e !== undefined && this.#onRead(nk, e);
  }
  entries(): IterableIterator<[unknown, unknown]> {
    return this.#sweep(true)
      .map((e): [unknown, unknown] => [e[0], e[1]])
      .values();
  }
  keys(): IterableIterator<unknown> {
    return this.#sweep(true)
      .map((e) => e[0])
      .values();
  }
  values(): IterableIterator<unknown> {
    return this.#sweep(true)
      .map((e) => e[1])
      .values();
  }
  isEmpty(): boolean {
    return this.#sweep(false).length === 0;
  }
  /** The union of the unexpired entries; a later namespace's entry wins, keeping its time. */
  mergeNamespaces(target: unknown, sources: readonly unknown[]): void {
    const now = this.time.now();
    const ttlMs = this.ttl.ttlMs;
    const t = normalizeKey(target);
    const merged: TtlMap = new Map();
    let touched = false;
    for (const ns of [t, ...sources.map((s) => normalizeKey(s)).filter((ns) => ns !== t)]) {
      const m = this.storage.get(ns) as TtlMap | undefined;
      if (m === undefined) continue;
      touched = true;
      for (const [nk, e] of m) if (!isExpired(e[2], ttlMs, now)) merged.set(nk, e);
      if (ns !== t) this.storage.set(ns, undefined);
    }
    if (touched) this.storage.set(t, merged.size === 0 ? undefined : merged);
  }
}
