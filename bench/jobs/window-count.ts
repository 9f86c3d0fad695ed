// Benchmark job: --records N events (key = i mod --keys, event time = i / --per-ms ms) generated
// at parallelism 2 with bounded out-of-orderness watermarks, shuffled by key to a window count:
// tumbling --size ms, or sliding --size/--slide ms. Each window subtask prints how many firings it
// emitted and their total count at the end.
import {
  NumberSequenceSource,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  defineJob,
  type AggregateFunction,
  type Collector,
  type ProcessContext,
  type ProcessFunction,
  type TimeWindow,
  type WindowAssigner,
} from '@eddy/api';

const COUNT: AggregateFunction<number, number, number> = {
  createAccumulator: () => 0,
  add: (_v, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

class Totals implements ProcessFunction<number, string> {
  #firings = 0;
  #sum = 0;
  processElement(count: number): void {
    this.#firings++;
    this.#sum += count;
  }
  endInput(ctx: ProcessContext, out: Collector<string>): void {
    out.collect(`subtask ${ctx.runtime.subtaskIndex}: ${this.#firings} firings, ${this.#sum} counted`);
  }
}

export default defineJob((env, args) => {
  const records = args.number('records');
  const keys = args.number('keys', 10_000);
  const perMs = args.number('per-ms', 100);
  const size = args.number('size', 10_000);
  const assigner: WindowAssigner<unknown, TimeWindow> = args.has('slide')
    ? SlidingEventTimeWindows.of(size, args.number('slide'))
    : TumblingEventTimeWindows.of(size);
  env.setJobName(`bench-window-${args.has('slide') ? 'sliding' : 'tumbling'}`);
  env
    .fromSource(
      new NumberSequenceSource(0, records - 1),
      WatermarkStrategy.forBoundedOutOfOrderness<number>(1000).withTimestampAssigner((i) =>
        Math.floor(i / perMs),
      ),
      'Events',
    )
    .keyBy((i) => i % keys)
    .window(assigner as WindowAssigner<number, TimeWindow>)
    .aggregate(COUNT)
    .name('Window Count')
    .process(new Totals())
    .print();
});
