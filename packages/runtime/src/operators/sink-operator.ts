// Runs a SinkWriter at the end of a chain.
import type { Sink, SinkWriter, SinkWriterContext } from '@eddy/api';
import type { OperatorContext, StreamOperator } from './stream-operator.ts';

/** Writes batches with the sink's writer. */
export class SinkOperator implements StreamOperator {
  readonly #sink: Sink<unknown>;
  readonly #context: (runtime: OperatorContext['runtime']) => SinkWriterContext;
  #writer: SinkWriter<unknown> | undefined;

  constructor(sink: Sink<unknown>, context: (runtime: OperatorContext['runtime']) => SinkWriterContext) {
    this.#sink = sink;
    this.#context = context;
  }
  async open(ctx: OperatorContext): Promise<void> {
    this.#writer = this.#sink.createWriter(this.#context(ctx.runtime));
    await this.#writer.open?.();
  }
  processBatch(batch: readonly unknown[]): void | Promise<void> {
    return this.#writer?.write(batch);
  }
  async endInput(): Promise<void> {
    await this.#writer?.finish?.();
  }
  async close(): Promise<void> {
    const w = this.#writer;
    this.#writer = undefined;
    await w?.close?.();
  }
}
