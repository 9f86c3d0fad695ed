// Joins and connected streams end to end. Orders (every 3 ms, users u0..u6) and clicks (every 2 ms,
// users u0..u4), in event time, are
//   - window-joined per user in 50 ms tumbling windows (collect sink 'join': user,order,click),
//   - coGrouped the same way (sink 'cogroup': user,windowOf,orders,clicks),
//   - connected and keyed by user, counting both inputs in shared keyed state, reported by an
//     event-time timer at the end of input (sink 'connected': user,orders,clicks),
//   - and the users are broadcast as rules to a keyed broadcast process function whose every
//     subtask records each rule it received (sink 'broadcast': subtask,rule).
import {
  CollectSink,
  MAX_WATERMARK,
  StateDescriptors,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  defineJob,
  type Collector,
  type KeyedCoProcessFunction,
  type KeyedProcessContext,
  type OnTimerContext,
  type RuntimeContext,
  type ValueState,
} from '@eddy/api';

interface Order {
  readonly id: number;
  readonly ts: number;
  readonly user: string;
}
interface Click {
  readonly id: number;
  readonly ts: number;
  readonly user: string;
}

/** Counts orders and clicks per user; reports when event time ends. */
class CountBoth implements KeyedCoProcessFunction<string, Order, Click, string> {
  #orders!: ValueState<number>;
  #clicks!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.#orders = ctx.getState(StateDescriptors.value<number>('orders', 0));
    this.#clicks = ctx.getState(StateDescriptors.value<number>('clicks', 0));
  }
  processElement1(_o: Order, ctx: KeyedProcessContext<string>): void {
    this.#orders.update(this.#orders.value()! + 1);
    ctx.timerService().registerEventTimeTimer(MAX_WATERMARK);
  }
  processElement2(_c: Click, ctx: KeyedProcessContext<string>): void {
    this.#clicks.update(this.#clicks.value()! + 1);
    ctx.timerService().registerEventTimeTimer(MAX_WATERMARK);
  }
  onTimer(_t: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    out.collect(`${ctx.getCurrentKey()},${this.#orders.value()},${this.#clicks.value()}`);
  }
}

export default defineJob((env, args) => {
  env.setJobName('joins');
  const n = args.number('orders', 200);
  const orders = env
    .fromElements(...Array.from({ length: n }, (_, i): Order => ({ id: i, ts: i * 3, user: `u${i % 7}` })))
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forMonotonousTimestamps<Order>().withTimestampAssigner((o) => o.ts),
    )
    .setParallelism(1);
  const clicks = env
    .fromElements(
      ...Array.from({ length: (n * 3) / 2 }, (_, i): Click => ({ id: i, ts: i * 2, user: `u${i % 5}` })),
    )
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forMonotonousTimestamps<Click>().withTimestampAssigner((c) => c.ts),
    )
    .setParallelism(1);

  orders
    .join(clicks)
    .where((o) => o.user)
    .equalTo((c) => c.user)
    .window(TumblingEventTimeWindows.of(50))
    .apply((o, c) => `${o.user},${o.id},${c.id}`)
    .sinkTo(new CollectSink<string>())
    .uid('join');

  orders
    .coGroup(clicks)
    .where((o) => o.user)
    .equalTo((c) => c.user)
    .window(TumblingEventTimeWindows.of(50))
    .apply<string>({
      coGroup(os, cs, out) {
        const user = os[0]?.user ?? cs[0]?.user;
        const window = Math.floor((os[0] ?? cs[0])!.ts / 50);
        out.collect(`${user},${window},${os.length},${cs.length}`);
      },
    })
    .sinkTo(new CollectSink<string>())
    .uid('cogroup');

  orders
    .connect(clicks)
    .keyBy(
      (o) => o.user,
      (c) => c.user,
    )
    .process(new CountBoth())
    .sinkTo(new CollectSink<string>())
    .uid('connected');

  const rules = StateDescriptors.map<string, boolean>('rules');
  const users = env.fromElements('u0', 'u1', 'u2').broadcast(rules);
  orders
    .keyBy((o) => o.user)
    .connect(users)
    .process<string>({
      processElement() {},
      processBroadcastElement(rule, ctx, out) {
        ctx.getBroadcastState(rules).put(rule, true);
        out.collect(`${ctx.runtime.subtaskIndex},${rule}`);
      },
    })
    .sinkTo(new CollectSink<string>())
    .uid('broadcast');
});
