// Processing time for a task: the current wall-clock time and callbacks at a time. Callbacks never
// run on the timer's own stack: they are posted to the task's mailbox, so operator code runs only on
// the task thread (Flink's ProcessingTimeService + mailbox).
import type { Clock } from '@eddy/common';
import type { TaskMailbox } from '../mailbox.ts';

/** Processing time as operators see it. */
export interface ProcessingTimeService {
  now(): number;
  /** Runs `callback(time)` from the mailbox once the clock reaches `time`; returns a canceller. */
  registerTimer(time: number, callback: (time: number) => void | Promise<void>): () => void;
}

/** Real time: setTimeout, posting to the mailbox. */
export class SystemProcessingTimeService implements ProcessingTimeService {
  readonly #clock: Clock;
  readonly #mailbox: TaskMailbox;
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;

  constructor(clock: Clock, mailbox: TaskMailbox) {
    this.#clock = clock;
    this.#mailbox = mailbox;
  }
  now(): number {
    return this.#clock.now();
  }
  registerTimer(time: number, callback: (time: number) => void | Promise<void>): () => void {
    if (this.#closed) return () => undefined;
    const handle = setTimeout(
      () => {
        this.#timers.delete(handle);
        this.#mailbox.put({ description: `processing-time timer @${time}`, run: () => callback(time) });
      },
      Math.max(0, time - this.#clock.now()),
    );
    handle.unref();
    this.#timers.add(handle);
    return () => {
      clearTimeout(handle);
      this.#timers.delete(handle);
    };
  }
  /** Cancels every pending timer. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}

/** Time that moves only when a test says so; due callbacks run synchronously on `advanceTo`. */
export class ManualProcessingTimeService implements ProcessingTimeService {
  #now: number;
  #seq = 0;
  readonly #timers = new Map<number, { time: number; callback: (time: number) => void | Promise<void> }>();
  constructor(start = 0) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  registerTimer(time: number, callback: (time: number) => void | Promise<void>): () => void {
    const id = this.#seq++;
    this.#timers.set(id, { time, callback });
    return () => this.#timers.delete(id);
  }
  /** Moves time to `time` and runs every callback due, in time order (awaiting each). */
  async advanceTo(time: number): Promise<void> {
    for (;;) {
      let next: [number, { time: number; callback: (t: number) => void | Promise<void> }] | undefined;
      for (const e of this.#timers)
        if (e[1].time <= time && (next === undefined || e[1].time < next[1].time)) next = e;
      if (next === undefined) break;
      this.#timers.delete(next[0]);
      this.#now = Math.max(this.#now, next[1].time);
      await next[1].callback(next[1].time);
    }
    this.#now = Math.max(this.#now, time);
  }
}
