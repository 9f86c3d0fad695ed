// The operator test harness: runs one operator alone, without a task or a network. Feed records
// with timestamps, watermarks and processing time; read what it emitted, in order, including
// watermarks and side outputs. Exported for job authors, to test their own functions:
//
//   const h = await OperatorTestHarness.forKeyedProcessFunction(new MyFn(), (e) => e.user);
//   await h.processElement({ user: 'a' }, 10);
//   await h.processWatermark(100);
//   assert.deepEqual(h.extractOutputValues(), [...]);
import type {
  BroadcastProcessFunction,
  CoProcessFunction,
  KeyedBroadcastProcessFunction,
  KeyedCoProcessFunction,
  MapStateDescriptor,
  ProcessJoinFunction,
  KeySelector,
  KeyedProcessFunction,
  OutputTag,
  ProcessFunction,
  RuntimeContext,
  StateDescriptor,
} from '@eddy/api';
import { userError } from '@eddy/common';
import { HeapKeyedStateBackend, keyGroupRangeForSubtask } from '@eddy/state';
import { TaskMailbox } from '../mailbox.ts';
import { assignRestore, type OperatorSnapshot } from '../checkpointing/operator-snapshot.ts';
import { ProcessOperator } from '../operators/basic-operators.ts';
import { CoProcessOperator } from '../operators/co-process-operator.ts';
import { BroadcastProcessOperator } from '../operators/broadcast-process-operator.ts';
import { IntervalJoinOperator } from '../operators/interval-join-operator.ts';
import type { Output, StreamOperator, Timestamps } from '../operators/stream-operator.ts';
import { ManualProcessingTimeService } from '../timers/processing-time-service.ts';

/** One thing the operator emitted. */
export type HarnessElement =
  | { readonly kind: 'record'; readonly value: unknown; readonly timestamp: number | undefined }
  | { readonly kind: 'watermark'; readonly watermark: number }
  | { readonly kind: 'watermark-status'; readonly idle: boolean };

/** Options of a harness. */
export interface HarnessOptions {
  /** Key selector per input, for keyed operators. */
  readonly keySelectors?: readonly (KeySelector<unknown, unknown> | undefined)[];
  readonly maxParallelism?: number;
  readonly parallelism?: number;
  readonly subtaskIndex?: number;
  /** Processing time at start (ms). */
  readonly processingTime?: number;
  /**
   * Restore from snapshots this or another harness took (`snapshot()`), as after a failure: keyed
   * state, timers, operator and broadcast state redistributed to this subtask.
   */
  readonly restoreFrom?: readonly OperatorSnapshot[];
}

/** Records everything emitted. */
class RecordingOutput implements Output {
  readonly elements: HarnessElement[] = [];
  readonly sides = new Map<string, { value: unknown; timestamp: number | undefined }[]>();
  collect(batch: readonly unknown[], timestamps?: Timestamps): void {
    for (let i = 0; i < batch.length; i++)
      this.elements.push({ kind: 'record', value: batch[i], timestamp: timestamps?.[i] });
  }
  collectSide(tag: string, batch: readonly unknown[], timestamps?: Timestamps): void {
    let l = this.sides.get(tag);
    if (l === undefined) this.sides.set(tag, (l = []));
    for (let i = 0; i < batch.length; i++) l.push({ value: batch[i], timestamp: timestamps?.[i] });
  }
  emitWatermark(watermark: number): void {
    this.elements.push({ kind: 'watermark', watermark });
  }
  emitWatermarkStatus(idle: boolean): void {
    this.elements.push({ kind: 'watermark-status', idle });
  }
}

/** Drives one operator. */
export class OperatorTestHarness {
  readonly operator: StreamOperator;
  readonly processingTime: ManualProcessingTimeService;
  readonly keyedBackend: HeapKeyedStateBackend | undefined;
  readonly #output = new RecordingOutput();
  readonly #options: HarnessOptions;
  readonly #mailbox = new TaskMailbox();

  constructor(operator: StreamOperator, options: HarnessOptions = {}) {
    this.operator = operator;
    this.#options = options;
    this.processingTime = new ManualProcessingTimeService(options.processingTime ?? 0);
    const maxP = options.maxParallelism ?? 128;
    const keyed = (options.keySelectors ?? []).some((k) => k !== undefined);
    this.keyedBackend = keyed
      ? new HeapKeyedStateBackend(
          maxP,
          keyGroupRangeForSubtask(maxP, options.parallelism ?? 1, options.subtaskIndex ?? 0),
        )
      : undefined;
  }

  /** A harness around a ProcessFunction (not keyed). */
  static async forProcessFunction<I, O>(
    fn: ProcessFunction<I, O>,
    options: HarnessOptions = {},
  ): Promise<OperatorTestHarness> {
    const h = new OperatorTestHarness(new ProcessOperator(fn), options);
    await h.open();
    return h;
  }

  /** A harness around a KeyedProcessFunction, keyed by `key`. */
  static async forKeyedProcessFunction<K, I, O>(
    fn: KeyedProcessFunction<K, I, O>,
    key: KeySelector<I, K>,
    options: HarnessOptions = {},
  ): Promise<OperatorTestHarness> {
    const h = new OperatorTestHarness(new ProcessOperator(fn), {
      ...options,
      keySelectors: [key as KeySelector<unknown, unknown>],
    });
    await h.open();
    return h;
  }

  /**
   * A harness around any two-input operator: feed input 0 with processElement, input 1 with
   * processElement2. Give `keySelectors` (one per input) for a keyed operator.
   */
  static async forTwoInputOperator(
    operator: StreamOperator,
    options: HarnessOptions = {},
  ): Promise<OperatorTestHarness> {
    const h = new OperatorTestHarness(operator, options);
    await h.open();
    return h;
  }

  /** A harness around a CoProcessFunction (not keyed). */
  static forCoProcessFunction<I1, I2, O>(
    fn: CoProcessFunction<I1, I2, O>,
    options: HarnessOptions = {},
  ): Promise<OperatorTestHarness> {
    return OperatorTestHarness.forTwoInputOperator(new CoProcessOperator(fn), options);
  }

  /** A harness around a KeyedCoProcessFunction, inputs keyed by `key1` and `key2`. */
  static forKeyedCoProcessFunction<K, I1, I2, O>(
    fn: KeyedCoProcessFunction<K, I1, I2, O>,
    key1: KeySelector<I1, K>,
    key2: KeySelector<I2, K>,
    options: HarnessOptions = {},
  ): Promise<OperatorTestHarness> {
    return OperatorTestHarness.forTwoInputOperator(new CoProcessOperator(fn), {
      ...options,
      keySelectors: [key1 as KeySelector<unknown, unknown>, key2 as KeySelector<unknown, unknown>],
    });
  }

  /** A harness around a BroadcastProcessFunction; input 1 is the broadcast side. */
  static forBroadcastProcessFunction<I1, I2, O>(
    fn: BroadcastProcessFunction<I1, I2, O>,
    descriptors: readonly MapStateDescriptor<unknown, unknown>[],
    options: HarnessOptions = {},
  ): Promise<OperatorTestHarness> {
    const op = new BroadcastProcessOperator({
      function: fn,
      descriptors,
    });
    return OperatorTestHarness.forTwoInputOperator(op, options);
  }

  /** A harness around a KeyedBroadcastProcessFunction, input 0 keyed by `key`. */
  static forKeyedBroadcastProcessFunction<K, I1, I2, O>(
    fn: KeyedBroadcastProcessFunction<K, I1, I2, O>,
    key: KeySelector<I1, K>,
    descriptors: readonly MapStateDescriptor<unknown, unknown>[],
    options: HarnessOptions = {},
  ): Promise<OperatorTestHarness> {
    const op = new BroadcastProcessOperator({
      function: fn,
      descriptors,
    });
    return OperatorTestHarness.forTwoInputOperator(op, {
      ...options,
      keySelectors: [key as KeySelector<unknown, unknown>, undefined],
    });
  }

  /**
   * A harness around an interval join of inputs keyed by `key1` and `key2`, joining pairs with
   * lowerBound <= right.ts - left.ts <= upperBound (inclusive).
   */
  static forIntervalJoin<K, I1, I2, O>(
    fn: ProcessJoinFunction<I1, I2, O>,
    key1: KeySelector<I1, K>,
    key2: KeySelector<I2, K>,
    bounds: {
      readonly lowerBound: number;
      readonly upperBound: number;
      readonly leftLateDataTag?: OutputTag<I1>;
      readonly rightLateDataTag?: OutputTag<I2>;
    },
    options: HarnessOptions = {},
  ): Promise<OperatorTestHarness> {
    const op = new IntervalJoinOperator({
      function: fn,
      lowerBound: bounds.lowerBound,
      upperBound: bounds.upperBound,
      leftLateDataTag: bounds.leftLateDataTag,
      rightLateDataTag: bounds.rightLateDataTag,
    });
    return OperatorTestHarness.forTwoInputOperator(op, {
      ...options,
      keySelectors: [key1 as KeySelector<unknown, unknown>, key2 as KeySelector<unknown, unknown>],
    });
  }

  /** Opens the operator (the static constructors do this). */
  async open(): Promise<void> {
    const restore =
      this.#options.restoreFrom === undefined
        ? undefined
        : assignRestore(
            this.#options.restoreFrom,
            this.#options.subtaskIndex ?? 0,
            this.#options.parallelism ?? 1,
            this.keyedBackend?.keyGroupRange,
          );
    if (restore !== undefined && this.keyedBackend !== undefined) this.keyedBackend.restore(restore.keyed);
    const o = this.#options;
    const backend = this.keyedBackend;
    const state = <S>(d: StateDescriptor): S => {
      if (backend === undefined)
        throw userError('NOT_KEYED', `state '${d.name}' needs a keyed harness (give keySelectors)`);
      return backend.getOrCreateKeyedState<S>(d);
    };
    const runtime: RuntimeContext = {
      jobId: '0'.repeat(32),
      jobName: 'test',
      taskName: 'test',
      operatorUid: 'test',
      subtaskIndex: o.subtaskIndex ?? 0,
      parallelism: o.parallelism ?? 1,
      maxParallelism: o.maxParallelism ?? 128,
      attempt: 0,
      getState: (d) => state(d as StateDescriptor),
      getListState: (d) => state(d as StateDescriptor),
      getMapState: (d) => state(d as StateDescriptor),
      getReducingState: (d) => state(d as StateDescriptor),
      getAggregatingState: (d) => state(d as StateDescriptor),
    };
    await this.operator.open({
      runtime,
      output: this.#output,
      processingTime: this.processingTime,
      mailbox: this.#mailbox,
      keyedBackend: backend,
      keySelectors: o.keySelectors ?? [],
      restore,
    });
  }

  /** One record on input 0 (or `input`), with an optional timestamp. */
  async processElement(value: unknown, timestamp?: number, input = 0): Promise<void> {
    await this.operator.processBatch([value], timestamp === undefined ? undefined : [timestamp], input);
  }
  /** A record on input 1 of a two-input operator. */
  async processElement2(value: unknown, timestamp?: number): Promise<void> {
    await this.processElement(value, timestamp, 1);
  }
  /** A batch of records. */
  async processBatch(values: readonly unknown[], timestamps?: readonly number[], input = 0): Promise<void> {
    await this.operator.processBatch(values, timestamps, input);
  }
  async processWatermark(watermark: number): Promise<void> {
    await this.operator.processWatermark(watermark);
  }
  /** Moves processing time forward, firing due processing-time timers. */
  async setProcessingTime(time: number): Promise<void> {
    await this.processingTime.advanceTo(time);
  }
  async endInput(): Promise<void> {
    await this.operator.endInput();
  }
  async close(): Promise<void> {
    await this.operator.close();
  }

  /** Everything emitted so far, in order. */
  getOutput(): readonly HarnessElement[] {
    return this.#output.elements;
  }
  /** The values of emitted records, in order. */
  extractOutputValues(): unknown[] {
    return this.#output.elements.flatMap((e) => (e.kind === 'record' ? [e.value] : []));
  }
  /** Emitted records with their timestamps. */
  extractOutputRecords(): { value: unknown; timestamp: number | undefined }[] {
    return this.#output.elements.flatMap((e) =>
      e.kind === 'record' ? [{ value: e.value, timestamp: e.timestamp }] : [],
    );
  }
  /** Emitted watermarks, in order. */
  extractWatermarks(): number[] {
    return this.#output.elements.flatMap((e) => (e.kind === 'watermark' ? [e.watermark] : []));
  }
  /** Records emitted to side output `tag`. */
  getSideOutput<X>(tag: OutputTag<X>): { value: X; timestamp: number | undefined }[] {
    return (this.#output.sides.get(tag.id) ?? []) as { value: X; timestamp: number | undefined }[];
  }
  /** Takes a checkpoint of the operator, as at barrier `checkpointId`. */
  async snapshot(checkpointId = 1): Promise<OperatorSnapshot> {
    return this.operator.snapshotState(checkpointId);
  }

  /** Forgets what was emitted so far. */
  clearOutput(): void {
    this.#output.elements.length = 0;
    this.#output.sides.clear();
  }
}
