// StreamTask: runs one subtask. Its loop is the task's single thread of control: it drains the
// mailbox, then processes one batch from the source or the input gates, then checks output
// availability. Nothing else touches operator state. Time is accounted as Flink does it: busy
// (processing), idle (waiting for input), backpressured (waiting for output credit).
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  MAX_WATERMARK,
  type JobGraph,
  type JobVertex,
  type SourceTransformation,
  type Transformation,
} from '@eddy/api';
import { EddyError, systemClock, type Clock, type Logger } from '@eddy/common';
import type { TaskDeploymentDescriptor } from './deployment.ts';
import type { InputGate, ResultPartitionWriter, ShuffleEnvironment } from './io.ts';
import { TaskMailbox } from './mailbox.ts';
import { OperatorChain, operatorError } from './operator-chain.ts';
import { TaskMetrics } from './task-metrics.ts';
import { SystemProcessingTimeService } from './timers/processing-time-service.ts';
import { StatusWatermarkValve } from './watermark-valve.ts';
import { WatermarkEmitter } from './watermark-emitter.ts';
import { BarrierAligner, type AlignerAction } from './checkpointing/barrier-aligner.ts';
import type { Output } from './operators/stream-operator.ts';
import type { OperatorRestore, OperatorSnapshot } from './checkpointing/operator-snapshot.ts';
import type { ChainContext } from './operator-chain.ts';
import type { CheckpointingMode, SourceReader } from '@eddy/api';

/** Records a source reader is asked for per poll. */
export const SOURCE_BATCH_SIZE = 2048;
/** Longest stretch of busy work before the task yields to I/O (gRPC, timers), in ms. */
const TIME_SLICE_MS = 5;

/** Everything a StreamTask needs. */
export interface StreamTaskOptions {
  readonly descriptor: TaskDeploymentDescriptor;
  readonly graph: JobGraph;
  readonly transformations: ReadonlyMap<number, Transformation>;
  readonly shuffle: ShuffleEnvironment;
  readonly logger: Logger;
  readonly reportCollected: (sinkUid: string, records: readonly unknown[]) => Promise<void>;
  /** Wall-clock time of processing-time timers (default: the system clock). */
  readonly clock?: Clock;
  /** Checkpointing, when the job enables it. */
  readonly checkpointing?: TaskCheckpointing;
  /** What each operator (by uid) restores from, when the job restored. */
  readonly restore?: ReadonlyMap<string, OperatorRestore>;
  /** Creates keyed state backends (default: heap). */
  readonly createKeyedBackend?: ChainContext['createKeyedBackend'];
}

/** How a task takes part in checkpoints. */
export interface TaskCheckpointing {
  readonly mode: CheckpointingMode;
  /**
   * Called on the task thread right after the synchronous part of checkpoint `checkpointId`: the
   * state of every operator (by uid). Writing it to storage and acknowledging happen elsewhere,
   * while the task goes on.
   */
  onSnapshot(
    checkpointId: number,
    snapshots: Map<string, OperatorSnapshot>,
    metrics: { syncMs: number; alignmentMs: number },
    options: CheckpointOptions,
  ): void;
  /** The task could not take checkpoint `checkpointId`. */
  onDecline(checkpointId: number, error: EddyError): void;
}

/** A checkpoint or a savepoint (whose state goes to `target`). */
export interface CheckpointOptions {
  readonly kind: 'checkpoint' | 'savepoint';
  readonly target?: string;
  /**
   * Stop with drain (savepoints only): a source first emits the +infinity watermark, so every
   * event-time timer and window fires before the snapshot, and stops reading after the barrier.
   */
  readonly drain?: boolean;
}

/** The barrier of checkpoint `id`, in-band in its own frame. */
interface BarrierPayload {
  readonly id: number;
  readonly timestamp: number;
  readonly options: CheckpointOptions;
}

/** How a task ended when it did not fail. */
export type TaskOutcome = 'finished' | 'canceled';

const CANCELED = Symbol('canceled');

/** Runs one subtask of a vertex. */
export class StreamTask {
  readonly metrics = new TaskMetrics();
  readonly mailbox = new TaskMailbox();
  readonly #options: StreamTaskOptions;
  readonly #vertex: JobVertex;
  readonly #abort = new AbortController();
  /** Resolves the current wait with CANCELED; replaced per wait so waits never pile up reactions. */
  #wakeOnCancel: ((v: typeof CANCELED) => void) | undefined;
  #writers: ResultPartitionWriter[] = [];
  readonly #processingTime: SystemProcessingTimeService;
  #gates: InputGate[] = [];

  constructor(options: StreamTaskOptions) {
    this.#options = options;
    const vertex = options.graph.vertices.find((v) => v.id === options.descriptor.vertexId);
    if (vertex === undefined) {
      throw new EddyError(
        'JOB_GRAPH_MISMATCH',
        `the job graph has no vertex ${options.descriptor.vertexId}`,
        { domain: 'user' },
      );
    }
    this.#vertex = vertex;
    this.#processingTime = new SystemProcessingTimeService(options.clock ?? systemClock, this.mailbox);
  }

  #chain: OperatorChain | undefined;
  /**
   * Set by a stop-with-drain savepoint: the source reads no further, and finishes once that
   * savepoint completes (finishing earlier would abort it: every task must still acknowledge).
   */
  #drainCheckpoint: number | undefined;
  #drainCompleted = false;
  #reader: SourceReader<unknown> | undefined;
  #running = false;

  /**
   * Takes checkpoint `id` at a source task: posted to the mailbox, so it runs between two batches.
   * Declines when the task is not running a source (yet, or any more).
   */
  triggerCheckpoint(
    id: number,
    timestamp: number,
    options: CheckpointOptions = { kind: 'checkpoint' },
  ): void {
    this.mailbox.put({
      description: `checkpoint ${id}`,
      run: () => {
        const chain = this.#chain;
        if (!this.#running || chain === undefined || this.#reader === undefined) {
          this.#options.checkpointing?.onDecline(
            id,
            new EddyError(
              'CHECKPOINT_DECLINED_TASK_NOT_READY',
              `the source task is not running, so it cannot take checkpoint ${id}`,
              {
                retryable: true,
              },
            ),
          );
          return undefined;
        }
        if (options.drain !== true)
          return this.#performCheckpoint(chain, id, timestamp, options, 0, this.#reader);
        const reader = this.#reader;
        return (async () => {
          const w = chain.input.emitWatermark(MAX_WATERMARK);
          if (w !== undefined) await w;
          await this.#performCheckpoint(chain, id, timestamp, options, 0, reader);
          this.#drainCheckpoint = id;
        })();
      },
    });
  }

  /** Checkpoint `id` is durable: operators commit (posted to the mailbox). */
  notifyCheckpointComplete(id: number): void {
    this.mailbox.put({
      description: `checkpoint ${id} complete`,
      run: () => {
        if (this.#drainCheckpoint !== undefined && id >= this.#drainCheckpoint) this.#drainCompleted = true;
        return this.#chain?.notifyCheckpointComplete(id);
      },
    });
  }

  /** Snapshots the chain (and the source reader), forwards the barrier, hands the state on. */
  async #performCheckpoint(
    chain: OperatorChain,
    id: number,
    timestamp: number,
    options: CheckpointOptions,
    alignmentMs: number,
    reader: SourceReader<unknown> | undefined,
  ): Promise<void> {
    const cp = this.#options.checkpointing;
    if (cp === undefined) return;
    const t0 = performance.now();
    try {
      const snapshots = await chain.snapshotState(id);
      if (reader !== undefined) {
        const uid = this.#vertex.operators[0]!.uid;
        const position = reader.snapshotState?.(id);
        snapshots.set(uid, {
          ...(snapshots.get(uid) ?? {}),
          ...(position === undefined ? {} : { reader: position }),
        });
      }
      const barrier: BarrierPayload = { id, timestamp, options };
      for (const w of this.#writers) w.broadcastEvent({ kind: 'barrier', payload: barrier });
      cp.onSnapshot(id, snapshots, { syncMs: performance.now() - t0, alignmentMs }, options);
    } catch (err) {
      // The checkpoint fails, not the task: the coordinator decides what failed checkpoints mean.
      cp.onDecline(id, EddyError.from(err, 'CHECKPOINT_FAILED'));
    }
  }

  get canceled(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Asks the task to stop; `run` then resolves with 'canceled'. Safe from anywhere, idempotent. */
  cancel(): void {
    if (this.canceled) return;
    this.#abort.abort();
    this.#wakeOnCancel?.(CANCELED);
    this.mailbox.close();
    this.#processingTime.close();
  }

  /** Runs the task to its end. Rejects with an EddyError naming the operator when it fails. */
  async run(): Promise<TaskOutcome> {
    const { descriptor: d, shuffle, graph } = this.#options;
    const writersByEdge = new Map<string, ResultPartitionWriter>();
    let chain: OperatorChain | undefined;
    try {
      const overrides = graph.bufferTimeout === undefined ? {} : { bufferTimeout: graph.bufferTimeout };
      for (const p of d.producedPartitions) {
        writersByEdge.set(p.edgeId, shuffle.createResultPartition(d.jobId, d.attempt, p, overrides));
      }
      this.#writers = [...writersByEdge.values()];
      this.#gates = [...d.inputGates]
        .sort((a, b) => a.inputIndex - b.inputIndex)
        .map((g) => shuffle.createInputGate(d.jobId, d.attempt, g));
      chain = new OperatorChain({
        descriptor: d,
        graph,
        vertex: this.#vertex,
        transformations: this.#options.transformations,
        writers: writersByEdge,
        metrics: this.metrics,
        reportCollected: this.#options.reportCollected,
        processingTime: this.#processingTime,
        mailbox: this.mailbox,
        restore: this.#options.restore,
        createKeyedBackend: this.#options.createKeyedBackend,
      });
      this.#chain = chain;
      await chain.open();
      this.#running = true;
      const head = this.#options.transformations.get(this.#vertex.operators[0]!.transformationId);
      if (head?.type === 'source') await this.#runSource(chain, head);
      else await this.#runInputs(chain);
      // After its input ended a task takes no further checkpoints (as Flink before FLIP-147).
      this.#running = false;
      if (this.canceled) return this.#stop(chain, 'canceled');
      await this.#race(chain.endInput());
      if (this.canceled) return this.#stop(chain, 'canceled');
      for (const w of this.#writers) w.finish();
      this.#processingTime.close();
      await chain.close();
      for (const g of this.#gates) g.close();
      return 'finished';
    } catch (err) {
      if (this.canceled) return this.#stop(chain, 'canceled');
      this.#processingTime.close();
      for (const w of this.#writers) w.release('the producing task failed');
      for (const g of this.#gates) g.close();
      await chain?.close().catch(() => undefined);
      throw err instanceof EddyError ? err : EddyError.from(err, 'TASK_FAILED');
    }
  }

  async #stop(chain: OperatorChain | undefined, outcome: TaskOutcome): Promise<TaskOutcome> {
    this.#processingTime.close();
    for (const w of this.#writers) w.release('the producing task was canceled');
    for (const g of this.#gates) g.close();
    await chain?.close().catch(() => undefined);
    return outcome;
  }

  /** Awaits `p` unless the task is canceled first. */
  async #race<T>(p: Promise<T> | T): Promise<T | typeof CANCELED> {
    if (!(p instanceof Promise)) return p;
    return Promise.race([p, this.#cancelWait()]);
  }

  #cancelWait(): Promise<typeof CANCELED> {
    if (this.canceled) return Promise.resolve(CANCELED);
    return new Promise((resolve) => (this.#wakeOnCancel = resolve));
  }

  /** Waits while any output lacks credit; the time counts as backpressure. */
  async #awaitOutputs(): Promise<void> {
    for (const w of this.#writers) {
      if (w.isAvailable()) continue;
      const t0 = performance.now();
      await this.#race(w.whenAvailable());
      this.metrics.backpressuredMs += performance.now() - t0;
      if (this.canceled) return;
    }
  }

  /** Runs mails (timers, triggers) on the task thread; awaits those that emit into async sinks. */
  async #drainMailbox(): Promise<void> {
    if (!this.mailbox.hasMail()) return;
    const r = this.mailbox.drain();
    if (r !== undefined) await this.#race(r);
  }

  async #runSource(chain: OperatorChain, t: SourceTransformation): Promise<void> {
    const node = this.#vertex.operators[0]!;
    const subtask = this.#options.descriptor.subtaskIndex;
    const reader = (() => {
      try {
        const restore = this.#options.restore?.get(node.uid);
        return t.source.createReader({
          ...chain.headRuntime(),
          signal: this.#abort.signal,
          ...(restore === undefined
            ? {}
            : { restoredState: restore.readerState, restoredStates: restore.readerStates }),
        });
      } catch (err) {
        throw operatorError(node, subtask, 'creating its reader', err);
      }
    })();
    this.#reader = reader;
    const output = chain.input;
    const emitter =
      t.watermarkStrategy === undefined
        ? undefined
        : new WatermarkEmitter(
            t.watermarkStrategy,
            output,
            this.#processingTime,
            this.#options.graph.autoWatermarkInterval ?? 200,
          );
    const m = this.metrics;
    try {
      await reader.start?.();
      emitter?.start();
      let slice = performance.now();
      for (;;) {
        await this.#drainMailbox();
        if (this.canceled) return;
        await this.#awaitOutputs();
        if (this.canceled) return;
        const t0 = performance.now();
        if (this.#drainCheckpoint !== undefined) {
          if (this.#drainCompleted) return;
          await Promise.race([this.mailbox.whenMail(), this.#cancelWait()]);
          continue;
        }
        const batch = reader.pollNext(SOURCE_BATCH_SIZE);
        if (batch === null) break;
        if (batch.length === 0) {
          await Promise.race([reader.isAvailable(), this.mailbox.whenMail(), this.#cancelWait()]);
          const t1 = performance.now();
          m.idleMs += t1 - t0;
          slice = t1;
          continue;
        }
        m.recordsIn += batch.length;
        const r = emitter === undefined ? output.collect(batch) : emitter.emitBatch(batch, undefined);
        if (r !== undefined) await this.#race(r);
        const t1 = performance.now();
        m.busyMs += t1 - t0;
        if (t1 - slice > TIME_SLICE_MS) {
          await yieldToLoop();
          slice = performance.now();
        }
      }
      // The end of a bounded input is the end of event time: every pending timer fires.
      emitter?.close();
      const r = output.emitWatermark(MAX_WATERMARK);
      if (r !== undefined) await this.#race(r);
    } catch (err) {
      throw err instanceof EddyError ? err : operatorError(node, subtask, 'reading', err);
    } finally {
      emitter?.close();
      await Promise.resolve(reader.close?.()).catch(() => undefined);
    }
  }

  async #runInputs(chain: OperatorChain): Promise<void> {
    const gates = this.#gates;
    const inputs: Output[] = this.#options.descriptor.inputGates
      .slice()
      .sort((a, b) => a.inputIndex - b.inputIndex)
      .map((g) => chain.inputFor(g.inputIndex));
    const inputIndexes = this.#options.descriptor.inputGates
      .slice()
      .sort((a, b) => a.inputIndex - b.inputIndex)
      .map((g) => g.inputIndex);
    // One valve over every channel of every gate: the operator's input watermark is the minimum over
    // all of them (for two-input operators, the minimum of both inputs, as Flink combines them).
    const offsets: number[] = [];
    let channels = 0;
    for (const g of gates) {
      offsets.push(channels);
      channels += g.numberOfChannels;
    }
    const valve = new StatusWatermarkValve(channels);
    const head = chain.input;
    const aligner = new BarrierAligner(channels, this.#options.checkpointing?.mode ?? 'exactly-once');
    const gateOf = (channel: number): [number, number] => {
      let g = 0;
      while (g + 1 < offsets.length && offsets[g + 1]! <= channel) g++;
      return [g, channel - offsets[g]!];
    };
    const barrierOptions = new Map<number, CheckpointOptions>();
    const onAlignerAction = async (action: AlignerAction): Promise<void> => {
      if (action.kind === 'block') {
        const [g, c] = gateOf(action.channel);
        gates[g]!.blockChannel(c);
        return;
      }
      for (const gate of gates) gate.unblockAllChannels();
      if (action.kind === 'checkpoint') {
        const options = barrierOptions.get(action.id) ?? { kind: 'checkpoint' };
        barrierOptions.clear();
        await this.#performCheckpoint(
          chain,
          action.id,
          action.timestamp,
          options,
          action.alignmentMs,
          undefined,
        );
      } else
        this.#options.checkpointing?.onDecline(
          action.id,
          new EddyError(
            'CHECKPOINT_SUBSUMED',
            `barrier ${action.id} was overtaken before alignment finished`,
            { retryable: true },
          ),
        );
    };
    const m = this.metrics;
    let slice = performance.now();
    let next = 0;
    for (;;) {
      await this.#drainMailbox();
      if (this.canceled) return;
      await this.#awaitOutputs();
      if (this.canceled) return;
      // Round-robin over gates that are not finished; the first with data wins.
      let element;
      let gateIndex = 0;
      for (let k = 0; k < gates.length && element === undefined; k++) {
        gateIndex = (next + k) % gates.length;
        const g = gates[gateIndex]!;
        if (g.isFinished()) continue;
        element = g.pollNext();
      }
      next = (next + 1) % Math.max(1, gates.length);
      if (element === undefined) {
        if (gates.every((g) => g.isFinished())) return;
        const t0 = performance.now();
        const waits: Promise<unknown>[] = gates.filter((g) => !g.isFinished()).map((g) => g.whenAvailable());
        waits.push(this.#cancelWait(), this.mailbox.whenMail());
        await Promise.race(waits);
        const t1 = performance.now();
        m.idleMs += t1 - t0;
        slice = t1;
        continue;
      }
      const t0 = performance.now();
      let r: void | Promise<void> = undefined;
      if (element.kind === 'event') {
        const channel = offsets[gateIndex]! + element.channel;
        const ev = element.event;
        let out;
        if (ev.kind === 'watermark') out = valve.inputWatermark(channel, ev.payload as number);
        else if (ev.kind === 'watermark-status') out = valve.inputStatus(channel, ev.payload as boolean);
        // A finished channel no longer holds event time back, nor a checkpoint's alignment.
        else if (ev.kind === 'end-of-partition') {
          out = valve.inputWatermark(channel, MAX_WATERMARK);
          for (const a of aligner.onEndOfPartition(channel)) await onAlignerAction(a);
        } else if (ev.kind === 'barrier') {
          const b = ev.payload as BarrierPayload;
          barrierOptions.set(b.id, b.options);
          for (const a of aligner.onBarrier(channel, b.id, b.timestamp, performance.now()))
            await onAlignerAction(a);
        }
        if (out?.idle === false) head.emitWatermarkStatus(false);
        if (out?.watermark !== undefined) r = head.emitWatermark(out.watermark);
        if (out?.idle === true) head.emitWatermarkStatus(true);
      } else {
        m.recordsIn += element.records.length;
        const input = inputIndexes[gateIndex]!;
        const loaded = chain.prefetch(element.records, input);
        if (loaded !== undefined) await this.#race(loaded);
        r = inputs[gateIndex]!.collect(element.records, element.timestamps);
        const flushed = chain.afterBatch();
        if (flushed !== undefined)
          r = r === undefined ? flushed : Promise.all([r, flushed]).then(() => undefined);
      }
      if (r !== undefined) await this.#race(r);
      const t1 = performance.now();
      m.busyMs += t1 - t0;
      if (t1 - slice > TIME_SLICE_MS) {
        await yieldToLoop();
        slice = performance.now();
      }
    }
  }
}
