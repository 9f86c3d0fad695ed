// Windowed sums with Flink's event-time semantics, a contract checked from outside:
//
//   bin/eddy run -p N examples/windowed-sum.ts -- --input FILE --window-size MS [--slide MS | --session-gap MS]
//       --out-of-orderness MS --allowed-lateness MS --output PATH --late-output PATH
//
// Input: CSV lines `timestampMs,key,value` (value an integer), read in file order at parallelism 1.
// Watermarks are punctuated: after every record, (largest timestamp so far) - out-of-orderness - 1.
// Windows: tumbling of --window-size, sliding with --slide, or sessions with --session-gap; the
// window operator runs at -p and is keyed by `key`. EventTimeTrigger: a window [start, end) fires
// when the watermark reaches end - 1, and again for every record that arrives within the allowed
// lateness (late firings). A record is dropped as late when every window it belongs to has
// end - 1 + allowed lateness <= watermark; dropped records go to --late-output as their input line.
// End of input advances the watermark to +infinity, firing everything still open.
// Output: one line `windowStart,windowEnd,key,sum,count` per firing, in no particular order.
//
// Sums are exact (BigInt). Blank lines are skipped, and so is a first line whose timestamp is not a
// number (a header); any other malformed line fails the job with an error naming the line.
import {
  EventTimeSessionWindows,
  OutputTag,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  defineJob,
  type AggregateFunction,
  type Collector,
  type ProcessWindowFunction,
  type ProcessWindowFunctionContext,
  type TimeWindow,
  type WatermarkGenerator,
  type WatermarkOutput,
  type WindowAssigner,
} from '@eddy/api';

interface Event {
  readonly ts: number;
  readonly key: string;
  /** The value as written (exact integer text). */
  readonly value: string;
  /** The input line, for the late output. */
  readonly line: string;
}

const LATE = new OutputTag<Event>('late');
const INTEGER = /^[+-]?\d+$/;

/** Parses one line; undefined for lines to skip (blank, or a header in the first line). */
function parse(line: string, first: boolean): Event | undefined {
  if (line.trim() === '') return undefined;
  const a = line.indexOf(',');
  const b = line.lastIndexOf(',');
  const tsText = a < 0 ? line : line.slice(0, a).trim();
  if (first && !INTEGER.test(tsText)) return undefined;
  const value = b > a ? line.slice(b + 1).trim() : '';
  if (a < 0 || b <= a || !INTEGER.test(tsText) || !INTEGER.test(value)) {
    throw new Error(
      `malformed input line '${line}': expected 'timestampMs,key,value' with integer timestamp and value`,
    );
  }
  return { ts: Number(tsText), key: line.slice(a + 1, b), value, line };
}

/** Punctuated: after every record, max timestamp - out-of-orderness - 1. */
class PunctuatedBoundedOutOfOrderness implements WatermarkGenerator<Event> {
  #max = Number.MIN_SAFE_INTEGER;
  readonly #bound: number;
  constructor(bound: number) {
    this.#bound = bound;
  }
  onEvent(_e: Event, timestamp: number, output: WatermarkOutput): void {
    if (timestamp > this.#max) this.#max = timestamp;
    output.emitWatermark(this.#max - this.#bound - 1);
  }
  onPeriodicEmit(): void {}
}

interface Acc {
  sum: bigint;
  count: number;
}

const SUM_COUNT: AggregateFunction<Event, Acc, Acc> = {
  createAccumulator: () => ({ sum: 0n, count: 0 }),
  add: (e, acc) => ({ sum: acc.sum + BigInt(e.value), count: acc.count + 1 }),
  getResult: (acc) => acc,
  merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
};

class FormatFiring implements ProcessWindowFunction<Acc, string, string, TimeWindow> {
  process(
    key: string,
    ctx: ProcessWindowFunctionContext<TimeWindow>,
    elements: readonly Acc[],
    out: Collector<string>,
  ): void {
    const w = ctx.window();
    for (const acc of elements) out.collect(`${w.start},${w.end},${key},${acc.sum},${acc.count}`);
  }
}

/** A non-negative integer argument in milliseconds. */
function millis(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`--${name} must be a non-negative integer (ms), got ${value}`);
  return value;
}

export default defineJob((env, args) => {
  const outOfOrderness = millis('out-of-orderness', args.number('out-of-orderness', 0));
  const lateness = millis('allowed-lateness', args.number('allowed-lateness', 0));
  let assigner: WindowAssigner<unknown, TimeWindow>;
  if (args.has('session-gap')) {
    assigner = EventTimeSessionWindows.withGap(millis('session-gap', args.number('session-gap')));
  } else {
    const size = millis('window-size', args.number('window-size'));
    assigner = args.has('slide')
      ? SlidingEventTimeWindows.of(size, millis('slide', args.number('slide')))
      : TumblingEventTimeWindows.of(size);
  }
  env.setJobName('windowed-sum');

  let first = true;
  const events = env
    .readTextFile(args.required('input'))
    .setParallelism(1)
    .flatMap<Event>((line, out) => {
      const e = parse(line, first);
      first = false;
      if (e !== undefined) out.collect(e);
    })
    .name('Parse')
    .setParallelism(1)
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forGenerator<Event>(
        () => new PunctuatedBoundedOutOfOrderness(outOfOrderness),
        'punctuated',
      ).withTimestampAssigner((e) => e.ts),
    )
    .setParallelism(1);

  const sums = events
    .keyBy((e) => e.key)
    .window(assigner as WindowAssigner<Event, TimeWindow>)
    .allowedLateness(lateness)
    .sideOutputLateData(LATE)
    .aggregate(SUM_COUNT, new FormatFiring())
    .name('Window Sum');

  sums.writeAsText(args.required('output')).setParallelism(1);
  sums
    .getSideOutput(LATE)
    .map((e) => e.line)
    .name('Late Lines')
    .writeAsText(args.required('late-output'))
    .setParallelism(1);
});
