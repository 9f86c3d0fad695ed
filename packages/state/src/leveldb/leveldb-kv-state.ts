// State handles of the LevelDB keyed state backend: the same semantics as the heap backend's, over
// the backend's working set. Reads are synchronous and need the row in the working set (prefetched,
// or written since it was loaded); a row that is not there is a bug in the calling operator and
// throws. Writes that do not depend on the old value (update, clear) need no prefetch.
//
// Threading: used only from the owning task's mailbox.
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  ListState,
  MapState,
  ReducingState,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueState,
  ValueStateDescriptor,
} from '@eddy/api';
import type { InternalKvState, NormalizedKey } from '../keyed-state-backend.ts';
import { normalizeKey, VOID_NAMESPACE } from '../normalized-key.ts';
import type { TtlStateStorage } from '../state-ttl.ts';
import type { LevelDbKeyedStateBackend } from './leveldb-keyed-state-backend.ts';
import type { Row, StateTable } from './working-set.ts';

/** A map state's live value: normalized map key -> [original map key, value], in insertion order. */
export type MapRowValue = Map<NormalizedKey, [unknown, unknown]>;

/** A TTL state's access to the working set, for the backend's current key. */
export class LevelDbTtlStorage implements TtlStateStorage {
  readonly #backend: LevelDbKeyedStateBackend;
  readonly #table: StateTable;
  constructor(backend: LevelDbKeyedStateBackend, table: StateTable) {
    this.#backend = backend;
    this.#table = table;
  }
  get descriptor(): StateDescriptor {
    return this.#table.descriptor;
  }
  get(ns: NormalizedKey): unknown {
    return this.#backend.readRow(this.#table, ns).value;
  }
  getMutable(ns: NormalizedKey): unknown {
    const row = this.#backend.readRow(this.#table, ns);
    if (row.value !== undefined) this.#backend.markDirty(row);
    return row.value;
  }
  set(ns: NormalizedKey, value: unknown): void {
    this.#backend.writeRow(this.#table, ns, value);
  }
}

/** The common part of every LevelDB state handle. */
export abstract class LevelDbState implements InternalKvState {
  protected readonly backend: LevelDbKeyedStateBackend;
  protected readonly table: StateTable;
  protected ns: NormalizedKey = VOID_NAMESPACE;

  constructor(backend: LevelDbKeyedStateBackend, table: StateTable) {
    this.backend = backend;
    this.table = table;
  }
  get descriptor(): StateDescriptor {
    return this.table.descriptor;
  }
  setCurrentNamespace(namespace: unknown): void {
    this.ns = normalizeKey(namespace);
  }
  /** The current key's row in `ns`; throws when it is not in the working set. */
  protected row(ns: NormalizedKey = this.ns): Row {
    return this.backend.readRow(this.table, ns);
  }
  protected read(ns: NormalizedKey = this.ns): unknown {
    return this.backend.readRow(this.table, ns).value;
  }
  protected write(value: unknown, ns: NormalizedKey = this.ns): void {
    this.backend.writeRow(this.table, ns, value);
  }
  clear(): void {
    this.backend.writeRow(this.table, this.ns, undefined);
  }
  /** Combines two live values of this state kind. */
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
      this.write(undefined, ns);
    }
    if (acc !== undefined) this.write(acc, t);
  }
}

/** ValueState. */
export class LevelDbValueState extends LevelDbState implements ValueState<unknown> {
  value(): unknown {
    const v = this.read();
    return v === undefined ? (this.descriptor as ValueStateDescriptor<unknown>).defaultValue : v;
  }
  update(value: unknown): void {
    this.write(value);
  }
  protected combine(_a: unknown, b: unknown): unknown {
    return b;
  }
}

/** ListState: the whole list is one row. */
export class LevelDbListState extends LevelDbState implements ListState<unknown> {
  get(): readonly unknown[] {
    return (this.read() as unknown[] | undefined) ?? [];
  }
  add(value: unknown): void {
    const row = this.row();
    const l = row.value as unknown[] | undefined;
    if (l === undefined) this.write([value]);
    else {
      l.push(value);
      this.backend.markDirty(row);
    }
  }
  addAll(values: readonly unknown[]): void {
    if (values.length === 0) return;
    const row = this.row();
    const l = row.value as unknown[] | undefined;
    if (l === undefined) this.write([...values]);
    else {
      for (const v of values) l.push(v);
      this.backend.markDirty(row);
    }
  }
  update(values: readonly unknown[]): void {
    this.write(values.length === 0 ? undefined : [...values]);
  }
  protected combine(a: unknown, b: unknown): unknown {
    return [...(a as unknown[]), ...(b as unknown[])];
  }
}

/** MapState: the whole map of a (key, namespace) is one row, so one getMany prefetches it. */
export class LevelDbMapState extends LevelDbState implements MapState<unknown, unknown> {
  #map(): MapRowValue | undefined {
    return this.read() as MapRowValue | undefined;
  }
  /** The row's map, created when absent; the row is marked dirty because the caller mutates it. */
  #mutable(): MapRowValue {
    const row = this.row();
    let m = row.value as MapRowValue | undefined;
    if (m === undefined) this.write((m = new Map()));
    else this.backend.markDirty(row);
    return m;
  }
  get(key: unknown): unknown {
    return this.#map()?.get(normalizeKey(key))?.[1];
  }
  put(key: unknown, value: unknown): void {
    this.#mutable().set(normalizeKey(key), [key, value]);
  }
  putAll(entries: Iterable<readonly [unknown, unknown]>): void {
    const m = this.#mutable();
    for (const [k, v] of entries) m.set(normalizeKey(k), [k, v]);
  }
  remove(key: unknown): void {
    const m = this.#map();
    if (m === undefined) return;
    const had = m.delete(normalizeKey(key));
    if (m.size === 0) this.clear();
    else if (had) this.backend.markDirty(this.row());
  }
  contains(key: unknown): boolean {
    return this.#map()?.has(normalizeKey(key)) ?? false;
  }
  *entries(): IterableIterator<[unknown, unknown]> {
    for (const [k, v] of this.#map()?.values() ?? []) yield [k, v];
  }
  *keys(): IterableIterator<unknown> {
    for (const [k] of this.#map()?.values() ?? []) yield k;
  }
  *values(): IterableIterator<unknown> {
    for (const [, v] of this.#map()?.values() ?? []) yield v;
  }
  isEmpty(): boolean {
    return (this.#map()?.size ?? 0) === 0;
  }
  protected combine(a: unknown, b: unknown): unknown {
    return new Map([...(a as MapRowValue), ...(b as MapRowValue)]);
  }
}

/** ReducingState. */
export class LevelDbReducingState extends LevelDbState implements ReducingState<unknown> {
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

/** AggregatingState. */
export class LevelDbAggregatingState extends LevelDbState implements AggregatingState<unknown, unknown> {
  get #agg(): AggregatingStateDescriptor<unknown, unknown, unknown>['aggregate'] {
    return (this.descriptor as AggregatingStateDescriptor<unknown, unknown, unknown>).aggregate;
  }
  get(): unknown {
    const acc = this.read();
    return acc === undefined ? undefined : this.#agg.getResult(acc);
  }
  add(value: unknown): void {
    const agg = this.#agg;
    const acc = this.read();
    this.write(agg.add(value, acc === undefined ? agg.createAccumulator() : acc));
  }
  protected combine(a: unknown, b: unknown): unknown {
    return this.#agg.merge(a, b);
  }
}
