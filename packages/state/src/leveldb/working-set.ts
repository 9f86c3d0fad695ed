// The in-memory working set of the LevelDB keyed state backend: rows of state as live JavaScript
// values, found by state -> normalized key -> namespace, with an LRU order for eviction and a dirty
// set for write-back. A cached row is authoritative: a row that is not cached must be loaded from
// LevelDB (prefetch) before it is read.
//
// Threading: owned by one task's backend; used only from its mailbox.
import type { StateDescriptor } from '@eddy/api';
import type { NormalizedKey } from '../keyed-state-backend.ts';

/** A row is being loaded by a prefetch: not readable yet. */
export const LOADING = 0;
/** A row matches LevelDB (or LevelDB's pending write-back). */
export const CLEAN = 1;
/** A row was written since the last flush. */
export const DIRTY = 2;

/** One (state, key, namespace) row. `value` undefined means "known absent". */
export interface Row {
  readonly table: StateTable;
  readonly keyRows: KeyRows;
  readonly ns: NormalizedKey;
  /** The state's live value: value, list array, Map of map entries, reduced value or accumulator. */
  value: unknown;
  status: typeof LOADING | typeof CLEAN | typeof DIRTY;
  /** The prefetch epoch that last touched the row; rows of the current epoch are never evicted. */
  epoch: number;
  /** The epoch when the row was last placed at the tail of the eviction list. */
  placed: number;
  /** Neighbours in the eviction list (intrusive: no allocation or hashing to move a row). */
  prev: Row | undefined;
  next: Row | undefined;
}

/** The rows of one key in one state. The void namespace has its own slot: it is the common case. */
export interface KeyRows {
  /** The original key (an object key as the caller gave it). */
  readonly key: unknown;
  readonly normalizedKey: NormalizedKey;
  readonly keyGroup: number;
  voidRow: Row | undefined;
  other: Map<NormalizedKey, Row> | undefined;
  size: number;
}

/** The void namespace of plain keyed state, normalized. */
const VOID = 0;

/** The cached rows of one state. */
export class StateTable {
  descriptor: StateDescriptor;
  readonly id: number;
  /** Values are stored with timestamps (the state has a TTL, or was restored with one). */
  readonly ttl: boolean;
  readonly rows = new Map<NormalizedKey, KeyRows>();

  constructor(descriptor: StateDescriptor, id: number, ttl = descriptor.ttl !== undefined) {
    this.descriptor = descriptor;
    this.id = id;
    this.ttl = ttl;
  }

  /** The cached row, or undefined when it is not in the working set. */
  get(key: NormalizedKey, ns: NormalizedKey): Row | undefined {
    const kr = this.rows.get(key);
    if (kr === undefined) return undefined;
    return ns === VOID ? kr.voidRow : kr.other?.get(ns);
  }

  /** Adds a row (which must not be cached yet). */
  add(
    key: NormalizedKey,
    original: unknown,
    keyGroup: number,
    ns: NormalizedKey,
    value: unknown,
    status: Row['status'],
    epoch: number,
  ): Row {
    let kr = this.rows.get(key);
    if (kr === undefined) {
      kr = { key: original, normalizedKey: key, keyGroup, voidRow: undefined, other: undefined, size: 0 };
      this.rows.set(key, kr);
    }
    const row: Row = {
      table: this,
      keyRows: kr,
      ns,
      value,
      status,
      epoch,
      placed: epoch,
      prev: undefined,
      next: undefined,
    };
    if (ns === VOID) kr.voidRow = row;
    else (kr.other ??= new Map()).set(ns, row);
    kr.size++;
    return row;
  }

  /** Drops a row from the working set. */
  remove(row: Row): void {
    const kr = row.keyRows;
    if (row.ns === VOID) {
      if (kr.voidRow !== row) return;
      kr.voidRow = undefined;
    } else if (kr.other?.get(row.ns) === row) {
      kr.other.delete(row.ns);
    } else {
      return;
    }
    if (--kr.size === 0) this.rows.delete(kr.normalizedKey);
  }

  /** Every cached row. */
  *allRows(): IterableIterator<Row> {
    for (const kr of this.rows.values()) {
      if (kr.voidRow !== undefined) yield kr.voidRow;
      if (kr.other !== undefined) yield* kr.other.values();
    }
  }
}

/**
 * The working set's rows in eviction order, for a CLOCK-like second-chance policy: a hit only stamps
 * the row with the prefetch epoch; the evictor walks from the head and gives rows used since they
 * were placed another round at the tail. A true LRU would move every hit row (thousands per batch,
 * at random places in a large working set) to the tail.
 */
export class LruList {
  head: Row | undefined;
  tail: Row | undefined;
  size = 0;

  /** Appends a row that is not in the list. */
  push(row: Row): void {
    row.prev = this.tail;
    row.next = undefined;
    if (this.tail === undefined) this.head = row;
    else this.tail.next = row;
    this.tail = row;
    this.size++;
  }

  unlink(row: Row): void {
    if (row.prev === undefined) this.head = row.next;
    else row.prev.next = row.next;
    if (row.next === undefined) this.tail = row.prev;
    else row.next.prev = row.prev;
    row.prev = row.next = undefined;
    this.size--;
  }

  /** Moves a row in the list to the tail (most recently used). */
  touch(row: Row): void {
    if (this.tail === row) return;
    this.unlink(row);
    this.push(row);
  }

  clear(): void {
    this.head = this.tail = undefined;
    this.size = 0;
  }
}
