// A fast source into a deliberately slow sink, for the flow-control test: --records N numbers are
// rebalanced to a sink that waits --sink-delay-ms per batch. Each sink subtask writes
// `<count> <sum>` of what it received to --output DIR/part-<subtask>.
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { defineJob, type Sink } from '@eddy/api';

class SlowCountingSink implements Sink<number> {
  readonly #dir: string;
  readonly #delay: number;
  constructor(dir: string, delay: number) {
    this.#dir = dir;
    this.#delay = delay;
  }
  describe(): unknown {
    return { kind: 'slow-counting', dir: this.#dir, delay: this.#delay };
  }
  createWriter(ctx: { subtaskIndex: number }) {
    let count = 0;
    let sum = 0;
    const file = join(this.#dir, `part-${ctx.subtaskIndex}`);
    return {
      write: (batch: readonly number[]): Promise<void> => {
        count += batch.length;
        for (const v of batch) sum += v;
        return new Promise((resolve) => setTimeout(resolve, this.#delay));
      },
      finish: async (): Promise<void> => {
        await mkdir(this.#dir, { recursive: true });
        await writeFile(file, `${count} ${sum}\n`);
      },
    };
  }
}

export default defineJob((env, args) => {
  env.setJobName('slow-sink');
  env
    .fromSequence(1, args.number('records'))
    .rebalance()
    .sinkTo(new SlowCountingSink(env.resolvePath(args.required('output')), args.number('sink-delay-ms')))
    .name('Slow Sink');
});
