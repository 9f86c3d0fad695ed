// Broadcast state on the heap: one map per descriptor per subtask (operator state, not keyed). The
// broadcast side writes it; the event side gets a read-only view, because only broadcast elements
// reach every subtask in the same order, so only they can change it without the subtasks' copies
// diverging. Keys compare by value (objects as canonical JSON), as keyed MapState's do.
//
// Threading: owned by one operator; used only from the task's mailbox.
import type { BroadcastState, ReadOnlyBroadcastState } from '@eddy/api';
import { EddyError } from '@eddy/common';
import { normalizeKey, type NormalizedKey } from '@eddy/state';

/** The writable broadcast state of one descriptor. */
export class HeapBroadcastState implements BroadcastState<unknown, unknown> {
  readonly name: string;
  readonly #entries = new Map<NormalizedKey, [unknown, unknown]>();
  /** The view processElement gets. */
  readonly readOnly: ReadOnlyBroadcastState<unknown, unknown>;

  constructor(name: string) {
    this.name = name;
    this.readOnly = new ReadOnlyBroadcastStateView(this);
  }
  get(key: unknown): unknown {
    return this.#entries.get(normalizeKey(key))?.[1];
  }
  contains(key: unknown): boolean {
    return this.#entries.has(normalizeKey(key));
  }
  *immutableEntries(): IterableIterator<readonly [unknown, unknown]> {
    for (const [k, v] of this.#entries.values()) yield [k, v] as const;
  }
  size(): number {
    return this.#entries.size;
  }
  put(key: unknown, value: unknown): void {
    this.#entries.set(normalizeKey(key), [key, value]);
  }
  putAll(entries: Iterable<readonly [unknown, unknown]>): void {
    for (const [k, v] of entries) this.put(k, v);
  }
  remove(key: unknown): void {
    this.#entries.delete(normalizeKey(key));
  }
  clear(): void {
    this.#entries.clear();
  }
  *entries(): IterableIterator<[unknown, unknown]> {
    for (const [k, v] of this.#entries.values()) yield [k, v];
  }
}

/**
 * The read-only view. The mutators exist only to fail clearly when a function casts the view to
 * BroadcastState and writes from processElement.
 */
class ReadOnlyBroadcastStateView implements ReadOnlyBroadcastState<unknown, unknown> {
  readonly #state: HeapBroadcastState;
  constructor(state: HeapBroadcastState) {
    this.#state = state;
  }
  get(key: unknown): unknown {
    return this.#state.get(key);
  }
  contains(key: unknown): boolean {
    return this.#state.contains(key);
  }
  immutableEntries(): IterableIterator<readonly [unknown, unknown]> {
    return this.#state.immutableEntries();
  }
  size(): number {
    return this.#state.size();
  }
  #readOnly(method: string): never {
    throw new EddyError(
      'BROADCAST_STATE_READ_ONLY',
      `broadcast state '${this.#state.name}' is read-only in processElement (called ${method}): change it in processBroadcastElement, which every parallel instance runs with the same elements`,
      { domain: 'user' },
    );
  }
  put(): never {
    return this.#readOnly('put');
  }
  putAll(): never {
    return this.#readOnly('putAll');
  }
  remove(): never {
    return this.#readOnly('remove');
  }
  clear(): never {
    return this.#readOnly('clear');
  }
}
