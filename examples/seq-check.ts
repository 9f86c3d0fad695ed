// Exactly-once check, a contract run from outside:
//
//   bin/eddy run -p N examples/seq-check.ts -- --keys K --per-key N --output DIR
//       [--rate R] [--checkpoint-interval MS] [--state-backend heap|leveldb] [--checkpoint-dir URI]
//       [--retained-checkpoints N]
//
// The source emits, for each of K keys, the sequence numbers 0..N-1 in order (keys are spread over
// the source subtasks; the position of every key is checkpointed, so a restore replays from
// there, also at another parallelism). With --rate it emits about R records per second in total.
// A keyed step keeps the last sequence number per key and fails the job when a number arrives out
// of order or twice. The transactional file sink writes `key,seq` lines: committed output is the
// files DIR/part-*; exactly once means every (key, seq) appears in them exactly once.
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

/** The reader's checkpointed position: the next sequence number of each of its keys. */
interface Position {
  readonly next: Record<string, number>;
}

class SeqSource implements Source<Seq> {
  readonly boundedness = 'bounded';
  readonly #keys: number;
  readonly #perKey: number;
  readonly #rate: number | undefined;
  constructor(keys: number, perKey: number, rate: number | undefined) {
    this.#keys = keys;
    this.#perKey = perKey;
    this.#rate = rate;
  }
  describe(): unknown {
    return { kind: 'seq-check', keys: this.#keys, perKey: this.#perKey, rate: this.#rate ?? null };
  }
  createReader(ctx: SourceReaderContext): SourceReader<Seq> {
    const mine: number[] = [];
    for (let k = ctx.subtaskIndex; k < this.#keys; k += ctx.parallelism) mine.push(k);
    // Restored: every old reader's positions (the parallelism may have changed); take my keys'.
    const restored: Record<string, number> = {};
    for (const s of (ctx.restoredStates ?? []) as (Position | undefined)[])
      Object.assign(restored, s?.next ?? {});
    const next = new Map<number, number>(mine.map((k) => [k, restored[k] ?? 0]));
    const perKey = this.#perKey;
    const ratePerSubtask = this.#rate === undefined ? undefined : this.#rate / ctx.parallelism;
    const started = Date.now();
    let emitted = 0;
    let cursor = 0;
    const open = mine.filter((k) => next.get(k)! < perKey);
    return {
      pollNext(max: number): Seq[] | null {
        if (open.length === 0) return null;
        let budget = max;
        if (ratePerSubtask !== undefined) {
          budget = Math.min(max, Math.floor(((Date.now() - started) / 1000) * ratePerSubtask) - emitted);
          if (budget <= 0) return [];
        }
        const out: Seq[] = [];
        while (out.length < budget && open.length > 0) {
          if (cursor >= open.length) cursor = 0;
          const key = open[cursor]!;
          const seq = next.get(key)!;
          out.push({ key, seq });
          if (seq + 1 >= perKey) {
            next.set(key, perKey);
            open.splice(cursor, 1);
          } else {
            next.set(key, seq + 1);
            cursor++;
          }
        }
        emitted += out.length;
        return out;
      },
      isAvailable: () => new Promise((resolve) => setTimeout(resolve, 5)),
      snapshotState: (): Position => ({
        next: Object.fromEntries([...next].map(([k, v]) => [String(k), v])),
      }),
    };
  }
}

/** Fails the job on a gap, a repeat or a reordering of a key's sequence numbers. */
class CheckSequence implements KeyedProcessFunction<number, Seq, string> {
  #last!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.#last = ctx.getState(StateDescriptors.value<number>('last-seq'));
  }
  processElement(e: Seq, _ctx: KeyedProcessContext<number>, out: Collector<string>): void {
    const last = this.#last.value() ?? -1;
    if (e.seq !== last + 1) {
      throw userError(
        'SEQUENCE_VIOLATION',
        `key ${e.key}: got sequence number ${e.seq} after ${last} (${e.seq <= last ? 'a duplicate or reordering' : 'a gap'}): exactly-once was broken`,
      );
    }
    this.#last.update(e.seq);
    out.collect(`${e.key},${e.seq}`);
  }
}

export default defineJob((env, args) => {
  const keys = args.number('keys');
  const perKey = args.number('per-key');
  const rate = args.has('rate') ? args.number('rate') : undefined;
  const backend = args.get('state-backend', 'heap') as StateBackendKind;
  const checkpointDir = args.get('checkpoint-dir');
  env.setJobName('seq-check');
  env.setStateBackend(backend);
  env.enableCheckpointing(args.number('checkpoint-interval', 1000), 'exactly-once', {
    ...(checkpointDir === undefined
      ? {}
      : { storage: checkpointDir.includes('://') ? checkpointDir : env.resolvePath(checkpointDir) }),
    tolerableFailures: 1_000_000,
    retained: args.number('retained-checkpoints', 1),
    timeout: 60_000,
  });
  env
    .fromSource(new SeqSource(keys, perKey, rate), 'Sequences')
    .uid('seq-source')
    .keyBy((s) => s.key)
    .process(new CheckSequence())
    .uid('check-sequence')
    .name('Check Sequence')
    .sinkTo(new TransactionalFileSink<string>(env.resolvePath(args.required('output'))))
    .uid('committed-output')
    .name('Transactional File Sink');
});
