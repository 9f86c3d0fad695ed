// The base of operators: lifecycle, watermark handling (advance timers, then forward), keyed context,
// and a buffer that collects single records (with timestamps) from user functions and hands them
// downstream as one batch. Subclasses implement processBatch and, when they use timers, the
// Triggerable callbacks.
import {
  MIN_WATERMARK,
  isCheckpointListener,
  isCheckpointedFunction,
  type Collector,
  type RuntimeContext,
  type KeySelector,
} from '@eddy/api';
import { DefaultOperatorStateStore } from '../checkpointing/operator-state-store.ts';
import type {
  IncrementalKeyedState,
  OperatorRestore,
  OperatorSnapshot,
  TimerSnapshotEntry,
} from '../checkpointing/operator-snapshot.ts';
import { EddyError } from '@eddy/common';
import type { IncrementalKeyedStateSnapshot, KeyGroupDigests, KeyedStateBackend } from '@eddy/state';

import { InternalTimerService, type Triggerable } from '../timers/internal-timer-service.ts';
import type { ProcessingTimeService } from '../timers/processing-time-service.ts';
import type { TaskMailbox } from '../mailbox.ts';
import {
  joinResults,
  type OperatorContext,
  type Output,
  type StreamOperator,
  type Timestamps,
} from './stream-operator.ts';

/** What a keyed state backend that snapshots incrementally (LevelDB) adds to the contract. */
interface IncrementalSnapshotting {
  snapshotIncremental(previous?: KeyGroupDigests): Promise<IncrementalKeyedStateSnapshot>;
}

/**
 * Collects records one at a time (what user functions do) and emits them as a batch. Timestamps are
 * kept only when some record has one.
 */
export class BatchCollector {
  #values: unknown[] = [];
  #timestamps: number[] | undefined;
  #sides: Map<string, { values: unknown[]; timestamps: number[] | undefined }> | undefined;

  /** Adds a record; `timestamp` undefined means the record has none. */
  add(value: unknown, timestamp: number | undefined): void {
    const n = this.#values.length;
    this.#values.push(value);
    if (timestamp !== undefined) {
      if (this.#timestamps === undefined) this.#timestamps = new Array<number>(n).fill(MIN_WATERMARK);
      this.#timestamps.push(timestamp);
    } else if (this.#timestamps !== undefined) {
      this.#timestamps.push(MIN_WATERMARK);
    }
  }
  /** Adds a record for side output `tag`. */
  addSide(tag: string, value: unknown, timestamp: number | undefined): void {
    this.#sides ??= new Map();
    let s = this.#sides.get(tag);
    if (s === undefined) this.#sides.set(tag, (s = { values: [], timestamps: undefined }));
    const n = s.values.length;
    s.values.push(value);
    if (timestamp !== undefined) {
      if (s.timestamps === undefined) s.timestamps = new Array<number>(n).fill(MIN_WATERMARK);
      s.timestamps.push(timestamp);
    } else if (s.timestamps !== undefined) {
      s.timestamps.push(MIN_WATERMARK);
    }
  }
  get size(): number {
    return this.#values.length;
  }
  /** Hands everything collected to `output` and starts empty. */
  flush(output: Output): void | Promise<void> {
    let main: void | Promise<void> = undefined;
    if (this.#values.length > 0) {
      const v = this.#values;
      const t = this.#timestamps;
      this.#values = [];
      this.#timestamps = undefined;
      main = output.collect(v, t);
    }
    if (this.#sides === undefined) return main;
    const results: (void | Promise<void>)[] = [main];
    for (const [tag, s] of this.#sides) results.push(output.collectSide(tag, s.values, s.timestamps));
    this.#sides = undefined;
    return joinResults(results);
  }
}

/** A Collector stamping records with the timestamp of the input record being processed. */
export class TimestampedCollector implements Collector<unknown> {
  readonly #batch: BatchCollector;
  timestamp: number | undefined;
  constructor(batch: BatchCollector) {
    this.#batch = batch;
  }
  collect(value: unknown): void {
    this.#batch.add(value, this.timestamp);
  }
}

/** Base class of Eddy's operators. */
export abstract class AbstractStreamOperator implements StreamOperator {
  protected output!: Output;
  protected runtime!: RuntimeContext;
  protected processingTime!: ProcessingTimeService;
  protected mailbox!: TaskMailbox;
  protected keyedBackend: KeyedStateBackend | undefined;
  protected keySelectors: readonly (KeySelector<unknown, unknown> | undefined)[] = [];
  /** Records collected by user functions, flushed after each batch, watermark and timer round. */
  protected readonly collector = new BatchCollector();
  protected currentWatermark = MIN_WATERMARK;
  protected operatorStateStore = new DefaultOperatorStateStore();
  /** What this operator restores from, when the job restored. */
  protected restored: OperatorRestore | undefined;
  /** The user function whose checkpoint hooks this operator calls (set by subclasses). */
  protected checkpointedFunction: unknown;
  readonly #timerServices: InternalTimerService[] = [];
  /** The incremental baseline: the last completed checkpoint whose key groups are shared objects. */
  #incrementalBase: { checkpointId: number; digests: KeyGroupDigests } | undefined;
  /** Uploaded incremental snapshots by checkpoint id, waiting for their checkpoint to complete. */
  readonly #incrementalPending = new Map<number, KeyGroupDigests>();

  open(ctx: OperatorContext): void | Promise<void> {
    this.setup(ctx);
  }

  /** Takes what the operator needs from its context; subclasses that override open call it first. */
  protected setup(ctx: OperatorContext): void {
    this.output = ctx.output;
    this.runtime = ctx.runtime;
    this.processingTime = ctx.processingTime;
    this.mailbox = ctx.mailbox;
    this.keyedBackend = ctx.keyedBackend;
    this.keySelectors = ctx.keySelectors;
    this.restored = ctx.restore;
    this.operatorStateStore = new DefaultOperatorStateStore(ctx.restore?.operatorState);
  }

  /**
   * Opens a user function: CheckpointedFunction.initializeState first (with the restored operator
   * state), then RichFunction.open. Remembers it for the checkpoint hooks.
   */
  protected async openUserFunction(fn: unknown, runtime: RuntimeContext): Promise<void> {
    this.checkpointedFunction = fn;
    if (isCheckpointedFunction(fn)) {
      const restored = this.restored !== undefined;
      const store = this.operatorStateStore;
      fn.initializeState({ isRestored: () => restored, getOperatorStateStore: () => store });
    }
    const open = (fn as { open?: (ctx: RuntimeContext) => void | Promise<void> } | null)?.open;
    if (typeof open === 'function') await open.call(fn, runtime);
  }

  /**
   * Keyed state, timers and operator state; the user function snapshots its own first. A backend
   * that can snapshot incrementally (LevelDB) returns only the key groups changed since the
   * baseline, the last completed checkpoint whose snapshot was uploaded as shared key-group objects.
   */
  snapshotState(checkpointId: number): OperatorSnapshot | Promise<OperatorSnapshot> {
    const fn = this.checkpointedFunction;
    if (isCheckpointedFunction(fn)) fn.snapshotState({ checkpointId });
    const timers: TimerSnapshotEntry[] = [];
    this.#timerServices.forEach((ts, i) => {
      const { eventTime, processingTime } = ts.timers();
      for (const t of eventTime) timers.push([i, 'event', t.time, t.key, t.keyGroup, t.namespace]);
      for (const t of processingTime) timers.push([i, 'processing', t.time, t.key, t.keyGroup, t.namespace]);
    });
    const operatorState = this.operatorStateStore.snapshot();
    const build = (
      keyed: OperatorSnapshot['keyed'],
      incremental?: IncrementalKeyedState,
    ): OperatorSnapshot => ({
      ...(keyed === undefined ? {} : { keyed }),
      ...(incremental === undefined ? {} : { incremental }),
      ...(timers.length === 0 ? {} : { timers }),
      ...(operatorState === undefined ? {} : { operatorState }),
    });
    const backend = this.keyedBackend as (KeyedStateBackend & Partial<IncrementalSnapshotting>) | undefined;
    if (backend?.snapshotIncremental !== undefined) {
      // Both the backend's capture and the baseline are taken now, at the barrier.
      const base = this.#incrementalBase;
      return backend.snapshotIncremental(base?.digests).then((r) =>
        build(r.snapshot, {
          baseCheckpointId: base?.checkpointId ?? 0,
          unchanged: r.unchanged,
          digests: r.keyGroups,
          becomeBaselineOnCompletion: () => {
            this.#incrementalPending.set(checkpointId, { keyGroups: r.keyGroups });
            // Checkpoints that never complete (declined, aborted) must not pile up.
            if (this.#incrementalPending.size > 16)
              this.#incrementalPending.delete(this.#incrementalPending.keys().next().value!);
          },
        }),
      );
    }
    const keyed = backend?.snapshot();
    return keyed instanceof Promise ? keyed.then((k) => build(k)) : build(keyed);
  }

  notifyCheckpointComplete(checkpointId: number): void | Promise<void> {
    // The baseline advances only on completion: a checkpoint that was taken but then failed must
    // never be referenced by the next one.
    const digests = this.#incrementalPending.get(checkpointId);
    if (digests !== undefined) {
      this.#incrementalBase = { checkpointId, digests };
      for (const id of [...this.#incrementalPending.keys()])
        if (id <= checkpointId) this.#incrementalPending.delete(id);
    }
    const fn = this.checkpointedFunction;
    if (isCheckpointListener(fn)) return fn.notifyCheckpointComplete(checkpointId);
  }

  abstract processBatch(
    batch: readonly unknown[],
    timestamps: Timestamps,
    input: number,
  ): void | Promise<void>;

  /** Fires due event-time timers, then forwards the watermark. */
  processWatermark(watermark: number): void | Promise<void> {
    this.currentWatermark = watermark;
    const finish = (): void | Promise<void> => {
      const r = this.collector.flush(this.output);
      const w = this.output.emitWatermark(watermark);
      return r === undefined ? w : w === undefined ? r : joinResults([r, w]);
    };
    // Timer services fire in order; one whose state must be loaded first makes the rest wait.
    const services = this.#timerServices;
    const advance = (i: number): void | Promise<void> => {
      for (; i < services.length; i++) {
        const r = services[i]!.advanceWatermark(watermark);
        if (r !== undefined) return r.then(() => advance(i + 1));
      }
      return finish();
    };
    return advance(0);
  }

  processWatermarkStatus(idle: boolean): void {
    this.output.emitWatermarkStatus(idle);
  }

  endInput(): void | Promise<void> {}

  close(): void | Promise<void> {
    for (const ts of this.#timerServices) ts.close();
  }

  // What user-function contexts (process, co-process, broadcast) read from their operator.
  /** @internal The current key; a clear error on streams that are not keyed. */
  currentKey(): unknown {
    return this.requireKeyed('getCurrentKey()').getCurrentKey();
  }
  /** @internal */
  processingTimeNow(): number {
    return this.processingTime.now();
  }
  /** @internal */
  inputWatermark(): number {
    return this.currentWatermark;
  }

  /** The keyed state backend; a clear error when the operator's input is not keyed. */
  protected requireKeyed(what: string): KeyedStateBackend {
    if (this.keyedBackend === undefined) {
      throw new EddyError('NOT_KEYED', `${what} needs a keyed stream: apply it after keyBy(...)`, {
        domain: 'user',
      });
    }
    return this.keyedBackend;
  }

  /** Sets the current key from a record of input `input`. */
  protected setKeyContextElement(value: unknown, input = 0): void {
    const selector = this.keySelectors[input];
    if (selector !== undefined) this.keyedBackend?.setCurrentKey(selector(value));
  }

  /**
   * A timer service firing into `target`. Processing-time timers fire from the mailbox; the collector
   * is flushed after them here, because no batch or watermark follows to do it.
   */
  protected getInternalTimerService(target: Triggerable): InternalTimerService {
    const backend = this.requireKeyed('timers');
    const ts = new InternalTimerService(backend, this.processingTime, target, () =>
      this.collector.flush(this.output),
    );
    const index = this.#timerServices.length;
    this.#timerServices.push(ts);
    for (const [i, domain, time, key, keyGroup, namespace] of this.restored?.timers ?? []) {
      if (i === index) ts.restoreTimer(domain, time, key, keyGroup, namespace);
    }
    return ts;
  }
}
