// Word count that takes a while (a small pause per batch in the tokenizer): long enough to kill a
// TaskManager in the middle. Same arguments and output as examples/wordcount.ts.
import { defineJob } from '@eddy/api';

export default defineJob((env, args) => {
  const pauseMs = args.number('pause-ms', 20);
  env.setJobName('slow-wordcount').setRuntimeMode('batch');
  env
    .readTextFile(args.required('input'))
    .process<{ word: string; count: number }>({
      processElement(line: string, _ctx, out) {
        for (const m of line.toLowerCase().matchAll(/[a-z0-9']+/g)) out.collect({ word: m[0], count: 1 });
      },
    })
    .map((wc) => {
      // A busy pause every 500 words stands in for expensive per-record work.
      if (Math.random() < 1 / 500) {
        const until = Date.now() + pauseMs;
        while (Date.now() < until);
      }
      return wc;
    })
    .keyBy((wc) => wc.word)
    .reduce((a, b) => ({ word: a.word, count: a.count + b.count }))
    .map((wc) => `${wc.word}\t${wc.count}`)
    .writeAsText(args.required('output'))
    .setParallelism(1);
});
