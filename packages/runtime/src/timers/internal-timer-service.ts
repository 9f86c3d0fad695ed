// Keyed timers of one operator (Flink's InternalTimerService): event-time timers fire when the
// watermark passes them, processing-time timers when the clock does, each with its key set as the
// current key. Timers are deduplicated per (key, namespace, time) and remember their key group, so
// they can be snapshotted and redistributed with keyed state.
//
// Threading: used only from the task's mailbox; processing-time wake-ups arrive as mail.
import { HeapKeyedStateBackend, normalizeKey, type KeyedStateBackend } from '@eddy/state';
import { MIN_WATERMARK } from '@eddy/api';
import type { ProcessingTimeService } from './processing-time-service.ts';
import { TimerHeap, type Timer } from './timer-heap.ts';

export type { Timer } from './timer-heap.ts';

/** What fires (Flink's Triggerable). */
export interface Triggerable {
  onEventTime(timer: Timer): void;
  onProcessingTime(timer: Timer): void;
}

function timerId(key: unknown, namespace: unknown, time: number): string {
  return `${String(normalizeKey(key))}\u0001${String(normalizeKey(namespace))}\u0001${time}`;
}

/** The timers of one operator. */
export class InternalTimerService {
  readonly #backend: KeyedStateBackend;
  readonly #processingTime: ProcessingTimeService;
  readonly #target: Triggerable;
  readonly #afterProcessingTimers: () => void | Promise<void>;
  readonly #eventTimers = new TimerHeap();
  readonly #processingTimers = new TimerHeap();
  #watermark = MIN_WATERMARK;
  /** The processing time the wake-up is scheduled for, and its canceller. */
  #wakeAt: number | undefined;
  #cancelWake: (() => void) | undefined;

  /**
   * `afterProcessingTimers` runs after a round of processing-time timers fired from the mailbox (the
   * operator flushes what they emitted; nothing else would).
   */
  constructor(
    backend: KeyedStateBackend,
    processingTime: ProcessingTimeService,
    target: Triggerable,
    afterProcessingTimers: () => void | Promise<void> = () => undefined,
  ) {
    this.#backend = backend;
    this.#processingTime = processingTime;
    this.#target = target;
    this.#afterProcessingTimers = afterProcessingTimers;
  }

  currentWatermark(): number {
    return this.#watermark;
  }
  currentProcessingTime(): number {
    return this.#processingTime.now();
  }

  #timer(namespace: unknown, time: number): [string, Timer] {
    const key = this.#backend.getCurrentKey();
    return [
      timerId(key, namespace, time),
      { time, key, keyGroup: this.#backend.getCurrentKeyGroup(), namespace },
    ];
  }

  registerEventTimeTimer(namespace: unknown, time: number): void {
    const [id, t] = this.#timer(namespace, time);
    this.#eventTimers.add(id, t);
  }
  deleteEventTimeTimer(namespace: unknown, time: number): void {
    this.#eventTimers.delete(timerId(this.#backend.getCurrentKey(), namespace, time));
  }
  registerProcessingTimeTimer(namespace: unknown, time: number): void {
    const [id, t] = this.#timer(namespace, time);
    if (this.#processingTimers.add(id, t)) this.#scheduleWake();
  }
  deleteProcessingTimeTimer(namespace: unknown, time: number): void {
    this.#processingTimers.delete(timerId(this.#backend.getCurrentKey(), namespace, time));
  }

  /** Re-registers a timer from a snapshot (its key need not be the current one). */
  restoreTimer(
    domain: 'event' | 'processing',
    time: number,
    key: unknown,
    keyGroup: number,
    namespace: unknown,
  ): void {
    const id = timerId(key, namespace, time);
    if (domain === 'event') this.#eventTimers.add(id, { time, key, keyGroup, namespace });
    else if (this.#processingTimers.add(id, { time, key, keyGroup, namespace })) this.#scheduleWake();
  }

  numEventTimeTimers(): number {
    return this.#eventTimers.size;
  }
  numProcessingTimeTimers(): number {
    return this.#processingTimers.size;
  }

  /**
   * Fires every event-time timer at or before `watermark`, in time order. With a backend off the
   * heap, the due timers' state is loaded first (one batched read per round), so the result may be
   * a promise.
   */
  advanceWatermark(watermark: number): void | Promise<void> {
    if (watermark <= this.#watermark) return undefined;
    this.#watermark = watermark;
    const poll = (): Timer | undefined => this.#eventTimers.pollUpTo(watermark);
    const fire = (t: Timer): void => this.#target.onEventTime(t);
    if (this.#backend instanceof HeapKeyedStateBackend) {
      for (let t = poll(); t !== undefined; t = poll()) {
        this.#backend.setCurrentKey(t.key);
        fire(t);
      }
      return undefined;
    }
    return this.#fireLoaded(poll, fire);
  }

  /** Fires due timers in rounds: poll what is due, load its state, fire, repeat. */
  #fireLoaded(poll: () => Timer | undefined, fire: (t: Timer) => void): void | Promise<void> {
    for (;;) {
      const due: Timer[] = [];
      for (let t = poll(); t !== undefined; t = poll()) due.push(t);
      if (due.length === 0) return undefined;
      const loaded = this.#backend.prefetch(
        due.flatMap((t) => [{ key: t.key, namespace: t.namespace }, { key: t.key }]),
      );
      const fireAll = (): void => {
        for (const t of due) {
          this.#backend.setCurrentKey(t.key);
          fire(t);
        }
      };
      if (loaded !== undefined) {
        return loaded.then(() => {
          fireAll();
          return this.#fireLoaded(poll, fire);
        });
      }
      fireAll();
    }
  }

  /** Fires every processing-time timer due at `now`. Called from the mailbox. */
  firePendingProcessingTimers(now = this.#processingTime.now()): void | Promise<void> {
    const poll = (): Timer | undefined => this.#processingTimers.pollUpTo(now);
    const fire = (t: Timer): void => this.#target.onProcessingTime(t);
    let fired: void | Promise<void> = undefined;
    if (this.#backend instanceof HeapKeyedStateBackend) {
      for (let t = poll(); t !== undefined; t = poll()) {
        this.#backend.setCurrentKey(t.key);
        fire(t);
      }
    } else {
      fired = this.#fireLoaded(poll, fire);
    }
    const after = (): void | Promise<void> => {
      this.#scheduleWake();
      return this.#afterProcessingTimers();
    };
    return fired === undefined ? after() : fired.then(after);
  }

  /** Keeps exactly one wake-up scheduled, for the earliest processing-time timer. */
  #scheduleWake(): void {
    const next = this.#processingTimers.peekTime();
    if (next === this.#wakeAt) return;
    this.#cancelWake?.();
    this.#cancelWake = undefined;
    this.#wakeAt = next;
    if (next === undefined) return;
    this.#cancelWake = this.#processingTime.registerTimer(next, (time) => {
      this.#wakeAt = undefined;
      this.#cancelWake = undefined;
      return this.firePendingProcessingTimers(Math.max(time, this.#processingTime.now()));
    });
  }

  /** Stops the wake-up (on close). */
  close(): void {
    this.#cancelWake?.();
    this.#cancelWake = undefined;
  }

  /** Live event-time and processing-time timers (snapshots, tests). */
  timers(): { eventTime: Timer[]; processingTime: Timer[] } {
    return {
      eventTime: [...this.#eventTimers.values()],
      processingTime: [...this.#processingTimers.values()],
    };
  }
}
