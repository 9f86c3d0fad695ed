// Benchmark job: --records N numbers, keyed by x mod --keys K and shuffled by key group to a
// counting operator, which prints one total per subtask at the end (so the sink costs nothing).
import { defineJob, type Collector, type ProcessContext, type ProcessFunction } from '@eddy/api';

interface Keyed {
  key: number;
  value: number;
}

class Count implements ProcessFunction<Keyed, string> {
  #n = 0;
  processElement(): void {
    this.#n++;
  }
  endInput(ctx: ProcessContext, out: Collector<string>): void {
    out.collect(`subtask ${ctx.runtime.subtaskIndex} counted ${this.#n}`);
  }
}

export default defineJob((env, args) => {
  const records = args.number('records');
  const keys = args.number('keys', 10_000);
  env.setJobName('bench-keyed-shuffle');
  env
    .fromSequence(1, records)
    .map((x): Keyed => ({ key: x % keys, value: x }))
    .keyBy((r) => r.key)
    .process(new Count())
    .print();
});
