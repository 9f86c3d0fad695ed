// Half of a job pair for savepoint tests (see counting-ticks-without-counter.ts): an unbounded
// source of numbers ('ticks', its position checkpointed) keyed into a per-key counter with state
// (uid 'counter') and a discarding sink. Checkpoints go to --checkpoint-dir.
import {
  StateDescriptors,
  defineJob,
  type Collector,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type RuntimeContext,
  type ValueState,
} from '@eddy/api';
import { DiscardingSink, TickSource } from './tick-source.ts';

class CountPerKey implements KeyedProcessFunction<number, number, string> {
  #count!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.#count = ctx.getState(StateDescriptors.value<number>('count'));
  }
  processElement(n: number, ctx: KeyedProcessContext<number>, out: Collector<string>): void {
    const c = (this.#count.value() ?? 0) + 1;
    this.#count.update(c);
    out.collect(`${ctx.getCurrentKey()}:${c}:${n}`);
  }
}

export default defineJob((env, args) => {
  env.setJobName('counting-ticks');
  env.enableCheckpointing(args.number('checkpoint-interval', 500), 'exactly-once', {
    storage: args.required('checkpoint-dir'),
  });
  env
    .fromSource(new TickSource(), 'Ticks')
    .uid('ticks')
    .keyBy((n) => n % 4)
    .process(new CountPerKey())
    .uid('counter')
    .name('Count Per Key')
    .sinkTo(new DiscardingSink<string>())
    .uid('discard');
});
