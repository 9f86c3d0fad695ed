// An unbounded job for tests that need a job to stay RUNNING until it is cancelled: a source that
// emits --per-tick numbers (default 5) every --interval-ms (default 10), rebalanced to a map and a
// sink that discards them. The rebalance puts a network edge between the source and the rest, so
// records are counted on the receiving side (eddy_task_records_in_total).
import { defineJob, type Sink, type Source, type SourceReader, type SourceReaderContext } from '@eddy/api';

/** Counts up forever, a few numbers per tick; readiness is signalled through `isAvailable`. */
class TickingSource implements Source<number> {
  readonly boundedness = 'unbounded';
  readonly #perTick: number;
  readonly #intervalMs: number;
  constructor(perTick: number, intervalMs: number) {
    this.#perTick = perTick;
    this.#intervalMs = intervalMs;
  }
  describe(): unknown {
    return { kind: 'ticking', perTick: this.#perTick, intervalMs: this.#intervalMs };
  }
  createReader(ctx: SourceReaderContext): SourceReader<number> {
    const perTick = this.#perTick;
    const intervalMs = this.#intervalMs;
    let next = ctx.subtaskIndex;
    let due = 0; // numbers that may be emitted now
    let timer: NodeJS.Timeout | undefined;
    return {
      pollNext(max: number): number[] {
        const n = Math.min(max, due);
        due -= n;
        const batch = new Array<number>(n);
        for (let i = 0; i < n; i++) {
          batch[i] = next;
          next += ctx.parallelism;
        }
        return batch;
      },
      // The task races this against its cancellation, so a pending tick never delays a cancel.
      isAvailable(): Promise<void> {
        if (due > 0) return Promise.resolve();
        return new Promise((resolve) => {
          timer = setTimeout(() => {
            due += perTick;
            resolve();
          }, intervalMs);
        });
      },
      close(): void {
        clearTimeout(timer);
      },
    };
  }
}

/** Drops every record. */
class DiscardingSink implements Sink<unknown> {
  describe(): unknown {
    return { kind: 'discard' };
  }
  createWriter() {
    return { write: (): void => {} };
  }
}

export default defineJob((env, args) => {
  env.setJobName(args.get('name', 'endless'));
  env
    .fromSource(
      new TickingSource(args.number('per-tick', 5), args.number('interval-ms', 10)),
      'Ticking Source',
    )
    .rebalance()
    .map((n) => n * 2)
    .name('Double')
    .sinkTo(new DiscardingSink())
    .name('Discard');
});
