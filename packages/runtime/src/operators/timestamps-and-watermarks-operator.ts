// assignTimestampsAndWatermarks(strategy) in the middle of a stream: records get new timestamps, and
// the strategy's watermarks replace the ones from upstream (which are dropped, as in Flink), except
// the final +infinity watermark at end of input, which always passes.
import { MAX_WATERMARK, type WatermarkStrategy } from '@eddy/api';
import { WatermarkEmitter } from '../watermark-emitter.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import type { OperatorContext, Timestamps } from './stream-operator.ts';

/** Assigns timestamps and generates watermarks. */
export class TimestampsAndWatermarksOperator extends AbstractStreamOperator {
  readonly #strategy: WatermarkStrategy<unknown>;
  readonly #interval: number;
  #emitter!: WatermarkEmitter;

  constructor(strategy: WatermarkStrategy<unknown>, autoWatermarkInterval: number) {
    super();
    this.#strategy = strategy;
    this.#interval = autoWatermarkInterval;
  }
  override open(ctx: OperatorContext): void {
    this.setup(ctx);
    this.#emitter = new WatermarkEmitter(this.#strategy, this.output, this.processingTime, this.#interval);
    this.#emitter.start();
  }
  processBatch(batch: readonly unknown[], timestamps: Timestamps): void | Promise<void> {
    return this.#emitter.emitBatch(batch, timestamps);
  }
  override processWatermark(watermark: number): void | Promise<void> {
    if (watermark === MAX_WATERMARK) return this.output.emitWatermark(MAX_WATERMARK);
    return undefined;
  }
  override processWatermarkStatus(): void {}
  override close(): void | Promise<void> {
    this.#emitter.close();
    return super.close();
  }
}
