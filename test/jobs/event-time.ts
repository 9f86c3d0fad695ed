// Event time end to end: numbers 0..--records-1 as events with timestamp n*10, generated at
// parallelism 2 with bounded out-of-orderness watermarks, keyed by n mod 5 across TaskManagers. A
// KeyedProcessFunction registers an event-time timer at each event's timestamp; when one fires it
// reports the key, the timer time and the watermark at that moment (collect sink 'fired'). Events
// with n divisible by 7 also go to a side output (collect sink 'sevens').
import {
  CollectSink,
  NumberSequenceSource,
  OutputTag,
  WatermarkStrategy,
  defineJob,
  type Collector,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type OnTimerContext,
  type RuntimeContext,
  type StateBackendKind,
  type ValueState,
  StateDescriptors,
} from '@eddy/api';

const SEVENS = new OutputTag<number>('sevens');

class TimerPerEvent implements KeyedProcessFunction<number, number, string> {
  #count!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.#count = ctx.getState(StateDescriptors.value<number>('count', 0));
  }
  processElement(n: number, ctx: KeyedProcessContext<number>): void {
    // Keyed state read and written per event, and read again when the timer fires (which, on the
    // LevelDB backend, needs the timer's key loaded first).
    this.#count.update((this.#count.value() ?? 0) + 1);
    ctx.timerService().registerEventTimeTimer(ctx.timestamp()!);
    if (n % 7 === 0) ctx.output(SEVENS, n);
  }
  onTimer(time: number, ctx: OnTimerContext<number>, out: Collector<string>): void {
    if ((this.#count.value() ?? 0) < 1)
      throw new Error(`no count for key ${ctx.getCurrentKey()} at timer ${time}`);
    out.collect(`${ctx.getCurrentKey()},${time},${ctx.timerService().currentWatermark()},${ctx.timestamp()}`);
  }
}

export default defineJob((env, args) => {
  env.setJobName('event-time');
  if (args.has('state-backend')) env.setStateBackend(args.required('state-backend') as StateBackendKind);
  const records = args.number('records', 10_000);
  // 0: periodic generators emit after every record, so watermarks interleave with the data.
  env.setAutoWatermarkInterval(args.number('watermark-interval', 200));
  const fired = env
    .fromSource(
      new NumberSequenceSource(0, records - 1),
      WatermarkStrategy.forBoundedOutOfOrderness<number>(50).withTimestampAssigner((n) => n * 10),
      'Numbers',
    )
    .keyBy((n) => n % 5)
    .process(new TimerPerEvent())
    .name('Timers');
  fired.sinkTo(new CollectSink<string>()).uid('fired');
  fired.getSideOutput(SEVENS).sinkTo(new CollectSink<number>()).uid('sevens');
});
