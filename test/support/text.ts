// Seeded text generation and the naive word count the integration tests compare against.
import { readFileSync } from 'node:fs';

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'the',
  'Eddy',
  'stream',
  "can't",
  'FLINK',
  'key-group',
  'x1',
  'naïve',
  "o'clock",
  'ÉTÉ',
  '42',
  'data_flow',
  'a',
];

/** `lines` lines of mixed-case words, punctuation, digits, Unicode and CRLF endings. */
export function generateText(lines: number, seed = 1): string {
  const rnd = prng(seed);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const n = Math.floor(rnd() * 12);
    const words: string[] = [];
    for (let w = 0; w < n; w++) {
      const base = WORDS[Math.floor(rnd() * WORDS.length)]!;
      words.push(rnd() < 0.3 ? `${base}${Math.floor(rnd() * 500)}` : base);
    }
    out.push(words.join(rnd() < 0.5 ? ' ' : ', ') + (rnd() < 0.1 ? '\r' : ''));
  }
  return out.join('\n') + '\n';
}

/** The reference: words are maximal runs of [a-z0-9'] after lowercasing. */
export function naiveWordCount(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of text.toLowerCase().matchAll(/[a-z0-9']+/g)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  return counts;
}

/** Parses `word<TAB>count` lines; fails on duplicates or malformed lines. */
export function readWordCounts(path: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    const [word, count, ...rest] = line.split('\t');
    if (word === undefined || count === undefined || rest.length > 0 || !/^\d+$/.test(count))
      throw new Error(`malformed line '${line}'`);
    if (counts.has(word)) throw new Error(`word '${word}' appears twice`);
    counts.set(word, Number(count));
  }
  return counts;
}
