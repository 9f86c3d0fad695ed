// Runs a BroadcastProcessFunction (non-keyed first input) or a KeyedBroadcastProcessFunction (keyed
// first input: keyed state, timers, applyToKeyedState). Input 0 carries the events, input 1 the
// broadcast stream, which every subtask receives whole. Broadcast state is one HeapBroadcastState per
// descriptor: writable in processBroadcastElement, a read-only view in processElement and onTimer.
import type {
  BroadcastProcessSpec,
  BroadcastState,
  KeyedBroadcastOnTimerContext,
  KeyedBroadcastProcessContext,
  KeyedBroadcastProcessFunction,
  MapStateDescriptor,
  OutputTag,
  ReadOnlyBroadcastState,
  RuntimeContext,
  StateDescriptor,
  TimerService,
} from '@eddy/api';
import { EddyError } from '@eddy/common';
import type { InternalTimerService, Timer } from '../timers/internal-timer-service.ts';
import {
  AbstractStreamOperator,
  TimestampedCollector,
  type BatchCollector,
} from './abstract-stream-operator.ts';
import { HeapBroadcastState } from './broadcast-state.ts';
import { timersNeedKeys, UserTimerService, type TimerServiceOwner } from './process-function-context.ts';
import type { OperatorSnapshot } from '../checkpointing/operator-snapshot.ts';
import type { OperatorContext, Timestamps } from './stream-operator.ts';

type AnyBroadcastFunction = KeyedBroadcastProcessFunction<unknown, unknown, unknown, unknown>;

/** What both contexts share: the current record's timestamp, time, side outputs. */
abstract class BaseContext {
  protected readonly op: BroadcastProcessOperator;
  readonly #batch: BatchCollector;
  readonly runtime: RuntimeContext;
  currentTimestamp: number | undefined;
  constructor(op: BroadcastProcessOperator, runtime: RuntimeContext, batch: BatchCollector) {
    this.op = op;
    this.runtime = runtime;
    this.#batch = batch;
  }
  timestamp(): number | undefined {
    return this.currentTimestamp;
  }
  currentProcessingTime(): number {
    return this.op.processingTimeNow();
  }
  currentWatermark(): number {
    return this.op.inputWatermark();
  }
  output<X>(tag: OutputTag<X>, value: X): void {
    this.#batch.addSide(tag.id, value, this.currentTimestamp);
  }
}

/** Context of processElement and onTimer: read-only broadcast state, key, timers. */
class ReadOnlyContext extends BaseContext implements KeyedBroadcastOnTimerContext<unknown> {
  readonly #timerService: UserTimerService;
  domain: 'event-time' | 'processing-time' = 'event-time';
  constructor(op: BroadcastProcessOperator, runtime: RuntimeContext, batch: BatchCollector) {
    super(op, runtime, batch);
    this.#timerService = new UserTimerService(op);
  }
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V> {
    return this.op.broadcastState(descriptor).readOnly as ReadOnlyBroadcastState<K, V>;
  }
  getCurrentKey(): unknown {
    return this.op.currentKey();
  }
  timerService(): TimerService {
    return this.#timerService;
  }
  timeDomain(): 'event-time' | 'processing-time' {
    return this.domain;
  }
}

/** Context of processBroadcastElement: writable broadcast state, applyToKeyedState. */
class BroadcastContext extends BaseContext implements KeyedBroadcastProcessContext<unknown> {
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    return this.op.broadcastState(descriptor) as BroadcastState<K, V>;
  }
  applyToKeyedState(descriptor: StateDescriptor, fn: (key: unknown, state: never) => void): void {
    this.op.applyToKeyedState(descriptor, fn);
  }
}

/** The broadcast state pattern's operator, keyed or not. */
export class BroadcastProcessOperator extends AbstractStreamOperator implements TimerServiceOwner {
  readonly #fn: AnyBroadcastFunction;
  readonly #states = new Map<string, HeapBroadcastState>();
  readonly #out = new TimestampedCollector(this.collector);
  #readOnlyCtx!: ReadOnlyContext;
  #broadcastCtx!: BroadcastContext;
  #timers: InternalTimerService | undefined;

  constructor(spec: BroadcastProcessSpec) {
    super();
    const f = spec.function as Partial<AnyBroadcastFunction> | null;
    if (
      f === null ||
      typeof f !== 'object' ||
      typeof f.processElement !== 'function' ||
      typeof f.processBroadcastElement !== 'function'
    ) {
      throw new TypeError(
        'connect(broadcastStream).process() expects an object with processElement and processBroadcastElement methods',
      );
    }
    this.#fn = spec.function;
    for (const d of spec.descriptors) this.#states.set(d.name, new HeapBroadcastState(d.name));
  }

  override async open(ctx: OperatorContext): Promise<void> {
    this.setup(ctx);
    for (const [name, entries] of Object.entries(this.restored?.broadcast ?? {}))
      this.#states.get(name)?.putAll(entries);
    this.#readOnlyCtx = new ReadOnlyContext(this, ctx.runtime, this.collector);
    this.#broadcastCtx = new BroadcastContext(this, ctx.runtime, this.collector);
    if (this.keyedBackend !== undefined) {
      this.#timers = this.getInternalTimerService({
        onEventTime: (t) => this.#fire(t, 'event-time'),
        onProcessingTime: (t) => this.#fire(t, 'processing-time'),
      });
    }
    await this.openUserFunction(this.#fn, ctx.runtime);
  }

  /** Keyed state and timers as every operator, plus the broadcast state. */
  override snapshotState(checkpointId: number): OperatorSnapshot | Promise<OperatorSnapshot> {
    const broadcast: Record<string, [unknown, unknown][]> = {};
    for (const [name, s] of this.#states)
      broadcast[name] = [...s.immutableEntries()].map(([k, v]) => [k, structuredClone(v)]);
    const base = super.snapshotState(checkpointId);
    return base instanceof Promise ? base.then((b) => ({ ...b, broadcast })) : { ...base, broadcast };
  }

  /** @internal The broadcast state of `descriptor`; a user error naming the declared ones otherwise. */
  broadcastState(descriptor: MapStateDescriptor<unknown, unknown>): HeapBroadcastState {
    const s = this.#states.get(descriptor.name);
    if (s === undefined) {
      const declared = [...this.#states.keys()].map((n) => `'${n}'`).join(', ') || 'none';
      throw new EddyError(
        'BROADCAST_STATE_UNKNOWN',
        `no broadcast state '${descriptor.name}' (declared: ${declared}): pass its descriptor to broadcast(...)`,
        { domain: 'user' },
      );
    }
    return s;
  }
  /** @internal */
  applyToKeyedState(descriptor: StateDescriptor, fn: (key: unknown, state: never) => void): void {
    const backend = this.keyedBackend;
    if (backend === undefined) {
      throw new EddyError(
        'NOT_KEYED',
        'applyToKeyedState needs a keyed first input: use keyedStream.connect(broadcastStream)',
        { domain: 'user' },
      );
    }
    const state = backend.getOrCreateKeyedState<never>(descriptor);
    // Copied first: the function may clear state, which changes what the iteration walks.
    for (const key of [...backend.keys(descriptor.name)]) {
      backend.setCurrentKey(key);
      fn(key, state);
    }
  }
  /** @internal */
  timers(what: string): InternalTimerService {
    if (this.#timers === undefined) {
      throw timersNeedKeys(what, 'key the first input: keyedStream.connect(broadcastStream)');
    }
    return this.#timers;
  }
  /** The broadcast states by name (tests, snapshots). */
  broadcastStates(): ReadonlyMap<string, HeapBroadcastState> {
    return this.#states;
  }

  processBatch(batch: readonly unknown[], timestamps: Timestamps, input: number): void | Promise<void> {
    const c = this.#out;
    const fn = this.#fn;
    if (input === 0) {
      const ctx = this.#readOnlyCtx;
      const keyed = this.keyedBackend !== undefined;
      for (let i = 0; i < batch.length; i++) {
        const v = batch[i];
        const ts = timestamps?.[i];
        ctx.currentTimestamp = ts;
        c.timestamp = ts;
        if (keyed) this.setKeyContextElement(v, 0);
        fn.processElement(v, ctx, c);
      }
    } else {
      const ctx = this.#broadcastCtx;
      for (let i = 0; i < batch.length; i++) {
        const ts = timestamps?.[i];
        ctx.currentTimestamp = ts;
        c.timestamp = ts;
        fn.processBroadcastElement(batch[i], ctx, c);
      }
    }
    return this.collector.flush(this.output);
  }

  #fire(timer: Timer, domain: 'event-time' | 'processing-time'): void {
    if (this.#fn.onTimer === undefined) return;
    const ctx = this.#readOnlyCtx;
    ctx.domain = domain;
    ctx.currentTimestamp = domain === 'event-time' ? timer.time : undefined;
    this.#out.timestamp = ctx.currentTimestamp;
    this.#fn.onTimer(timer.time, ctx, this.#out);
  }

  override async close(): Promise<void> {
    await super.close();
    await this.#fn.close?.();
  }
}
