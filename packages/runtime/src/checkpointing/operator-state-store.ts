// Operator (non-keyed) list state of one operator subtask, for CheckpointedFunction.
import type { ListState, ListStateDescriptor, OperatorStateStore } from '@eddy/api';
import { EddyError } from '@eddy/common';
import type { OperatorSnapshot } from './operator-snapshot.ts';

class OperatorListState implements ListState<unknown> {
  items: unknown[];
  readonly mode: 'split' | 'union';
  constructor(mode: 'split' | 'union', items: readonly unknown[]) {
    this.mode = mode;
    this.items = [...items];
  }
  get(): readonly unknown[] {
    return this.items;
  }
  add(value: unknown): void {
    this.items.push(value);
  }
  addAll(values: readonly unknown[]): void {
    for (const v of values) this.items.push(v);
  }
  update(values: readonly unknown[]): void {
    this.items = [...values];
  }
  clear(): void {
    this.items = [];
  }
}

/** The operator state of one subtask. */
export class DefaultOperatorStateStore implements OperatorStateStore {
  readonly #states = new Map<string, OperatorListState>();
  readonly #restored: Readonly<Record<string, readonly unknown[]>>;
  constructor(restored: Readonly<Record<string, readonly unknown[]>> = {}) {
    this.#restored = restored;
  }
  #get(descriptor: ListStateDescriptor<unknown>, mode: 'split' | 'union'): OperatorListState {
    let s = this.#states.get(descriptor.name);
    if (s === undefined) {
      s = new OperatorListState(mode, this.#restored[descriptor.name] ?? []);
      this.#states.set(descriptor.name, s);
    } else if (s.mode !== mode) {
      throw new EddyError(
        'STATE_DESCRIPTOR_CONFLICT',
        `operator state '${descriptor.name}' is used both as ${s.mode} and ${mode} list state`,
        {
          domain: 'user',
        },
      );
    }
    return s;
  }
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.#get(descriptor, 'split') as ListState<T>;
  }
  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.#get(descriptor, 'union') as ListState<T>;
  }
  /** The contents for a snapshot (undefined when there is none). */
  snapshot(): OperatorSnapshot['operatorState'] {
    if (this.#states.size === 0) return undefined;
    const out: Record<string, { mode: 'split' | 'union'; items: unknown[] }> = {};
    for (const [name, s] of this.#states) out[name] = { mode: s.mode, items: structuredClone(s.items) };
    return out;
  }
}
