// A min-heap of timers by time with O(1) duplicate checks and lazy deletion: a deleted timer stays
// in the heap until it surfaces and is skipped. Timers are unique per (key, namespace, time).

/** A registered timer. */
export interface Timer {
  readonly time: number;
  readonly key: unknown;
  readonly keyGroup: number;
  readonly namespace: unknown;
}

interface Entry extends Timer {
  readonly id: string;
}

/** Timers of one time domain. */
export class TimerHeap {
  readonly #heap: Entry[] = [];
  readonly #live = new Map<string, Entry>();

  get size(): number {
    return this.#live.size;
  }
  /** Adds a timer unless an equal one exists; returns whether it was added. */
  add(id: string, timer: Timer): boolean {
    if (this.#live.has(id)) return false;
    const e: Entry = { ...timer, id };
    this.#live.set(id, e);
    const h = this.#heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.time <= e.time) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
    return true;
  }
  delete(id: string): void {
    this.#live.delete(id);
  }
  /** The earliest live timer's time, or undefined. */
  peekTime(): number | undefined {
    this.#skipDeleted();
    return this.#heap[0]?.time;
  }
  /** Removes and returns the earliest live timer if its time is <= `time`. */
  pollUpTo(time: number): Timer | undefined {
    this.#skipDeleted();
    const top = this.#heap[0];
    if (top === undefined || top.time > time) return undefined;
    this.#pop();
    this.#live.delete(top.id);
    return top;
  }
  /** Every live timer (for snapshots and tests). */
  values(): IterableIterator<Timer> {
    return this.#live.values();
  }
  #skipDeleted(): void {
    const h = this.#heap;
    while (h.length > 0 && this.#live.get(h[0]!.id) !== h[0]) this.#pop();
  }
  #pop(): void {
    const h = this.#heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]!.time < h[l]!.time ? r : l;
      if (h[c]!.time >= last.time) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
}
