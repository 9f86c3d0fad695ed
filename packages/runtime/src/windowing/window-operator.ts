// The WindowOperator (Flink's WindowOperator and EvictingWindowOperator in one): assigns each record
// to windows, keeps window contents in keyed state with the window as namespace, asks the trigger
// what to do on elements and timers, evaluates windows, handles allowed lateness, the late-data side
// output and cleanup, and merges session windows through a MergingWindowSet. Sliding and tumbling
// windows with reduce/aggregate and the default trigger take the sliced path (slicing.ts): one
// accumulator per key and slice instead of one per key and window.
//
// Namespaces are window ids (TimeWindow "start:end", "global") so state and timer lookups hash a short
// string, not a JSON rendering of a window object. Output records carry window.maxTimestamp().
//
// Threading: everything runs on the task thread (records, watermarks, timer mail).
import {
  GlobalWindow,
  MIN_WATERMARK,
  MAX_WATERMARK,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  TimeWindow,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  isFire,
  isMergingWindowAssigner,
  isPurge,
  unwrapFunction,
  type AggregateFunction,
  type AggregatingState,
  type Collector,
  type Evictor,
  type KeyedStateStore,
  type ListState,
  type ListStateDescriptor,
  type MapState,
  type MapStateDescriptor,
  type AggregatingStateDescriptor,
  type ReducingStateDescriptor,
  type ValueStateDescriptor,
  type MergingWindowAssigner,
  type OnMergeContext,
  type OutputTag,
  type ProcessWindowFunctionContext,
  type ReducingState,
  type RichFunction,
  type StateDescriptor,
  type TimestampedValue,
  type Trigger,
  type TriggerResult,
  type ValueState,
  type Window,
  type WindowAssigner,
  type WindowAssignerContext,
  type WindowSpec,
} from '@eddy/api';
import { userError } from '@eddy/common';
import type { KeyedStateBackend, InternalKvState } from '@eddy/state';
import { AbstractStreamOperator } from '../operators/abstract-stream-operator.ts';
import type { OperatorContext, Timestamps } from '../operators/stream-operator.ts';
import type { InternalTimerService, Timer, Triggerable } from '../timers/internal-timer-service.ts';
import { MergingWindowSet } from './merging-window-set.ts';
import { SlicedWindows, type SliceContext, type SliceTimerKind } from './slicing.ts';

/** The window with id `id` (the inverse of Window.id for the built-in window types). */
export function windowFromId(id: string): Window {
  if (id === 'global') return GlobalWindow.get();
  const colon = id.indexOf(':', 1);
  const start = Number(id.slice(0, colon));
  const end = Number(id.slice(colon + 1));
  if (colon < 0 || !Number.isFinite(start) || !Number.isFinite(end)) {
    throw new TypeError(`'${id}' is not the id of a TimeWindow or GlobalWindow`);
  }
  return new TimeWindow(start, end);
}

/** The keyed process function shape every window function is normalized to. */
interface InternalProcess {
  process(
    key: unknown,
    ctx: ProcessWindowFunctionContext<Window>,
    elements: readonly unknown[],
    out: Collector<unknown>,
  ): void;
  clear?(ctx: ProcessWindowFunctionContext<Window>): void;
}

const CONTENTS = 'window-contents';
const SLICES = 'window-slices';
const MERGING_WINDOWS = 'merging-window-set';

/** Sliding/tumbling parameters when the assigner is one of the aligned kinds. */
function alignedWindows(
  a: WindowAssigner<unknown, Window>,
): { size: number; slide: number; offset: number } | undefined {
  if (a instanceof SlidingEventTimeWindows || a instanceof SlidingProcessingTimeWindows) return a;
  if (a instanceof TumblingEventTimeWindows || a instanceof TumblingProcessingTimeWindows) {
    return { size: a.size, slide: a.size, offset: a.offset };
  }
  return undefined;
}

/** Evaluates windows of a keyed stream. */
export class WindowOperator extends AbstractStreamOperator implements Triggerable {
  readonly #spec: WindowSpec;
  readonly #assigner: WindowAssigner<unknown, Window>;
  readonly #trigger: Trigger<unknown, Window>;
  readonly #evictor: Evictor<unknown, Window> | undefined;
  readonly #lateness: number;
  readonly #eventTime: boolean;
  readonly #lateTag: string | undefined;
  readonly #reduce: ((a: unknown, b: unknown) => unknown) | undefined;
  readonly #aggregate: AggregateFunction<unknown, unknown, unknown> | undefined;
  readonly #process: InternalProcess | undefined;
  readonly #rich: RichFunction[] = [];
  readonly #merging: MergingWindowAssigner<unknown, Window> | undefined;

  #backend!: KeyedStateBackend;
  #timers!: InternalTimerService;
  /** Window contents (general path); its kind depends on the function and evictor. */
  #contents!: InternalKvState;
  #sliced: SlicedWindows<unknown, unknown> | undefined;
  #sliceState!: ValueState<unknown> & InternalKvState;
  #mergingState!: ValueState<unknown> & InternalKvState;
  /** State handles per descriptor name, namespaced per use (trigger and window state). */
  readonly #handles = new Map<string, InternalKvState>();
  readonly #triggerContext = new WindowTriggerContext(this);
  readonly #processContext = new WindowProcessContext(this);
  readonly #out = new TimestampedCollector(this);
  readonly #assignerContext: WindowAssignerContext = {
    getCurrentProcessingTime: () => this.processingTime.now(),
  };
  /** Records dropped because they were late and no late-data tag was set (Flink's metric). */
  numLateRecordsDropped = 0;

  constructor(spec: WindowSpec) {
    super();
    this.#spec = spec;
    this.#assigner = spec.assigner;
    this.#trigger = spec.trigger;
    this.#evictor = spec.evictor;
    this.#eventTime = spec.assigner.isEventTime();
    this.#lateness = this.#eventTime ? spec.allowedLateness : 0;
    this.#lateTag = spec.lateDataTag?.id;
    const f = spec.function;
    if (f.kind === 'reduce') {
      const u = unwrapFunction<(a: unknown, b: unknown) => unknown>(
        f.reduce as (a: unknown, b: unknown) => unknown,
        'reduce',
      );
      this.#reduce = u.call;
      if (u.rich !== undefined) this.#rich.push(u.rich);
    } else if (f.kind === 'aggregate') {
      this.#aggregate = f.aggregate;
    }
    const p = f.process;
    if (p !== undefined) {
      if (typeof p.process !== 'function') {
        throw userError('WINDOW_FUNCTION', 'a process window function needs a process(...) method');
      }
      this.#rich.push(p);
      this.#process = spec.keyed
        ? (p as InternalProcess)
        : {
            process: (_key, ctx, elements, out) =>
              (p as { process(c: unknown, e: unknown, o: unknown): void }).process(ctx, elements, out),
            ...(p.clear === undefined ? {} : { clear: (ctx) => p.clear?.(ctx) }),
          };
    }
    if (isMergingWindowAssigner(spec.assigner)) {
      if (spec.trigger.canMerge?.() !== true) {
        throw userError(
          'WINDOW_TRIGGER_CANNOT_MERGE',
          'a merging window assigner (session windows) needs a trigger that can merge: implement canMerge() and onMerge()',
        );
      }
      this.#merging = spec.assigner;
    }
  }

  override async open(ctx: OperatorContext): Promise<void> {
    this.setup(ctx);
    this.#backend = this.requireKeyed('window()');
    this.#timers = this.getInternalTimerService(this);
    const aligned = alignedWindows(this.#assigner);
    if (
      aligned !== undefined &&
      this.#spec.defaultTrigger &&
      this.#evictor === undefined &&
      this.#spec.function.kind !== 'process'
    ) {
      this.#sliced = new SlicedWindows(
        { ...aligned, allowedLateness: this.#lateness, eventTime: this.#eventTime },
        this.#sliceFunctions(),
      );
      this.#sliceState = this.#backend.getOrCreateKeyedState({ kind: 'value', name: SLICES });
    } else {
      this.#contents = this.#backend.getOrCreateKeyedState(this.#contentsDescriptor());
    }
    if (this.#merging !== undefined) {
      this.#mergingState = this.#backend.getOrCreateKeyedState({ kind: 'value', name: MERGING_WINDOWS });
    }
    for (const r of this.#rich) await r.open?.(ctx.runtime);
  }

  override async close(): Promise<void> {
    await super.close();
    for (const r of this.#rich) await r.close?.();
  }

  /** Whether this operator uses slices (for tests and metrics). */
  get sliced(): boolean {
    return this.#sliced !== undefined;
  }

  processBatch(batch: readonly unknown[], timestamps: Timestamps): void | Promise<void> {
    const n = batch.length;
    for (let i = 0; i < n; i++) {
      const value = batch[i];
      this.setKeyContextElement(value);
      let ts = timestamps?.[i];
      if (ts === MIN_WATERMARK) ts = undefined;
      if (this.#sliced !== undefined) this.#processSliced(value, ts);
      else if (this.#merging !== undefined) this.#processMerging(value, ts, this.#merging);
      else this.#processElement(value, ts);
    }
    return this.collector.flush(this.output);
  }

  // ---- shared helpers -------------------------------------------------------------------------

  /** The time that places a record in windows: its timestamp, or the clock for processing time. */
  #timestampOf(ts: number | undefined): number {
    if (!this.#eventTime) return this.processingTime.now();
    if (ts !== undefined) return ts;
    throw userError(
      'WINDOW_NO_TIMESTAMP',
      'a record without a timestamp reached an event-time window: assign timestamps with assignTimestampsAndWatermarks(...) or a source watermark strategy, or use processing-time windows',
    );
  }

  /** Flink's cleanupTime: maxTimestamp + lateness (event time) or maxTimestamp; MAX means never. */
  #cleanupTime(w: Window): number {
    const max = w.maxTimestamp();
    if (!this.#eventTime) return max;
    const t = max + this.#lateness;
    return t >= MAX_WATERMARK ? MAX_WATERMARK : t;
  }
  #isWindowLate(w: Window): boolean {
    return this.#eventTime && this.#cleanupTime(w) <= this.currentWatermark;
  }
  #isElementLate(ts: number | undefined): boolean {
    return this.#eventTime && ts !== undefined && ts + this.#lateness <= this.currentWatermark;
  }
  #registerCleanupTimer(w: Window): void {
    const t = this.#cleanupTime(w);
    if (t === MAX_WATERMARK) return;
    if (this.#eventTime) this.#timers.registerEventTimeTimer(w.id, t);
    else this.#timers.registerProcessingTimeTimer(w.id, t);
  }
  #deleteCleanupTimer(w: Window): void {
    const t = this.#cleanupTime(w);
    if (t === MAX_WATERMARK) return;
    if (this.#eventTime) this.#timers.deleteEventTimeTimer(w.id, t);
    else this.#timers.deleteProcessingTimeTimer(w.id, t);
  }
  #late(value: unknown, ts: number | undefined): void {
    if (!this.#isElementLate(ts)) return;
    if (this.#lateTag !== undefined) this.collector.addSide(this.#lateTag, value, ts);
    else this.numLateRecordsDropped++;
  }

  /** @internal A state handle for `descriptor` in `namespace` (trigger, window and merge state). */
  stateIn<S>(descriptor: StateDescriptor, namespace: string): S {
    let h = this.#handles.get(descriptor.name);
    if (h === undefined || h.descriptor !== descriptor) {
      h = this.#backend.getOrCreateKeyedState(descriptor);
      this.#handles.set(descriptor.name, h);
    }
    h.setCurrentNamespace(namespace);
    return h as S;
  }
  /** @internal */
  get timers(): InternalTimerService {
    return this.#timers;
  }
  /** @internal */
  get watermark(): number {
    return this.currentWatermark;
  }
  /** @internal */
  now(): number {
    return this.processingTime.now();
  }
  /** @internal The RuntimeContext's keyed state (the key's global state). */
  get globalState(): KeyedStateStore {
    return this.runtime;
  }
  /** @internal */
  emit(value: unknown, timestamp: number): void {
    this.collector.add(value, timestamp);
  }
  /** @internal */
  emitSide(tag: OutputTag<unknown>, value: unknown, timestamp: number): void {
    this.collector.addSide(tag.id, value, timestamp);
  }

  /** Evaluates `window` with the pre-aggregated result or the element list, emitting downstream. */
  #evaluate(window: Window, elements: readonly unknown[]): void {
    const ts = window.maxTimestamp();
    if (this.#process === undefined) {
      for (const e of elements) this.collector.add(e, ts);
      return;
    }
    this.#processContext.current = window;
    this.#out.timestamp = ts;
    this.#process.process(this.#backend.getCurrentKey(), this.#processContext, elements, this.#out);
  }
  #clearProcessState(window: Window): void {
    if (this.#process?.clear === undefined) return;
    this.#processContext.current = window;
    this.#process.clear(this.#processContext);
  }

  // ---- sliced path ----------------------------------------------------------------------------

  #sliceFunctions(): { add(acc: unknown, v: unknown): unknown; merge(acc: unknown, s: unknown): unknown } {
    const agg = this.#aggregate;
    if (agg !== undefined) {
      return {
        add: (acc, v) => agg.add(v, acc === undefined ? agg.createAccumulator() : acc),
        // A fresh accumulator first: merge may modify its first argument, never a shared slice.
        merge: (acc, s) => agg.merge(acc === undefined ? agg.createAccumulator() : acc, s),
      };
    }
    const reduce = this.#reduce!;
    return {
      add: (acc, v) => (acc === undefined ? v : reduce(acc, v)),
      merge: (acc, s) => (acc === undefined ? s : reduce(acc, s)),
    };
  }

  readonly #sliceContext: SliceContext<unknown> = {
    currentWatermark: () => (this.#eventTime ? this.currentWatermark : MIN_WATERMARK),
    getSlice: (start) => {
      this.#sliceState.setCurrentNamespace(start);
      return this.#sliceState.value();
    },
    putSlice: (start, acc) => {
      this.#sliceState.setCurrentNamespace(start);
      this.#sliceState.update(acc);
    },
    removeSlice: (start) => {
      this.#sliceState.setCurrentNamespace(start);
      this.#sliceState.clear();
    },
    registerTimer: (time, kind) => {
      if (this.#eventTime) this.#timers.registerEventTimeTimer(kind, time);
      else this.#timers.registerProcessingTimeTimer(kind, time);
    },
    emit: (window, acc) => {
      const result = this.#aggregate === undefined ? acc : this.#aggregate.getResult(acc);
      this.#evaluate(window, [result]);
    },
    clearWindow: (window) => this.#clearProcessState(window),
  };

  #processSliced(value: unknown, ts: number | undefined): void {
    const t = this.#timestampOf(ts);
    if (!this.#sliced!.processElement(value, t, this.#sliceContext)) this.#late(value, ts);
  }

  // ---- general path ---------------------------------------------------------------------------

  #contentsDescriptor(): StateDescriptor {
    const f = this.#spec.function;
    if (this.#evictor === undefined && f.kind === 'reduce') {
      return { kind: 'reducing', name: CONTENTS, reduce: this.#reduce! };
    }
    if (this.#evictor === undefined && f.kind === 'aggregate') {
      return { kind: 'aggregating', name: CONTENTS, aggregate: f.aggregate };
    }
    return { kind: 'list', name: CONTENTS };
  }

  #addContent(value: unknown, ts: number | undefined): void {
    const c = this.#contents as unknown as ListState<unknown>;
    if (this.#evictor !== undefined) c.add({ value, timestamp: ts } satisfies TimestampedValue<unknown>);
    else c.add(value);
  }

  /** Whether the (namespaced) contents hold anything. */
  #hasContents(): boolean {
    const c = this.#contents as unknown as ReducingState<unknown>;
    if (this.#contents.descriptor.kind === 'list')
      return (c as unknown as ListState<unknown>).get().length > 0;
    return c.get() !== undefined;
  }

  /** Emits the contents of `window` (contents namespace already set). */
  #emitContents(window: Window): void {
    const kind = this.#contents.descriptor.kind;
    if (kind === 'reducing' || kind === 'aggregating') {
      const r = (this.#contents as unknown as AggregatingState<unknown, unknown>).get();
      this.#evaluate(window, [r]);
      return;
    }
    const list = this.#contents as unknown as ListState<unknown>;
    if (this.#evictor === undefined) {
      this.#evaluate(window, this.#applyFunction(list.get()));
      return;
    }
    // EvictingWindowOperator: evict before, evaluate what is left, evict after, keep the rest.
    const ctx = {
      getCurrentProcessingTime: () => this.now(),
      getCurrentWatermark: () => this.currentWatermark,
    };
    const all = list.get() as readonly TimestampedValue<unknown>[];
    const before = this.#evictor.evictBefore(all, all.length, window, ctx);
    this.#evaluate(window, this.#applyFunction(before.map((e) => e.value)));
    const after = this.#evictor.evictAfter(before, before.length, window, ctx);
    list.update(after);
  }

  /** reduce/aggregate over a list of elements (evictor windows keep elements, not accumulators). */
  #applyFunction(elements: readonly unknown[]): readonly unknown[] {
    const f = this.#spec.function;
    if (f.kind === 'process') return elements;
    if (f.kind === 'aggregate') {
      let acc = f.aggregate.createAccumulator();
      for (const e of elements) acc = f.aggregate.add(e, acc);
      return [f.aggregate.getResult(acc)];
    }
    if (elements.length === 0) return elements;
    const reduce = this.#reduce!;
    let r = elements[0];
    for (let i = 1; i < elements.length; i++) r = reduce(r, elements[i]);
    return [r];
  }

  #onElement(value: unknown, ts: number | undefined, t: number, window: Window, stateWindow: Window): void {
    this.#contents.setCurrentNamespace(stateWindow.id);
    this.#addContent(value, ts);
    this.#triggerContext.window = window;
    // Triggers see the record's own timestamp when it has one (Flink passes element.getTimestamp()).
    const r = this.#trigger.onElement(value, ts ?? t, window, this.#triggerContext);
    if (isFire(r)) {
      this.#contents.setCurrentNamespace(stateWindow.id);
      if (!this.#hasContents()) return;
      this.#emitContents(window);
    }
    if (isPurge(r)) {
      this.#contents.setCurrentNamespace(stateWindow.id);
      this.#contents.clear();
    }
    this.#registerCleanupTimer(window);
  }

  #processElement(value: unknown, ts: number | undefined): void {
    const t = this.#timestampOf(ts);
    const windows = this.#assigner.assignWindows(value, t, this.#assignerContext);
    let skipped = true;
    for (const w of windows) {
      if (this.#isWindowLate(w)) continue;
      skipped = false;
      this.#onElement(value, ts, t, w, w);
    }
    if (skipped) this.#late(value, ts);
  }

  #loadMergingWindows(assigner: MergingWindowAssigner<unknown, Window>): MergingWindowSet<Window> {
    const persisted = this.#mergingState.value() as readonly (readonly [string, string])[] | undefined;
    return new MergingWindowSet(
      assigner,
      (persisted ?? []).map(([w, s]) => [windowFromId(w), windowFromId(s)] as const),
    );
  }
  #persistMergingWindows(set: MergingWindowSet<Window>): void {
    if (!set.isDirty()) return;
    this.#mergingState.setCurrentNamespace(0);
    if (set.size === 0) this.#mergingState.clear();
    else this.#mergingState.update(set.entries().map(([w, s]) => [w.id, s.id]));
    set.markPersisted();
  }

  #processMerging(
    value: unknown,
    ts: number | undefined,
    assigner: MergingWindowAssigner<unknown, Window>,
  ): void {
    const t = this.#timestampOf(ts);
    const windows = this.#assigner.assignWindows(value, t, this.#assignerContext);
    this.#mergingState.setCurrentNamespace(0);
    const set = this.#loadMergingWindows(assigner);
    let skipped = true;
    for (const w of windows) {
      const actual = set.addWindow(w, (result, merged, stateResult, mergedStateWindows) => {
        if (this.#eventTime && result.maxTimestamp() + this.#lateness <= this.currentWatermark) {
          throw new Error(
            `merging made event-time window ${String(result)} end before the watermark ${this.currentWatermark}`,
          );
        }
        if (!this.#eventTime && result.maxTimestamp() <= this.now()) {
          throw new Error(`merging made processing-time window ${String(result)} end in the past`);
        }
        this.#triggerContext.window = result;
        this.#triggerContext.mergedWindows = merged;
        this.#trigger.onMerge?.(result, this.#triggerContext);
        for (const m of merged) {
          this.#triggerContext.window = m;
          this.#trigger.clear(m, this.#triggerContext);
          this.#deleteCleanupTimer(m);
        }
        this.#contents.mergeNamespaces(
          stateResult.id,
          mergedStateWindows.map((s) => s.id),
        );
      });
      if (this.#isWindowLate(actual)) {
        set.retireWindow(actual);
        continue;
      }
      skipped = false;
      const stateWindow = set.getStateWindow(actual);
      if (stateWindow === undefined)
        throw new Error(`window ${String(actual)} is not in the in-flight window set`);
      this.#onElement(value, ts, t, actual, stateWindow);
    }
    this.#persistMergingWindows(set);
    if (skipped) this.#late(value, ts);
  }

  #onTimer(timer: Timer, eventTime: boolean): void {
    if (this.#sliced !== undefined) {
      this.#sliced.onTimer(timer.time, timer.namespace as SliceTimerKind, this.#sliceContext);
      return;
    }
    const window = windowFromId(timer.namespace as string);
    let set: MergingWindowSet<Window> | undefined;
    let stateWindow = window;
    if (this.#merging !== undefined) {
      this.#mergingState.setCurrentNamespace(0);
      set = this.#loadMergingWindows(this.#merging);
      const s = set.getStateWindow(window);
      // A timer of a window already merged away or cleaned (a trigger that left timers): nothing to do.
      if (s === undefined) return;
      stateWindow = s;
    }
    this.#triggerContext.window = window;
    const r: TriggerResult = eventTime
      ? this.#trigger.onEventTime(timer.time, window, this.#triggerContext)
      : this.#trigger.onProcessingTime(timer.time, window, this.#triggerContext);
    this.#contents.setCurrentNamespace(stateWindow.id);
    if (isFire(r) && this.#hasContents()) this.#emitContents(window);
    if (isPurge(r)) {
      this.#contents.setCurrentNamespace(stateWindow.id);
      this.#contents.clear();
    }
    if (this.#eventTime === eventTime && timer.time === this.#cleanupTime(window)) {
      this.#clearAllState(window, stateWindow, set);
    }
    if (set !== undefined) this.#persistMergingWindows(set);
  }

  #clearAllState(window: Window, stateWindow: Window, set: MergingWindowSet<Window> | undefined): void {
    this.#contents.setCurrentNamespace(stateWindow.id);
    this.#contents.clear();
    this.#triggerContext.window = window;
    this.#trigger.clear(window, this.#triggerContext);
    this.#clearProcessState(window);
    set?.retireWindow(window);
  }

  onEventTime(timer: Timer): void {
    this.#onTimer(timer, true);
  }
  onProcessingTime(timer: Timer): void {
    this.#onTimer(timer, false);
  }
}

/** The trigger's view of the operator for the current key and window. */
class WindowTriggerContext implements OnMergeContext {
  readonly #op: WindowOperator;
  window: Window = GlobalWindow.get();
  mergedWindows: readonly Window[] = [];
  constructor(op: WindowOperator) {
    this.#op = op;
  }
  getCurrentProcessingTime(): number {
    return this.#op.now();
  }
  getCurrentWatermark(): number {
    return this.#op.watermark;
  }
  registerProcessingTimeTimer(time: number): void {
    this.#op.timers.registerProcessingTimeTimer(this.window.id, time);
  }
  registerEventTimeTimer(time: number): void {
    this.#op.timers.registerEventTimeTimer(this.window.id, time);
  }
  deleteProcessingTimeTimer(time: number): void {
    this.#op.timers.deleteProcessingTimeTimer(this.window.id, time);
  }
  deleteEventTimeTimer(time: number): void {
    this.#op.timers.deleteEventTimeTimer(this.window.id, time);
  }
  getState<T>(d: ValueStateDescriptor<T>): ValueState<T> {
    return this.#op.stateIn(d, this.window.id);
  }
  getListState<T>(d: ListStateDescriptor<T>): ListState<T> {
    return this.#op.stateIn(d, this.window.id);
  }
  getMapState<UK, UV>(d: MapStateDescriptor<UK, UV>): MapState<UK, UV> {
    return this.#op.stateIn(d, this.window.id);
  }
  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.#op.stateIn(d, this.window.id);
  }
  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    return this.#op.stateIn(d, this.window.id);
  }
  mergePartitionedState(descriptor: StateDescriptor): void {
    const h = this.#op.stateIn<InternalKvState>(descriptor, this.window.id);
    h.mergeNamespaces(
      this.window.id,
      this.mergedWindows.map((w) => w.id),
    );
  }
}

/** Per-window state for a ProcessWindowFunction: the current window is the namespace. */
class WindowStateStore implements KeyedStateStore {
  readonly #op: WindowOperator;
  readonly #ctx: WindowProcessContext;
  constructor(op: WindowOperator, ctx: WindowProcessContext) {
    this.#op = op;
    this.#ctx = ctx;
  }
  getState<T>(d: ValueStateDescriptor<T>): ValueState<T> {
    return this.#op.stateIn(d, this.#ctx.current.id);
  }
  getListState<T>(d: ListStateDescriptor<T>): ListState<T> {
    return this.#op.stateIn(d, this.#ctx.current.id);
  }
  getMapState<UK, UV>(d: MapStateDescriptor<UK, UV>): MapState<UK, UV> {
    return this.#op.stateIn(d, this.#ctx.current.id);
  }
  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.#op.stateIn(d, this.#ctx.current.id);
  }
  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    return this.#op.stateIn(d, this.#ctx.current.id);
  }
}

/** The context of ProcessWindowFunction.process and clear. */
class WindowProcessContext implements ProcessWindowFunctionContext<Window> {
  readonly #op: WindowOperator;
  /** The window being evaluated or cleared. */
  current: Window = GlobalWindow.get();
  readonly #windowState: WindowStateStore;
  constructor(op: WindowOperator) {
    this.#op = op;
    this.#windowState = new WindowStateStore(op, this);
  }
  window(): Window {
    return this.current;
  }
  currentProcessingTime(): number {
    return this.#op.now();
  }
  currentWatermark(): number {
    return this.#op.watermark;
  }
  windowState(): KeyedStateStore {
    return this.#windowState;
  }
  globalState(): KeyedStateStore {
    return this.#op.globalState;
  }
  output<X>(tag: OutputTag<X>, value: X): void {
    this.#op.emitSide(tag, value, this.current.maxTimestamp());
  }
}

/** Emits with the timestamp of the window being evaluated (Flink's TimestampedCollector). */
class TimestampedCollector implements Collector<unknown> {
  readonly #op: WindowOperator;
  timestamp = 0;
  constructor(op: WindowOperator) {
    this.#op = op;
  }
  collect(value: unknown): void {
    this.#op.emit(value, this.timestamp);
  }
}
