// Runs a SinkWriter at the end of a chain. Watermarks end here.
import type { Sink, SinkWriter, SinkWriterContext } from '@eddy/api';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import type { OperatorContext } from './stream-operator.ts';
import type { OperatorSnapshot } from '../checkpointing/operator-snapshot.ts';

/** Writes batches with the sink's writer. */
export class SinkOperator extends AbstractStreamOperator {
  readonly #sink: Sink<unknown>;
  readonly #context: (runtime: OperatorContext['runtime']) => SinkWriterContext;
  #writer: SinkWriter<unknown> | undefined;

  constructor(sink: Sink<unknown>, context: (runtime: OperatorContext['runtime']) => SinkWriterContext) {
    super();
    this.#sink = sink;
    this.#context = context;
  }
  override async open(ctx: OperatorContext): Promise<void> {
    this.setup(ctx);
    const restore = ctx.restore;
    this.#writer = this.#sink.createWriter({
      ...this.#context(ctx.runtime),
      ...(restore === undefined
        ? {}
        : { restoredState: restore.writerState, restoredStates: restore.writerStates }),
    });
    await this.#writer.open?.();
  }
  processBatch(batch: readonly unknown[]): void | Promise<void> {
    return this.#writer?.write(batch);
  }
  override processWatermark(watermark: number): void {
    this.currentWatermark = watermark;
  }
  override processWatermarkStatus(): void {}
  /** The writer pre-commits at the barrier; its state travels with the checkpoint. */
  override snapshotState(checkpointId: number): OperatorSnapshot | Promise<OperatorSnapshot> {
    const writer = this.#writer?.snapshotState?.(checkpointId);
    const base = super.snapshotState(checkpointId);
    const add = (b: OperatorSnapshot): OperatorSnapshot => (writer === undefined ? b : { ...b, writer });
    return base instanceof Promise ? base.then(add) : add(base);
  }
  override notifyCheckpointComplete(checkpointId: number): void | Promise<void> {
    return this.#writer?.notifyCheckpointComplete?.(checkpointId);
  }
  override async endInput(): Promise<void> {
    await this.#writer?.finish?.();
  }
  override async close(): Promise<void> {
    await super.close();
    const w = this.#writer;
    this.#writer = undefined;
    await w?.close?.();
  }
}
