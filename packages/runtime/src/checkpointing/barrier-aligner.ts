// Checkpoint barrier alignment for a task with several input channels, as a pure state machine:
// inputs are barriers and ends of partitions, outputs are what the task must do (block a channel,
// take the checkpoint and unblock everything, or abandon an alignment). Exactly-once blocks each
// channel once its barrier arrived, so no record after the barrier is processed before the
// snapshot; at-least-once only counts barriers.
import type { CheckpointingMode } from '@eddy/api';

/** What the task does next. */
export type AlignerAction =
  | { readonly kind: 'block'; readonly channel: number }
  | {
      readonly kind: 'checkpoint';
      readonly id: number;
      readonly timestamp: number;
      readonly alignmentMs: number;
    }
  | { readonly kind: 'abort'; readonly id: number };

/** Aligns barriers over `channels` input channels. */
export class BarrierAligner {
  readonly #channels: number;
  readonly #mode: CheckpointingMode;
  readonly #finished = new Set<number>();
  #pending: { id: number; timestamp: number; startedAt: number; seen: Set<number> } | undefined;
  /** The newest checkpoint id taken or abandoned here: older barriers are stale. */
  #last = 0;

  constructor(channels: number, mode: CheckpointingMode) {
    this.#channels = channels;
    this.#mode = mode;
  }

  /** A barrier of checkpoint `id` arrived on `channel`. */
  onBarrier(channel: number, id: number, timestamp: number, now: number): AlignerAction[] {
    const actions: AlignerAction[] = [];
    // Stale: older than the alignment in progress, or than the last checkpoint taken or abandoned.
    if (this.#pending !== undefined ? id < this.#pending.id : id <= this.#last) return actions;
    if (this.#pending !== undefined && id > this.#pending.id) {
      // A newer barrier overtook an unfinished alignment: that checkpoint cannot complete here.
      actions.push({ kind: 'abort', id: this.#pending.id });
      this.#last = this.#pending.id;
      this.#pending = undefined;
    }
    this.#pending ??= { id, timestamp, startedAt: now, seen: new Set() };
    const p = this.#pending;
    p.seen.add(channel);
    if (this.#complete()) {
      actions.push({ kind: 'checkpoint', id, timestamp: p.timestamp, alignmentMs: now - p.startedAt });
      this.#last = id;
      this.#pending = undefined;
    } else if (this.#mode === 'exactly-once') {
      actions.push({ kind: 'block', channel });
    }
    return actions;
  }

  /** `channel` ended: it will send no barrier, so alignment no longer waits for it. */
  onEndOfPartition(channel: number): AlignerAction[] {
    this.#finished.add(channel);
    const p = this.#pending;
    if (p === undefined || !this.#complete()) return [];
    this.#last = p.id;
    this.#pending = undefined;
    return [{ kind: 'checkpoint', id: p.id, timestamp: p.timestamp, alignmentMs: 0 }];
  }

  #complete(): boolean {
    const p = this.#pending;
    if (p === undefined) return false;
    for (let c = 0; c < this.#channels; c++) if (!p.seen.has(c) && !this.#finished.has(c)) return false;
    return true;
  }
}
