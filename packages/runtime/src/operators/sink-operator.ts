// Runs a SinkWriter at the end of a chain. Watermarks end here.
import type { Sink, SinkWriter, SinkWriterContext } from '@eddy/api';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import type { OperatorContext } from './stream-operator.ts';

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
    this.#writer = this.#sink.createWriter(this.#context(ctx.runtime));
    await this.#writer.open?.();
  }
  processBatch(batch: readonly unknown[]): void | Promise<void> {
    return this.#writer?.write(batch);
  }
  override processWatermark(watermark: number): void {
    this.currentWatermark = watermark;
  }
  override processWatermarkStatus(): void {}
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
