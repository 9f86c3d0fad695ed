// Word count: the lines of --input, split into words (maximal runs of [a-z0-9'] after lowercasing),
// counted per word across the cluster (a hash shuffle by word), written to --output as
// `word<TAB>count` lines, one per distinct word.
//
//   bin/eddy run -p 2 examples/wordcount.ts -- --input FILE --output PATH
//
// It runs in BATCH mode: the input is bounded, so each word's count is emitted once, at the end.
import { defineJob } from '@eddy/api';

interface WordCount {
  word: string;
  count: number;
}

const WORD = /[a-z0-9']+/g;

export default defineJob((env, args) => {
  const input = args.required('input');
  const output = args.required('output');
  env.setJobName('wordcount').setRuntimeMode('batch');

  env
    .readTextFile(input)
    .flatMap<WordCount>((line, out) => {
      for (const m of line.toLowerCase().matchAll(WORD)) out.collect({ word: m[0], count: 1 });
    })
    .name('Tokenize')
    .keyBy((wc) => wc.word)
    .reduce((a, b) => ({ word: a.word, count: a.count + b.count }))
    .name('Count')
    .map((wc) => `${wc.word}\t${wc.count}`)
    .name('Format')
    .writeAsText(output)
    .setParallelism(1);
});
