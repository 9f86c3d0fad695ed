// The LevelDB keyed state backend (classic-level): keyed state larger than the JavaScript heap, in
// one LevelDB database per task, with a bounded in-memory working set in front of it (DESIGN.md
// section 6). Rows are keyed keyGroup | state id | key | namespace (state-key-codec.ts); values are
// msgpack in the canonical form of KeyedStateSnapshot entries, so a snapshot is a scan that decodes
// rows without converting them.
//
// Why a working set: a LevelDB read is an asynchronous round trip, and state access in operators and
// user functions is synchronous. So an operator declares the (key, namespace) pairs of a batch with
// `prefetch` (ONE getMany for all misses), processes the batch against live values in memory, and the
// task writes the dirty rows back with `flush` (ONE db.batch). Map state keeps a whole map per row,
// so that one getMany loads it: a per-entry layout would need a range scan per (key, namespace),
// and Eddy's map states (window contents, join buffers) are read whole far more often than they are
// large. The price is rewriting a large map on every flush that touched it.
//
// Threading: owned by one task; used only from its mailbox. Async steps (getMany, batch, snapshot
// scans) complete as promises that the task awaits before it touches state again.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { StateDescriptor } from '@eddy/api';
import { EddyError } from '@eddy/common';
import { ClassicLevel } from 'classic-level';
import { Packr } from 'msgpackr';
import { assignToKeyGroup, type KeyGroupRange } from '../key-group.ts';
import {
  parseStateMeta,
  stateMeta,
  type InternalKvState,
  type KeyGroupSnapshot,
  type KeyedStateBackend,
  type KeyedStateSnapshot,
  type NormalizedKey,
  type PrefetchEntry,
  type StateEntry,
  type StateMeta,
} from '../keyed-state-backend.ts';
import { normalizeKey, VOID_NAMESPACE } from '../normalized-key.ts';
import {
  createTtlState,
  SYSTEM_TIME_PROVIDER,
  ttlIncompatible,
  withoutExpired,
  type TtlTimeProvider,
} from '../state-ttl.ts';
import {
  LevelDbAggregatingState,
  LevelDbListState,
  LevelDbMapState,
  LevelDbReducingState,
  LevelDbTtlStorage,
  LevelDbValueState,
  type MapRowValue,
} from './leveldb-kv-state.ts';
import { decodeRowKey, keyGroupRange, KeyWriter, MAX_KEY_GROUPS, metaKey } from './state-key-codec.ts';
import { CLEAN, DIRTY, LOADING, LruList, StateTable, type Row } from './working-set.ts';

/** Options of LevelDbKeyedStateBackend.open. */
export interface LevelDbKeyedStateBackendOptions {
  /** A local directory; the backend creates its own fresh database directory inside it. */
  readonly directory: string;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** Clean rows kept in memory after a flush (default 100,000). */
  readonly cacheEntries?: number;
  /** The time state TTL is measured in (default: the wall clock). */
  readonly clock?: TtlTimeProvider;
}

/** Key group digests of a checkpoint's keyed state, as returned by snapshotIncremental. */
export interface KeyGroupDigests {
  readonly keyGroups: ReadonlyMap<number, string>;
}

/** An incremental snapshot: the changed key groups in full, the unchanged ones by reference. */
export interface IncrementalKeyedStateSnapshot {
  /** Key groups whose content differs from `previous` (only those that hold state). */
  readonly snapshot: KeyedStateSnapshot;
  /** Key groups whose content equals `previous`: the checkpoint references their earlier objects. */
  readonly unchanged: readonly number[];
  /**
   * A SHA-256 (hex) of every key group that holds state now, changed or not: pass it back as
   * `previous` once this snapshot's checkpoint has completed. Key groups of `previous` that are
   * missing here no longer hold state.
   */
  readonly keyGroups: ReadonlyMap<number, string>;
}

/** Rows per db.batch when restoring. */
const RESTORE_BATCH_ROWS = 4096;
/** Rows per iterator.nextv when scanning. */
const SCAN_CHUNK = 1024;
/** Digests remembered per key group (recent snapshots that a later one may reference). */
const DIGESTS_PER_KEY_GROUP = 4;
const DEFAULT_CACHE_ENTRIES = 100_000;

type Db = ClassicLevel<Buffer, Buffer>;
/** A write batch: operations are copied into LevelDB's WriteBatch as they are added. */
type Batch = ReturnType<Db['batch']>;

/**
 * Keyed state in a task-local LevelDB database with an in-memory working set.
 *
 * The contract with the owning task (one mailbox thread):
 * - Before a batch (and before firing timers), `await prefetch(entries)` with every (key, namespace)
 *   the batch will touch. Reads of a row that is neither prefetched nor written since it was loaded
 *   throw STATE_NOT_PREFETCHED: that is a bug in the operator, never "absent".
 * - After a batch, `await flush()` when `dirtyRows` is large (and at least every few batches, so clean
 *   rows are evicted down to `cacheEntries`); never between a prefetch and the batch it was for.
 * - `snapshot()` / `snapshotIncremental()` flush first; the capture is consistent at the call.
 * - Operators that enumerate keys (a batch-mode reduce at end of input) must use `keysAsync`:
 *   `keys` sees only the working set. `close()` deletes the database: it is a working copy; the
 *   durable form is the checkpoint.
 */
export class LevelDbKeyedStateBackend implements KeyedStateBackend {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** The database directory (created fresh by `open`, removed by `close`). */
  readonly path: string;
  /** Clean rows kept in memory after a flush. */
  readonly cacheEntries: number;

  readonly #db: ClassicLevel<Buffer, Buffer>;
  readonly #time: TtlTimeProvider;
  // Records (msgpackr's object structures) are defined inline per value, so every row decodes alone;
  // maps stay Maps.
  readonly #packr = new Packr({ mapsAsObjects: false, moreTypes: true });
  readonly #tables = new Map<string, StateTable>();
  readonly #tableList: StateTable[] = [];
  /** Working-set rows in LRU order (oldest first). */
  readonly #lru = new LruList();
  /** Rows written since the last flush, each once (a row enters when its status becomes DIRTY). */
  #dirty: Row[] = [];
  /** The row of the latest access: a read-modify-write of the current key looks it up once. */
  #lastRow: Row | undefined;
  /** Meta records (state name -> id) not yet written. */
  #pendingMeta: [Buffer, Buffer][] = [];
  /** Scratch space for row keys of write batches (a batch copies them when they are added). */
  readonly #scratch = new KeyWriter(4096);
  /** Incremented per prefetch; rows touched by the latest prefetch are never evicted. */
  #epoch = 0;
  readonly #inflightLoads = new Set<Promise<void>>();
  /** Writes to LevelDB run one after another, in the order they were captured. */
  #writeChain: Promise<void> = Promise.resolve();
  #pendingWrites = 0;
  #failure: EddyError | undefined;
  /** Per key group of the range: bumped whenever a flush or restore writes it. */
  readonly #kgVersion: Uint32Array;
  /** Per key group: digests computed by snapshots -> the key group version they describe. */
  readonly #digests = new Map<number, Map<string, number>>();
  #closing: Promise<void> | undefined;

  #key: unknown;
  #normalizedKey: NormalizedKey;
  #keyGroup = -1;

  private constructor(
    db: ClassicLevel<Buffer, Buffer>,
    path: string,
    options: LevelDbKeyedStateBackendOptions,
  ) {
    this.#db = db;
    this.path = path;
    this.maxParallelism = options.maxParallelism;
    this.keyGroupRange = options.keyGroupRange;
    this.cacheEntries = options.cacheEntries ?? DEFAULT_CACHE_ENTRIES;
    this.#time = options.clock ?? SYSTEM_TIME_PROVIDER;
    this.#kgVersion = new Uint32Array(options.keyGroupRange.end - options.keyGroupRange.start + 1);
  }

  /** Creates a fresh database under `options.directory` and opens the backend on it. */
  static async open(options: LevelDbKeyedStateBackendOptions): Promise<LevelDbKeyedStateBackend> {
    const { maxParallelism, keyGroupRange: r } = options;
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > MAX_KEY_GROUPS) {
      throw new EddyError(
        'INVALID_MAX_PARALLELISM',
        `max parallelism ${maxParallelism} is out of range: use an integer from 1 to ${MAX_KEY_GROUPS}`,
        { domain: 'user' },
      );
    }
    if (r.start < 0 || r.end >= maxParallelism || r.start > r.end) {
      throw new EddyError(
        'INVALID_KEY_GROUP_RANGE',
        `key group range ${r.start}..${r.end} is outside 0..${maxParallelism - 1}`,
      );
    }
    if (options.cacheEntries !== undefined && !(options.cacheEntries >= 0)) {
      throw new EddyError('INVALID_CACHE_ENTRIES', `cacheEntries must be >= 0, got ${options.cacheEntries}`, {
        domain: 'user',
      });
    }
    let path: string;
    let db: ClassicLevel<Buffer, Buffer>;
    try {
      await mkdir(options.directory, { recursive: true });
      path = await mkdtemp(join(options.directory, 'leveldb-'));
      db = new ClassicLevel<Buffer, Buffer>(path, {
        keyEncoding: 'buffer',
        valueEncoding: 'buffer',
        createIfMissing: true,
        errorIfExists: true,
        // Larger memtables mean fewer, larger level-0 files under a write-heavy working set.
        writeBufferSize: 16 * 1024 * 1024,
        cacheSize: 32 * 1024 * 1024,
      });
      await db.open();
    } catch (err) {
      throw new EddyError(
        'STATE_BACKEND_OPEN_FAILED',
        `could not create the LevelDB state database under ${options.directory}: check that the directory is writable and has free space`,
        { domain: 'external', cause: err },
      );
    }
    return new LevelDbKeyedStateBackend(db, path, options);
  }

  // ---- current key ----

  /** Sets the key the next state accesses and timer registrations are for. */
  setCurrentKey(key: unknown): void {
    this.#key = key;
    this.#normalizedKey = normalizeKey(key);
    this.#keyGroup = assignToKeyGroup(key, this.maxParallelism);
    this.#lastRow = undefined;
  }
  getCurrentKey(): unknown {
    return this.#key;
  }
  getCurrentNormalizedKey(): NormalizedKey {
    return this.#normalizedKey;
  }
  getCurrentKeyGroup(): number {
    if (this.#keyGroup < 0)
      throw new EddyError('NO_CURRENT_KEY', 'keyed state was accessed outside of a keyed context');
    return this.#keyGroup;
  }

  // ---- states ----

  #table(descriptor: StateDescriptor): StateTable {
    let t = this.#tables.get(descriptor.name);
    if (t === undefined) {
      t = this.#createTable(descriptor);
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

  #createTable(descriptor: StateDescriptor, ttl = descriptor.ttl !== undefined): StateTable {
    const id = this.#tableList.length;
    if (id >= 0xffff) {
      throw new EddyError('TOO_MANY_STATES', `an operator may declare at most 65535 keyed states`, {
        domain: 'user',
      });
    }
    const t = new StateTable(descriptor, id, ttl);
    this.#tables.set(descriptor.name, t);
    this.#tableList.push(t);
    // The name -> id record lets a scan of the database be read without this process's memory.
    this.#pendingMeta.push([metaKey(descriptor.name), this.#packr.pack({ id, kind: descriptor.kind, ttl })]);
    return t;
  }

  /** A state handle for `descriptor`, in the void namespace until the owner sets another. */
  getOrCreateKeyedState<S>(descriptor: StateDescriptor): S & InternalKvState {
    const table = this.#table(descriptor);
    // Only states with a TTL pay for it: the others get the plain handles below.
    if (descriptor.ttl !== undefined)
      return createTtlState(new LevelDbTtlStorage(this, table), this.#time) as S & InternalKvState;
    switch (descriptor.kind) {
      case 'value':
        return new LevelDbValueState(this, table) as unknown as S & InternalKvState;
      case 'list':
        return new LevelDbListState(this, table) as unknown as S & InternalKvState;
      case 'map':
        return new LevelDbMapState(this, table) as unknown as S & InternalKvState;
      case 'reducing':
        return new LevelDbReducingState(this, table) as unknown as S & InternalKvState;
      case 'aggregating':
        return new LevelDbAggregatingState(this, table) as unknown as S & InternalKvState;
    }
  }

  // ---- working set, used by the state handles ----

  /** @internal The current key's row of `table` in `ns`; throws when it is not in the working set. */
  readRow(table: StateTable, ns: NormalizedKey): Row {
    const last = this.#lastRow;
    if (last !== undefined && last.table === table && last.ns === ns && last.status !== LOADING) return last;
    const row = table.get(this.#normalizedKey, ns);
    if (row === undefined || row.status === LOADING) throw this.#notPrefetched(table, ns);
    return (this.#lastRow = row);
  }

  /** @internal Sets the current key's row of `table` in `ns` (undefined deletes it). */
  writeRow(table: StateTable, ns: NormalizedKey, value: unknown): void {
    const last = this.#lastRow;
    const row =
      last !== undefined && last.table === table && last.ns === ns
        ? last
        : table.get(this.#normalizedKey, ns);
    if (row === undefined) {
      const kg = this.getCurrentKeyGroup();
      this.#checkKeyGroup(kg, this.#key);
      const r = table.add(this.#normalizedKey, this.#key, kg, ns, value, DIRTY, this.#epoch);
      this.#lru.push(r);
      this.#dirty.push(r);
      this.#lastRow = r;
      return;
    }
    row.value = value;
    if (row.status !== DIRTY) {
      row.status = DIRTY;
      this.#dirty.push(row);
    }
    this.#lastRow = row;
  }

  /** @internal A row's live value was changed in place. */
  markDirty(row: Row): void {
    if (row.status !== DIRTY) {
      row.status = DIRTY;
      this.#dirty.push(row);
    }
  }

  #notPrefetched(table: StateTable, ns: NormalizedKey): EddyError {
    if (this.#keyGroup < 0)
      return new EddyError('NO_CURRENT_KEY', 'keyed state was accessed outside of a keyed context');
    return new EddyError(
      'STATE_NOT_PREFETCHED',
      `state '${table.descriptor.name}' of key ${String(this.#normalizedKey)} in namespace ${String(ns)} was read but not prefetched: ` +
        `the operator must prefetch every (key, namespace) of a batch before it reads state (LevelDB state backend)`,
    );
  }

  #checkKeyGroup(kg: number, key: unknown): void {
    if (kg < this.keyGroupRange.start || kg > this.keyGroupRange.end) {
      throw new EddyError(
        'KEY_GROUP_OUT_OF_RANGE',
        `key ${String(normalizeKey(key))} belongs to key group ${kg}, outside this backend's range ${this.keyGroupRange.start}..${this.keyGroupRange.end}: the record was routed to the wrong subtask`,
      );
    }
  }

  /** Rows written since the last flush. */
  get dirtyRows(): number {
    return this.#dirty.length;
  }
  /** Rows in the working set (dirty and clean). */
  get cachedRows(): number {
    return this.#lru.size;
  }

  // ---- prefetch ----

  /**
   * Loads, with one getMany, the row of every declared state for each (key, namespace) that is not
   * in the working set. Resolves synchronously (returns undefined) when everything is cached.
   */
  prefetch(entries: readonly PrefetchEntry[]): void | Promise<void> {
    this.#checkUsable();
    const tables = this.#tableList;
    if (entries.length === 0 || tables.length === 0) return undefined;
    const epoch = ++this.#epoch;
    const lru = this.#lru;
    let misses: Row[] | undefined;
    let offsets: number[] | undefined;
    let writer: KeyWriter | undefined;
    let waitForOthers = false;
    for (const e of entries) {
      const nk = normalizeKey(e.key);
      const ns = e.namespace === undefined ? VOID_NAMESPACE : normalizeKey(e.namespace);
      let kg = -1;
      for (const t of tables) {
        const row = t.get(nk, ns);
        if (row !== undefined) {
          if (row.epoch !== epoch) {
            if (row.status === LOADING) waitForOthers = true;
            row.epoch = epoch;
          }
          continue;
        }
        if (kg < 0) {
          kg = assignToKeyGroup(e.key, this.maxParallelism);
          this.#checkKeyGroup(kg, e.key);
        }
        const r = t.add(nk, e.key, kg, ns, undefined, LOADING, epoch);
        lru.push(r);
        writer ??= new KeyWriter(entries.length * tables.length * 32);
        (misses ??= []).push(r);
        (offsets ??= []).push(writer.writeRowKey(kg, t.id, nk, isObjectKey(e.key), ns));
        offsets.push(writer.pos);
      }
    }
    const others = waitForOthers ? [...this.#inflightLoads] : [];
    if (misses === undefined) return others.length === 0 ? undefined : Promise.all(others).then(() => {});
    const buf = writer!.buf;
    const keys = new Array<Buffer>(misses.length);
    for (let i = 0; i < misses.length; i++) keys[i] = buf.subarray(offsets![2 * i], offsets![2 * i + 1]);
    const load = this.#load(misses, keys);
    this.#inflightLoads.add(load);
    const done = load.finally(() => this.#inflightLoads.delete(load));
    return others.length === 0 ? done : Promise.all([done, ...others]).then(() => {});
  }

  async #load(rows: Row[], keys: Buffer[]): Promise<void> {
    let values: (Buffer | undefined)[];
    try {
      values = await this.#db.getMany(keys);
    } catch (err) {
      for (const row of rows) {
        if (row.status !== LOADING) continue;
        this.#lru.unlink(row);
        row.table.remove(row);
      }
      this.#lastRow = undefined;
      throw new EddyError('STATE_READ_FAILED', `reading keyed state from LevelDB at ${this.path} failed`, {
        domain: 'external',
        cause: err,
      });
    }
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      // A row written while its load was in flight already holds the newer value.
      if (row.status !== LOADING) continue;
      const v = values[i];
      row.value = v === undefined ? undefined : this.#decodeLive(row.table, row.keyRows.key, v);
      row.status = CLEAN;
    }
  }

  // ---- values ----

  /** A stored row value -> the live value the state handles use. */
  #decodeLive(table: StateTable, key: unknown, bytes: Buffer): unknown {
    let v: unknown = this.#packr.unpack(bytes);
    if (isObjectKey(key)) v = (v as [unknown, unknown])[1];
    return fromCanonical(table.descriptor.kind, v);
  }

  #encodeStored(row: Row): Buffer {
    const v = toCanonical(row.table.descriptor.kind, row.value);
    const key = row.keyRows.key;
    return this.#packr.pack(isObjectKey(key) ? [key, v] : v);
  }

  // ---- write-back ----

  /**
   * Writes every dirty row back with one db.batch, then evicts clean rows beyond `cacheEntries`
   * (least recently prefetched first; rows of the latest prefetch stay). The rows to write are
   * captured when flush is called; later writes go to the next flush.
   */
  async flush(): Promise<void> {
    this.#checkUsable();
    return this.#enqueueWrite(this.#captureDirty(), () => undefined);
  }

  /**
   * Puts the dirty rows (and pending meta records) into a write batch and marks them clean; undefined
   * when there is nothing to write.
   */
  #captureDirty(): Batch | undefined {
    if (this.#dirty.length === 0 && this.#pendingMeta.length === 0) return undefined;
    const batch = this.#db.batch();
    this.#addMeta(batch);
    const w = this.#scratch;
    const start = this.keyGroupRange.start;
    const versions = this.#kgVersion;
    let lastKg = -1;
    for (const row of this.#dirty) {
      const kr = row.keyRows;
      w.pos = 0;
      w.writeRowKey(kr.keyGroup, row.table.id, kr.normalizedKey, isObjectKey(kr.key), row.ns);
      const key = w.buf.subarray(0, w.pos);
      if (row.value === undefined) batch.del(key);
      else batch.put(key, this.#encodeStored(row));
      row.status = CLEAN;
      // Versions only need to differ after a write; bumping once per row (cheap) is as good as once
      // per key group, except for consecutive rows of one key group.
      if (kr.keyGroup !== lastKg) versions[(lastKg = kr.keyGroup) - start]!++;
    }
    this.#dirty = [];
    return batch;
  }

  #addMeta(batch: Batch): void {
    for (const [k, v] of this.#pendingMeta) batch.put(k, v);
    this.#pendingMeta = [];
  }

  /**
   * Appends a write step: write `batch`, run `after` on the database state right after it (before
   * any later write), then evict when no later write is queued (an evicted row must be in LevelDB).
   */
  #enqueueWrite<T>(batch: Batch | undefined, after: () => T): Promise<T> {
    this.#pendingWrites++;
    const step = this.#writeChain.then(async () => {
      try {
        this.#checkUsable();
        if (batch !== undefined) await batch.write();
        return after();
      } catch (err) {
        // A batch that was not written must be released (closing a written batch is a no-op).
        if (batch !== undefined) await batch.close().catch(() => undefined);
        // Rows of a failed batch were marked clean: the working set no longer matches LevelDB.
        this.#failure ??= EddyError.from(err, 'STATE_WRITE_FAILED', 'external');
        throw this.#failure;
      } finally {
        if (--this.#pendingWrites === 0 && this.#failure === undefined) this.#evict();
      }
    });
    this.#writeChain = step.then(
      () => undefined,
      () => undefined,
    );
    return step;
  }

  /**
   * Drops clean rows until the working set fits `cacheEntries`: from the head of the eviction list,
   * a row used since it was placed (or dirty, loading, or used by the latest prefetch) goes back to
   * the tail; the others are evicted.
   */
  #evict(): void {
    const lru = this.#lru;
    let excess = lru.size - this.cacheEntries;
    if (excess <= 0) return;
    this.#lastRow = undefined;
    const epoch = this.#epoch;
    // Two rounds at most: the second finds every row of the first placed at this epoch, so only dirty
    // rows and those of the latest prefetch stay, and the bound holds after every flush.
    for (let steps = 2 * lru.size; excess > 0 && steps > 0; steps--) {
      const row = lru.head!;
      if (row.status !== CLEAN || row.epoch === epoch || row.epoch > row.placed) {
        row.placed = epoch;
        lru.touch(row);
      } else {
        lru.unlink(row);
        row.table.remove(row);
        excess--;
      }
    }
  }

  #checkUsable(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#closing !== undefined)
      throw new EddyError('STATE_BACKEND_CLOSED', `the LevelDB state backend at ${this.path} is closed`);
  }

  // ---- keys ----

  /**
   * Keys with state in `stateName` under `namespace` IN THE WORKING SET ONLY. Operators that must
   * see every key (a batch-mode reduce at the end of input) use `keysAsync`.
   */
  *keys(stateName: string, namespace: unknown = VOID_NAMESPACE): IterableIterator<unknown> {
    const t = this.#tables.get(stateName);
    if (t === undefined) return;
    const ns = normalizeKey(namespace);
    for (const kr of t.rows.values()) {
      const row = ns === VOID_NAMESPACE ? kr.voidRow : kr.other?.get(ns);
      if (row !== undefined && row.status !== LOADING && row.value !== undefined) yield kr.key;
    }
  }

  /**
   * Every key with state in `stateName` under `namespace`, scanned from LevelDB after a flush (a
   * view as of the call). The yielded keys' state is not loaded: prefetch them (in batches) before
   * reading it.
   */
  async *keysAsync(
    stateName: string,
    namespace: unknown = VOID_NAMESPACE,
  ): AsyncGenerator<unknown, void, undefined> {
    this.#checkUsable();
    const t = this.#tables.get(stateName);
    if (t === undefined) return;
    const ns = normalizeKey(namespace);
    const versions = this.#kgVersion.slice();
    const snap = await this.#enqueueWrite(this.#captureDirty(), () => this.#db.snapshot());
    try {
      const { start, end } = this.keyGroupRange;
      for (let kg = start; kg <= end; kg++) {
        if (versions[kg - start] === 0) continue;
        const range = { gte: Buffer.alloc(4), lt: Buffer.alloc(4) };
        range.gte.writeUInt16BE(kg, 0);
        range.gte.writeUInt16BE(t.id, 2);
        range.lt.writeUInt32BE(range.gte.readUInt32BE(0) + 1, 0);
        const it = this.#db.iterator({ ...range, snapshot: snap });
        try {
          for (;;) {
            const chunk = await it.nextv(SCAN_CHUNK);
            if (chunk.length === 0) break;
            for (const [k, v] of chunk) {
              const d = decodeRowKey(k);
              if (!sameNamespace(d.namespace, ns)) continue;
              yield d.isObjectKey ? (this.#packr.unpack(v) as [unknown, unknown])[0] : d.key;
            }
          }
        } finally {
          await it.close();
        }
      }
    } finally {
      await snap.close();
    }
  }

  // ---- snapshots ----

  /** Flushes, then reads every key group from a LevelDB snapshot taken right after the flush. */
  async snapshot(): Promise<KeyedStateSnapshot> {
    return (await this.#snapshot(undefined)).snapshot;
  }

  /**
   * Like `snapshot`, but key groups whose content is unchanged since `previous` (the digests of the
   * last completed checkpoint) are returned by reference instead of in full. Key groups not written
   * since a snapshot that produced the previous digest are not even read.
   */
  snapshotIncremental(previous?: KeyGroupDigests): Promise<IncrementalKeyedStateSnapshot> {
    return this.#snapshot(previous);
  }

  async #snapshot(previous: KeyGroupDigests | undefined): Promise<IncrementalKeyedStateSnapshot> {
    this.#checkUsable();
    // Captured synchronously: the consistency point is this call.
    const states: Record<string, StateMeta> = {};
    for (const t of this.#tableList) states[t.descriptor.name] = stateMeta(t.descriptor.kind, t.ttl);
    const names = this.#tableList.map((t) => t.descriptor.name);
    const kindsById = this.#tableList.map((t) => t.descriptor.kind);
    // Expired TTL values are left out as of this call (a restored TTL state not declared yet has no
    // TTL to apply: its values keep their timestamps and expire on access after the restore).
    const ttlById = this.#tableList.map((t) => (t.ttl ? t.descriptor.ttl?.ttlMs : undefined));
    const now = this.#time.now();
    const batch = this.#captureDirty();
    const versions = this.#kgVersion.slice();
    const snap = await this.#enqueueWrite(batch, () => this.#db.snapshot());
    const keyGroups: KeyGroupSnapshot[] = [];
    const unchanged: number[] = [];
    const digests = new Map<number, string>();
    try {
      const { start, end } = this.keyGroupRange;
      for (let kg = start; kg <= end; kg++) {
        const version = versions[kg - start]!;
        const prev = previous?.keyGroups.get(kg);
        if (prev !== undefined && this.#digests.get(kg)?.get(prev) === version) {
          unchanged.push(kg);
          digests.set(kg, prev);
          continue;
        }
        if (version === 0) continue; // never written: no state
        const { entries, digest } = await this.#readKeyGroup(kg, snap, names, kindsById, ttlById, now);
        if (entries.length === 0) continue;
        this.#rememberDigest(kg, digest, version);
        digests.set(kg, digest);
        if (prev === digest) unchanged.push(kg);
        else keyGroups.push({ keyGroup: kg, entries });
      }
    } finally {
      await snap.close();
    }
    return {
      snapshot: { maxParallelism: this.maxParallelism, keyGroups, states },
      unchanged,
      keyGroups: digests,
    };
  }

  async #readKeyGroup(
    kg: number,
    snap: ReturnType<ClassicLevel<Buffer, Buffer>['snapshot']>,
    names: readonly string[],
    kindsById: readonly StateDescriptor['kind'][],
    ttlById: readonly (number | undefined)[],
    now: number,
  ): Promise<{ entries: StateEntry[]; digest: string }> {
    const hash = createHash('sha256');
    const len = Buffer.allocUnsafe(4);
    const entries: StateEntry[] = [];
    const it = this.#db.iterator({ ...keyGroupRange(kg), snapshot: snap });
    try {
      for (;;) {
        const chunk = await it.nextv(SCAN_CHUNK);
        if (chunk.length === 0) break;
        for (const [k, v] of chunk) {
          len.writeUInt32BE(k.length, 0);
          hash.update(len).update(k);
          len.writeUInt32BE(v.length, 0);
          hash.update(len).update(v);
          const d = decodeRowKey(k);
          const name = names[d.stateId];
          // A state declared after the snapshot's capture point cannot have rows in this view.
          if (name === undefined) continue;
          let value: unknown = this.#packr.unpack(v);
          let key: unknown = d.key;
          if (d.isObjectKey) [key, value] = value as [unknown, unknown];
          // Stored values are in canonical form already; only the kind's container is checked.
          const kind = kindsById[d.stateId]!;
          if (kind === 'map' && !Array.isArray(value)) throw corruptRow(kg, name);
          const ttlMs = ttlById[d.stateId];
          if (ttlMs !== undefined) {
            value = withoutExpired(kind, value, ttlMs, now);
            if (value === undefined) continue;
          }
          entries.push([name, key, d.namespace, value]);
        }
      }
    } finally {
      await it.close();
    }
    return { entries, digest: hash.digest('hex') };
  }

  #rememberDigest(kg: number, digest: string, version: number): void {
    let m = this.#digests.get(kg);
    if (m === undefined) this.#digests.set(kg, (m = new Map()));
    m.delete(digest);
    m.set(digest, version);
    if (m.size > DIGESTS_PER_KEY_GROUP) m.delete(m.keys().next().value!);
  }

  // ---- restore ----

  /**
   * Loads snapshots (of any backend, any parallelism), keeping the key groups in this backend's
   * range, with batched puts. The working set is dropped (after a flush): restored rows win.
   */
  async restore(snapshots: readonly KeyedStateSnapshot[]): Promise<void> {
    this.#checkUsable();
    for (const snap of snapshots) {
      if (snap.maxParallelism !== this.maxParallelism) {
        throw new EddyError(
          'MAX_PARALLELISM_CHANGED',
          `the snapshot has ${snap.maxParallelism} key groups but the operator has max parallelism ${this.maxParallelism}: keep setMaxParallelism unchanged across restores`,
          { domain: 'user' },
        );
      }
    }
    await this.flush();
    for (const t of this.#tableList) t.rows.clear();
    this.#lru.clear();
    this.#lastRow = undefined;

    const { start, end } = this.keyGroupRange;
    const w = this.#scratch;
    const writes: Promise<void>[] = [];
    let batch: Batch | undefined;
    for (const snap of snapshots) {
      for (const g of snap.keyGroups) {
        if (g.keyGroup < start || g.keyGroup > end) continue;
        this.#kgVersion[g.keyGroup - start]!++;
        for (const [name, key, ns, value] of g.entries) {
          const { kind, ttl } = parseStateMeta(snap.states[name]);
          const t = this.#tables.get(name) ?? this.#createTable({ kind, name } as StateDescriptor, ttl);
          if (t.ttl !== ttl) throw ttlIncompatible(name, t.ttl);
          batch ??= this.#db.batch();
          this.#addMeta(batch);
          const obj = isObjectKey(key);
          w.pos = 0;
          w.writeRowKey(g.keyGroup, t.id, normalizeKey(key), obj, normalizeKey(ns));
          batch.put(w.buf.subarray(0, w.pos), this.#packr.pack(obj ? [key, value] : value));
          if (batch.length >= RESTORE_BATCH_ROWS) {
            writes.push(this.#enqueueWrite(batch, () => undefined));
            batch = undefined;
          }
        }
      }
    }
    if (batch !== undefined) writes.push(this.#enqueueWrite(batch, () => undefined));
    await Promise.all(writes);
  }

  // ---- lifecycle ----

  /** Closes the database and deletes its directory. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#writeChain;
      this.#lru.clear();
      this.#dirty = [];
      this.#lastRow = undefined;
      this.#pendingMeta = [];
      for (const t of this.#tableList) t.rows.clear();
      try {
        await this.#db.close();
      } finally {
        await rm(this.path, { recursive: true, force: true });
      }
    })();
    return this.#closing;
  }
}

function isObjectKey(key: unknown): boolean {
  return typeof key === 'object' && key !== null;
}

function sameNamespace(a: NormalizedKey, b: NormalizedKey): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

function corruptRow(kg: number, name: string): EddyError {
  return new EddyError(
    'STATE_ROW_CORRUPT',
    `a row of map state '${name}' in key group ${kg} is not a list of entries`,
  );
}

/** A live value -> its canonical (and stored) form. */
function toCanonical(kind: StateDescriptor['kind'], v: unknown): unknown {
  return kind === 'map' ? [...(v as MapRowValue).values()] : v;
}

/** A canonical (stored) value -> the live value of its state kind. */
function fromCanonical(kind: StateDescriptor['kind'], v: unknown): unknown {
  // Map entries are [mapKey, value] or, with TTL, [mapKey, value, ts]: kept whole either way.
  if (kind === 'map') return new Map((v as unknown[][]).map((e) => [normalizeKey(e[0]), e]));
  return v;
}
