// Shared by the counting-ticks job pair: an unbounded source emitting a few numbers every 10 ms
// with its position checkpointed, and a sink that drops everything.
import type { Sink, Source, SourceReader, SourceReaderContext } from '@eddy/api';

/** Counts up forever (subtask i emits i, i+p, ...); the next number is its checkpointed position. */
export class TickSource implements Source<number> {
  readonly boundedness = 'unbounded';
  describe(): unknown {
    return { kind: 'ticks' };
  }
  createReader(ctx: SourceReaderContext): SourceReader<number> {
    const restored = (ctx.restoredStates ?? []) as (number | undefined)[];
    let next = Math.max(ctx.subtaskIndex, ...restored.map((n) => n ?? 0));
    let due = 0;
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
      isAvailable(): Promise<void> {
        if (due > 0) return Promise.resolve();
        return new Promise((resolve) => {
          timer = setTimeout(() => {
            due += 5;
            resolve();
          }, 10);
        });
      },
      snapshotState: () => next,
      close(): void {
        clearTimeout(timer);
      },
    };
  }
}

/** Drops every record. */
export class DiscardingSink<T> implements Sink<T> {
  describe(): unknown {
    return { kind: 'discard' };
  }
  createWriter() {
    return { write: (): void => {} };
  }
}
