// A seq-check variant for incremental checkpoints: K keys each get sequence number 0 (with a large
// per-key payload kept in state), then only the first H "hot" keys go on, up to N-1. So after the
// first phase almost all keyed state stays unchanged, and an incremental checkpoint uploads only the
// key groups of the hot keys. Exactly-once is checked as in seq-check: committed output under
// --output holds `key,seq` once each (cold keys: 0 only; hot keys: 0..N-1).
//
//   --keys K --hot H --per-key N --rate R --output DIR --checkpoint-dir URI
//   [--checkpoint-interval MS] [--retained-checkpoints N] [--state-backend leveldb|heap] [--payload BYTES]
import {
  StateDescriptors,
  TransactionalFileSink,
  defineJob,
  type Collector,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type RuntimeContext,
  type Source,
  type SourceReader,
  type SourceReaderContext,
  type StateBackendKind,
  type ValueState,
} from '@eddy/api';
import { userError } from '@eddy/common';

interface Seq {
  readonly key: number;
  readonly seq: number;
}

class HotKeySource implements Source<Seq> {
  readonly boundedness = 'bounded';
  readonly #keys: number;
  readonly #hot: number;
  readonly #perKey: number;
  readonly #rate: number;
  constructor(keys: number, hot: number, perKey: number, rate: number) {
    this.#keys = keys;
    this.#hot = hot;
    this.#perKey = perKey;
    this.#rate = rate;
  }
  describe(): unknown {
    return { kind: 'hot-keys', keys: this.#keys, hot: this.#hot, perKey: this.#perKey, rate: this.#rate };
  }
  createReader(ctx: SourceReaderContext): SourceReader<Seq> {
    const mine: number[] = [];
    for (let k = ctx.subtaskIndex; k < this.#keys; k += ctx.parallelism) mine.push(k);
    const restored: Record<string, number> = {};
    for (const s of (ctx.restoredStates ?? []) as ({ next: Record<string, number> } | undefined)[])
      Object.assign(restored, s?.next ?? {});
    const next = new Map<number, number>(mine.map((k) => [k, restored[k] ?? 0]));
    const limit = (k: number): number => (k < this.#hot ? this.#perKey : 1);
    const rate = this.#rate / ctx.parallelism;
    const started = Date.now();
    let emitted = 0;
    let cursor = 0;
    const open = mine.filter((k) => next.get(k)! < limit(k));
    return {
      pollNext(max: number): Seq[] | null {
        if (open.length === 0) return null;
        const budget = Math.min(max, Math.floor(((Date.now() - started) / 1000) * rate) - emitted);
        if (budget <= 0) return [];
        const out: Seq[] = [];
        while (out.length < budget && open.length > 0) {
          if (cursor >= open.length) cursor = 0;
          const key = open[cursor]!;
          const seq = next.get(key)!;
          out.push({ key, seq });
          next.set(key, seq + 1);
          if (seq + 1 >= limit(key)) open.splice(cursor, 1);
          else cursor++;
        }
        emitted += out.length;
        return out;
      },
      isAvailable: () => new Promise((resolve) => setTimeout(resolve, 5)),
      snapshotState: () => ({ next: Object.fromEntries([...next].map(([k, v]) => [String(k), v])) }),
    };
  }
}

/** Checks each key's sequence (fails the job on a gap or repeat) and keeps a payload per key. */
class CheckSequence implements KeyedProcessFunction<number, Seq, string> {
  readonly #payload: string;
  #last!: ValueState<number>;
  #data!: ValueState<string>;
  constructor(payloadBytes: number) {
    this.#payload = 'p'.repeat(payloadBytes);
  }
  open(ctx: RuntimeContext): void {
    this.#last = ctx.getState(StateDescriptors.value<number>('last-seq'));
    this.#data = ctx.getState(StateDescriptors.value<string>('payload'));
  }
  processElement(e: Seq, _ctx: KeyedProcessContext<number>, out: Collector<string>): void {
    const last = this.#last.value() ?? -1;
    if (e.seq !== last + 1) {
      throw userError(
        'SEQUENCE_VIOLATION',
        `key ${e.key}: got sequence number ${e.seq} after ${last}: exactly-once was broken`,
      );
    }
    this.#last.update(e.seq);
    if (e.seq === 0) this.#data.update(this.#payload);
    out.collect(`${e.key},${e.seq}`);
  }
}

export default defineJob((env, args) => {
  env.setJobName('hot-keys');
  env.setStateBackend(args.get('state-backend', 'leveldb') as StateBackendKind);
  env.enableCheckpointing(args.number('checkpoint-interval', 300), 'exactly-once', {
    storage: args.required('checkpoint-dir'),
    tolerableFailures: 1_000_000,
    retained: args.number('retained-checkpoints', 3),
    timeout: 60_000,
  });
  env
    .fromSource(
      new HotKeySource(args.number('keys'), args.number('hot'), args.number('per-key'), args.number('rate')),
      'Hot Keys',
    )
    .uid('hot-source')
    .keyBy((s) => s.key)
    .process(new CheckSequence(args.number('payload', 500)))
    .uid('check-sequence')
    .sinkTo(new TransactionalFileSink<string>(env.resolvePath(args.required('output'))))
    .uid('committed-output');
});
