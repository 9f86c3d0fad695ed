// The heap keyed state backend: every state lives in JavaScript maps, partitioned by key group so
// that a snapshot or a rescale moves whole key groups (DESIGN.md section 6).
//
// An operator sets the current key before it calls user code (setCurrentKey, once per record);
// state handles read the current key's entry. Internal states also carry a namespace (a window):
// the window operator switches it with setCurrentNamespace. Keys and namespaces are normalized to
// map keys once (primitives as they are, objects as canonical JSON), because JS maps compare objects
// by identity.
//
// Threading: owned by one task; used only from its mailbox.
import type {
  AggregatingStateDescriptor,
  AggregatingState,
  ListState,
  MapState,
  ReducingState,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueState,
  ValueStateDescriptor,
} from '@eddy/api';
import { EddyError } from '@eddy/common';
import { assignToKeyGroup, type KeyGroupRange } from './key-group.ts';
import {
  parseStateMeta,
  stateMeta,
  type InternalKvState,
  type KeyGroupSnapshot,
  type KeyedStateBackend,
  type KeyedStateSnapshot,
  type NormalizedKey,
  type StateEntry,
  type StateMeta,
} from './keyed-state-backend.ts';
import { normalizeKey, VOID_NAMESPACE } from './normalized-key.ts';
import {
  createTtlState,
  SYSTEM_TIME_PROVIDER,
  ttlIncompatible,
  withoutExpired,
  type TtlStateStorage,
  type TtlTimeProvider,
} from './state-ttl.ts';

export { normalizeKey, VOID_NAMESPACE };

/** Options of HeapKeyedStateBackend. */
export interface HeapKeyedStateBackendOptions {
  /** The time state TTL is measured in (default: the wall clock). */
  readonly clock?: TtlTimeProvider;
}

/**
 * One key's entry: its original key and its values per namespace. `epoch` is the snapshot epoch it
 * was created in: an older entry may be shared with a snapshot still being written, so it is
 * copied before it changes (copy-on-write, as Flink's CopyOnWriteStateMap).
 */
interface KeyEntry {
  readonly key: unknown;
  readonly byNamespace: Map<NormalizedKey, unknown>;
  readonly epoch: number;
}

/** Copies a value that state operations mutate in place (lists, maps, accumulators). */
function copyMutable(kind: StateDescriptor['kind'], v: unknown): unknown {
  if (kind === 'list') return [...(v as unknown[])];
  if (kind === 'map') return new Map(v as Map<unknown, unknown>);
  if (kind === 'aggregating') return structuredClone(v);
  return v;
}

/** A state's data: key group -> normalized key -> entry, copy-on-write across snapshots. */
class StateTable {
  descriptor: StateDescriptor;
  /** Values are stored with timestamps (the state has a TTL, or was restored with one). */
  readonly ttl: boolean;
  readonly groups = new Map<number, Map<NormalizedKey, KeyEntry>>();
  readonly #groupEpoch = new Map<number, number>();
  readonly #epoch: () => number;
  constructor(descriptor: StateDescriptor, epoch: () => number, ttl = descriptor.ttl !== undefined) {
    this.descriptor = descriptor;
    this.ttl = ttl;
    this.#epoch = epoch;
  }
  get(keyGroup: number, key: NormalizedKey, ns: NormalizedKey): unknown {
    return this.groups.get(keyGroup)?.get(key)?.byNamespace.get(ns);
  }
  /** The entry of `key`, safe to change: its group map and itself copied if a snapshot shares them. */
  #mutableEntry(
    keyGroup: number,
    key: NormalizedKey,
    original: unknown,
    create: boolean,
  ): KeyEntry | undefined {
    const epoch = this.#epoch();
    let g = this.groups.get(keyGroup);
    if (g === undefined) {
      if (!create) return undefined;
      this.groups.set(keyGroup, (g = new Map()));
      this.#groupEpoch.set(keyGroup, epoch);
    } else if ((this.#groupEpoch.get(keyGroup) ?? -1) < epoch) {
      g = new Map(g);
      this.groups.set(keyGroup, g);
      this.#groupEpoch.set(keyGroup, epoch);
    }
    let e = g.get(key);
    if (e === undefined) {
      if (!create) return undefined;
      g.set(key, (e = { key: original, byNamespace: new Map(), epoch }));
    } else if (e.epoch < epoch) {
      const kind = this.descriptor.kind;
      const copy = new Map<NormalizedKey, unknown>();
      for (const [ns, v] of e.byNamespace) copy.set(ns, copyMutable(kind, v));
      g.set(key, (e = { key: e.key, byNamespace: copy, epoch }));
    }
    return e;
  }
  put(keyGroup: number, key: NormalizedKey, original: unknown, ns: NormalizedKey, value: unknown): void {
    this.#mutableEntry(keyGroup, key, original, true)!.byNamespace.set(ns, value);
  }
  /** The value, safe to mutate in place (list push, map put). */
  getMutable(keyGroup: number, key: NormalizedKey, ns: NormalizedKey): unknown {
    if (this.get(keyGroup, key, ns) === undefined) return undefined;
    return this.#mutableEntry(keyGroup, key, undefined, false)?.byNamespace.get(ns);
  }
  remove(keyGroup: number, key: NormalizedKey, ns: NormalizedKey): void {
    if (this.groups.get(keyGroup)?.get(key)?.byNamespace.has(ns) !== true) return;
    const e = this.#mutableEntry(keyGroup, key, undefined, false)!;
    e.byNamespace.delete(ns);
    if (e.byNamespace.size === 0) {
      const g = this.groups.get(keyGroup)!;
      g.delete(key);
      if (g.size === 0) {
        this.groups.delete(keyGroup);
        this.#groupEpoch.delete(keyGroup);
      }
    }
  }
}

/** A table's group maps as a snapshot froze them. */
interface FrozenTable {
  readonly name: string;
  readonly kind: StateDescriptor['kind'];
  /** The TTL to drop expired values by; undefined without TTL (or before a restored TTL state is declared). */
  readonly ttlMs: number | undefined;
  readonly groups: ReadonlyMap<number, ReadonlyMap<NormalizedKey, KeyEntry>>;
}

/**
 * A heap snapshot: the group maps as they were at the barrier (copy-on-write keeps them unchanged),
 * turned into canonical entries only when read, one key group at a time.
 */
class HeapKeyedStateSnapshot implements KeyedStateSnapshot {
  readonly maxParallelism: number;
  readonly states: Readonly<Record<string, StateMeta>>;
  readonly #tables: readonly FrozenTable[];
  /** The time of the capture: TTL values expired by then are left out. */
  readonly #now: number;
  #materialized: KeyGroupSnapshot[] | undefined;
  constructor(
    maxParallelism: number,
    states: Record<string, StateMeta>,
    tables: readonly FrozenTable[],
    now: number,
  ) {
    this.maxParallelism = maxParallelism;
    this.states = states;
    this.#tables = tables;
    this.#now = now;
  }
  /** Canonical key groups, one at a time, in key group order. */
  *chunks(): IterableIterator<KeyGroupSnapshot> {
    const kgs = new Set<number>();
    for (const t of this.#tables) for (const kg of t.groups.keys()) kgs.add(kg);
    for (const keyGroup of [...kgs].sort((a, b) => a - b)) {
      const entries: StateEntry[] = [];
      for (const t of this.#tables) {
        const g = t.groups.get(keyGroup);
        if (g === undefined) continue;
        const ttlMs = t.ttlMs;
        for (const e of g.values()) {
          for (const [ns, v] of e.byNamespace) {
            const c = toCanonical(t.kind, v);
            if (ttlMs === undefined) entries.push([t.name, e.key, ns, c]);
            else {
              const live = withoutExpired(t.kind, c, ttlMs, this.#now);
              if (live !== undefined) entries.push([t.name, e.key, ns, live]);
            }
          }
        }
      }
      if (entries.length > 0) yield { keyGroup, entries };
    }
  }
  get keyGroups(): readonly KeyGroupSnapshot[] {
    this.#materialized ??= [...this.chunks()];
    return this.#materialized;
  }
  toJSON(): unknown {
    return { maxParallelism: this.maxParallelism, states: this.states, keyGroups: this.keyGroups };
  }
}

/** The heap backend of one task. */
export class HeapKeyedStateBackend implements KeyedStateBackend {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly #tables = new Map<string, StateTable>();
  /** Bumped by every snapshot: older entries are shared with it and copied before they change. */
  #epoch = 0;
  readonly #currentEpoch = (): number => this.#epoch;
  readonly #time: TtlTimeProvider;
  #key: unknown;
  #normalizedKey: NormalizedKey;
  #keyGroup = -1;

  constructor(
    maxParallelism: number,
    keyGroupRange: KeyGroupRange,
    options: HeapKeyedStateBackendOptions = {},
  ) {
    this.maxParallelism = maxParallelism;
    this.keyGroupRange = keyGroupRange;
    this.#time = options.clock ?? SYSTEM_TIME_PROVIDER;
  }

  /** Sets the key the next state accesses and timer registrations are for. */
  setCurrentKey(key: unknown): void {
    this.#key = key;
    this.#normalizedKey = normalizeKey(key);
    this.#keyGroup = assignToKeyGroup(key, this.maxParallelism);
  }
  getCurrentKey(): unknown {
    return this.#key;
  }
  /** The current key as a map key (for timers). */
  getCurrentNormalizedKey(): NormalizedKey {
    return this.#normalizedKey;
  }
  getCurrentKeyGroup(): number {
    if (this.#keyGroup < 0)
      throw new EddyError('NO_CURRENT_KEY', 'keyed state was accessed outside of a keyed context');
    return this.#keyGroup;
  }

  #table(descriptor: StateDescriptor): StateTable {
    let t = this.#tables.get(descriptor.name);
    if (t === undefined) {
      this.#tables.set(descriptor.name, (t = new StateTable(descriptor, this.#currentEpoch)));
    } else if (t.descriptor.kind !== descriptor.kind) {
      throw new EddyError(
        'STATE_DESCRIPTOR_CONFLICT',
        `state '${descriptor.name}' is declared both as ${t.descriptor.kind} and as ${descriptor.kind} state: give each state its own name`,
        { domain: 'user' },
      );
    } else if (t.ttl !== (descriptor.ttl !== undefined)) {
      throw ttlIncompatible(descriptor.name, t.ttl);
    } else if (t.descriptor !== descriptor) {
      // Restored tables carry a placeholder declaration: adopt the operator's (its functions, its TTL).
      t.descriptor = descriptor;
    }
    return t;
  }

  /** A state handle for `descriptor`, in the void namespace until the owner sets another. */
  getOrCreateKeyedState<S>(descriptor: StateDescriptor): S & InternalKvState {
    const table = this.#table(descriptor);
    // Only states with a TTL pay for it: the others get the plain handles below.
    if (descriptor.ttl !== undefined)
      return createTtlState(new HeapTtlStorage(this, table), this.#time) as S & InternalKvState;
    switch (descriptor.kind) {
      case 'value':
        return new HeapValueState(this, table) as unknown as S & InternalKvState;
      case 'list':
        return new HeapListState(this, table) as unknown as S & InternalKvState;
      case 'map':
        return new HeapMapState(this, table) as unknown as S & InternalKvState;
      case 'reducing':
        return new HeapReducingState(this, table) as unknown as S & InternalKvState;
      case 'aggregating':
        return new HeapAggregatingState(this, table) as unknown as S & InternalKvState;
    }
  }

  /** Every key with state in `stateName` under `namespace` (for tests and state TTL cleanup). */
  *keys(stateName: string, namespace: unknown = VOID_NAMESPACE): IterableIterator<unknown> {
    const ns = normalizeKey(namespace);
    const t = this.#tables.get(stateName);
    if (t === undefined) return;
    for (const g of t.groups.values()) for (const e of g.values()) if (e.byNamespace.has(ns)) yield e.key;
  }

  /** Number of (key, namespace) entries across all states. */
  numEntries(): number {
    let n = 0;
    for (const t of this.#tables.values())
      for (const g of t.groups.values()) for (const e of g.values()) n += e.byNamespace.size;
    return n;
  }

  prefetch(): void {}

  /**
   * Captures the state in O(number of key groups): the current group maps are frozen by starting a
   * new copy-on-write epoch, and canonical entries are produced later, while processing goes on.
   */
  snapshot(): KeyedStateSnapshot {
    const states: Record<string, StateMeta> = {};
    const tables = [...this.#tables].map(([name, t]): FrozenTable => {
      states[name] = stateMeta(t.descriptor.kind, t.ttl);
      const ttlMs = t.ttl ? t.descriptor.ttl?.ttlMs : undefined;
      return { name, kind: t.descriptor.kind, ttlMs, groups: new Map(t.groups) };
    });
    this.#epoch++;
    return new HeapKeyedStateSnapshot(this.maxParallelism, states, tables, this.#time.now());
  }

  /** Loads every entry of a key group in this backend's range; declarations come from the snapshot. */
  restore(snapshots: readonly KeyedStateSnapshot[]): void {
    for (const snap of snapshots) {
      if (snap.maxParallelism !== this.maxParallelism) {
        throw new EddyError(
          'MAX_PARALLELISM_CHANGED',
          `the snapshot has ${snap.maxParallelism} key groups but the operator has max parallelism ${this.maxParallelism}: keep setMaxParallelism unchanged across restores`,
          { domain: 'user' },
        );
      }
      for (const g of snap.keyGroups) {
        if (g.keyGroup < this.keyGroupRange.start || g.keyGroup > this.keyGroupRange.end) continue;
        for (const [name, key, ns, value] of g.entries) {
          const { kind, ttl } = parseStateMeta(snap.states[name]);
          let t = this.#tables.get(name);
          if (t === undefined)
            this.#tables.set(
              name,
              (t = new StateTable({ kind, name } as StateDescriptor, this.#currentEpoch, ttl)),
            );
          else if (t.ttl !== ttl) throw ttlIncompatible(name, t.ttl);
          t.put(g.keyGroup, normalizeKey(key), key, normalizeKey(ns), fromCanonical(kind, value));
        }
      }
    }
  }

  close(): void {
    this.#tables.clear();
  }

  /** @internal */
  access(): { keyGroup: number; key: NormalizedKey; original: unknown } {
    return { keyGroup: this.getCurrentKeyGroup(), key: this.#normalizedKey, original: this.#key };
  }
}

/** A TTL state's access to its table, for the backend's current key. */
class HeapTtlStorage implements TtlStateStorage {
  readonly #backend: HeapKeyedStateBackend;
  readonly #table: StateTable;
  constructor(backend: HeapKeyedStateBackend, table: StateTable) {
    this.#backend = backend;
    this.#table = table;
  }
  get descriptor(): StateDescriptor {
    return this.#table.descriptor;
  }
  get(ns: NormalizedKey): unknown {
    const b = this.#backend;
    return this.#table.get(b.getCurrentKeyGroup(), b.getCurrentNormalizedKey(), ns);
  }
  getMutable(ns: NormalizedKey): unknown {
    const b = this.#backend;
    return this.#table.getMutable(b.getCurrentKeyGroup(), b.getCurrentNormalizedKey(), ns);
  }
  set(ns: NormalizedKey, value: unknown): void {
    const a = this.#backend.access();
    if (value === undefined) this.#table.remove(a.keyGroup, a.key, ns);
    else this.#table.put(a.keyGroup, a.key, a.original, ns, value);
  }
}

abstract class HeapState implements InternalKvState {
  protected readonly backend: HeapKeyedStateBackend;
  protected readonly table: StateTable;
  protected ns: NormalizedKey = VOID_NAMESPACE;
  constructor(backend: HeapKeyedStateBackend, table: StateTable) {
    this.backend = backend;
    this.table = table;
  }
  get descriptor(): StateDescriptor {
    return this.table.descriptor;
  }
  setCurrentNamespace(namespace: unknown): void {
    this.ns = normalizeKey(namespace);
  }
  protected read(ns: NormalizedKey = this.ns): unknown {
    return this.table.get(this.backend.getCurrentKeyGroup(), this.backend.getCurrentNormalizedKey(), ns);
  }
  protected write(value: unknown, ns: NormalizedKey = this.ns): void {
    const a = this.backend.access();
    this.table.put(a.keyGroup, a.key, a.original, ns, value);
  }
  /** The stored value, safe to change in place (copied first when a snapshot shares it). */
  protected readMutable(ns: NormalizedKey = this.ns): unknown {
    return this.table.getMutable(
      this.backend.getCurrentKeyGroup(),
      this.backend.getCurrentNormalizedKey(),
      ns,
    );
  }
  clear(): void {
    this.table.remove(this.backend.getCurrentKeyGroup(), this.backend.getCurrentNormalizedKey(), this.ns);
  }
  protected clearNs(ns: NormalizedKey): void {
    this.table.remove(this.backend.getCurrentKeyGroup(), this.backend.getCurrentNormalizedKey(), ns);
  }
  /** Combines two stored values of this state kind. */
  protected abstract combine(a: unknown, b: unknown): unknown;
  mergeNamespaces(target: unknown, sources: readonly unknown[]): void {
    const t = normalizeKey(target);
    let acc = this.read(t);
    for (const s of sources) {
      const ns = normalizeKey(s);
      if (ns === t) continue;
      const v = this.read(ns);
      if (v === undefined) continue;
      acc = acc === undefined ? v : this.combine(acc, v);
      this.clearNs(ns);
    }
    if (acc !== undefined) this.write(acc, t);
  }
}

class HeapValueState extends HeapState implements ValueState<unknown> {
  value(): unknown {
    const v = this.read();
    return v === undefined ? (this.descriptor as ValueStateDescriptor<unknown>).defaultValue : v;
  }
  update(value: unknown): void {
    if (value === undefined) this.clear();
    else this.write(value);
  }
  protected combine(_a: unknown, b: unknown): unknown {
    return b;
  }
}

class HeapListState extends HeapState implements ListState<unknown> {
  get(): readonly unknown[] {
    return (this.read() as unknown[] | undefined) ?? [];
  }
  add(value: unknown): void {
    const l = this.readMutable() as unknown[] | undefined;
    if (l === undefined) this.write([value]);
    else l.push(value);
  }
  addAll(values: readonly unknown[]): void {
    if (values.length === 0) return;
    const l = this.readMutable() as unknown[] | undefined;
    if (l === undefined) this.write([...values]);
    else for (const v of values) l.push(v);
  }
  update(values: readonly unknown[]): void {
    if (values.length === 0) this.clear();
    else this.write([...values]);
  }
  protected combine(a: unknown, b: unknown): unknown {
    return [...(a as unknown[]), ...(b as unknown[])];
  }
}

class HeapMapState extends HeapState implements MapState<unknown, unknown> {
  /** The map to read, or (`mutate`) to change in place, created when `create`. */
  #map(create: boolean, mutate = create): Map<NormalizedKey, [unknown, unknown]> | undefined {
    let m = (mutate ? this.readMutable() : this.read()) as Map<NormalizedKey, [unknown, unknown]> | undefined;
    if (m === undefined && create) this.write((m = new Map()));
    return m;
  }
  get(key: unknown): unknown {
    return this.#map(false)?.get(normalizeKey(key))?.[1];
  }
  put(key: unknown, value: unknown): void {
    this.#map(true)!.set(normalizeKey(key), [key, value]);
  }
  putAll(entries: Iterable<readonly [unknown, unknown]>): void {
    const m = this.#map(true)!;
    for (const [k, v] of entries) m.set(normalizeKey(k), [k, v]);
  }
  remove(key: unknown): void {
    const m = this.#map(false, true);
    if (m === undefined) return;
    m.delete(normalizeKey(key));
    if (m.size === 0) this.clear();
  }
  contains(key: unknown): boolean {
    return this.#map(false)?.has(normalizeKey(key)) ?? false;
  }
  *entries(): IterableIterator<[unknown, unknown]> {
    for (const [k, v] of this.#map(false)?.values() ?? []) yield [k, v];
  }
  *keys(): IterableIterator<unknown> {
    for (const [k] of this.#map(false)?.values() ?? []) yield k;
  }
  *values(): IterableIterator<unknown> {
    for (const [, v] of this.#map(false)?.values() ?? []) yield v;
  }
  isEmpty(): boolean {
    return (this.#map(false)?.size ?? 0) === 0;
  }
  protected combine(a: unknown, b: unknown): unknown {
    return new Map([...(a as Map<NormalizedKey, unknown>), ...(b as Map<NormalizedKey, unknown>)]);
  }
}

class HeapReducingState extends HeapState implements ReducingState<unknown> {
  get(): unknown {
    return this.read();
  }
  add(value: unknown): void {
    const cur = this.read();
    this.write(cur === undefined ? value : this.combine(cur, value));
  }
  protected combine(a: unknown, b: unknown): unknown {
    return (this.descriptor as ReducingStateDescriptor<unknown>).reduce(a, b);
  }
}

class HeapAggregatingState extends HeapState implements AggregatingState<unknown, unknown> {
  get #agg(): AggregatingStateDescriptor<unknown, unknown, unknown>['aggregate'] {
    return (this.descriptor as AggregatingStateDescriptor<unknown, unknown, unknown>).aggregate;
  }
  get(): unknown {
    const acc = this.read();
    return acc === undefined ? undefined : this.#agg.getResult(acc);
  }
  add(value: unknown): void {
    const agg = this.#agg;
    // Mutable: AggregateFunction.add may change the accumulator in place, and a snapshot may share it.
    const acc = this.readMutable();
    this.write(agg.add(value, acc === undefined ? agg.createAccumulator() : acc));
  }
  protected combine(a: unknown, b: unknown): unknown {
    return this.#agg.merge(a, b);
  }
}

/** A stored value in canonical form (map state keeps original map keys). */
function toCanonical(kind: StateDescriptor['kind'], v: unknown): unknown {
  // No copies needed: copy-on-write guarantees a snapshot's values never change.
  if (kind === 'map') return [...(v as Map<NormalizedKey, [unknown, unknown]>).values()];
  return v;
}

function fromCanonical(kind: StateDescriptor['kind'], v: unknown): unknown {
  // Map entries are [mapKey, value] or, with TTL, [mapKey, value, ts]: kept whole either way.
  if (kind === 'map') return new Map((v as unknown[][]).map((e) => [normalizeKey(e[0]), e.slice()]));
  if (kind === 'list') return [...(v as unknown[])];
  return v;
}
