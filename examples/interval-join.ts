// Interval join: pairs the records of --left and --right that share a key and whose timestamps
// satisfy lower <= rightTs - leftTs <= upper (both bounds inclusive), in event time.
//
//   bin/eddy run -p 3 examples/interval-join.ts -- --left L.csv --right R.csv \
//     --lower -5 --upper 10 --out-of-orderness 100 --output pairs.csv
//
// Input: CSV lines `timestampMs,key,value`; the key is the text between the first two commas, the
// value everything after the second (kept as written). Empty lines are skipped.
// Output: one line `key,leftTs,rightTs,leftValue,rightValue` per pair, in no particular order, in one
// file written by a sink at parallelism 1. The join runs at the job's parallelism (-p), hash
// partitioned by key.
//
// Event time and lateness: each file is read in order by one source subtask whose watermark is
// Flink's bounded out-of-orderness watermark, max timestamp seen so far - out-of-orderness - 1,
// emitted periodically; the join's watermark is the minimum over both inputs. As in Flink, the
// interval join drops a record whose timestamp is behind that watermark. A record is never late
// when it is at most --out-of-orderness ms older than the newest record before it in its file, so
// for inputs within that bound the output is exactly the set of pairs defined above. Records more
// out of order than that may be dropped with their pairs, as Flink would drop them (which ones
// depends on when watermarks are emitted). End of input advances the watermark to +infinity, so
// every pair is emitted before the job finishes.
//
// Optional: --watermark-interval MS (default 200, Flink's auto-watermark interval); 0 emits a
// watermark after every batch of records, which bounds the join's buffers more tightly.
import { defineJob, WatermarkStrategy, type DataStream, type JobArgs } from '@eddy/api';

interface Row {
  readonly ts: number;
  readonly key: string;
  readonly value: string;
}

function integerArg(args: JobArgs, name: string): number {
  const v = args.number(name);
  if (!Number.isSafeInteger(v)) throw new RangeError(`--${name} must be an integer number of ms, got ${v}`);
  return v;
}

/** Parses `timestampMs,key,value`; undefined for an empty line. */
function parseRow(line: string, file: string): Row | undefined {
  if (line.length === 0) return undefined;
  const a = line.indexOf(',');
  const b = a < 0 ? -1 : line.indexOf(',', a + 1);
  const ts = a < 0 ? NaN : Number(line.slice(0, a));
  if (b < 0 || !Number.isSafeInteger(ts) || line.slice(0, a).trim() === '') {
    throw new Error(`${file}: bad line '${line}': expected timestampMs,key,value`);
  }
  return { ts, key: line.slice(a + 1, b), value: line.slice(b + 1) };
}

export default defineJob((env, args) => {
  const leftPath = args.required('left');
  const rightPath = args.required('right');
  const lower = integerArg(args, 'lower');
  const upper = integerArg(args, 'upper');
  const outOfOrderness = integerArg(args, 'out-of-orderness');
  const output = args.required('output');
  if (lower > upper) throw new RangeError(`--lower ${lower} must not exceed --upper ${upper}`);
  if (outOfOrderness < 0) throw new RangeError('--out-of-orderness must be >= 0');
  env.setJobName('interval-join');
  if (args.has('watermark-interval')) env.setAutoWatermarkInterval(integerArg(args, 'watermark-interval'));

  const watermarks = WatermarkStrategy.forBoundedOutOfOrderness<Row>(outOfOrderness).withTimestampAssigner(
    (r) => r.ts,
  );
  // Source, parse and timestamps at parallelism 1 chain into one subtask that reads the file in order.
  const rows = (path: string, side: string): DataStream<Row> =>
    env
      .readTextFile(path)
      .setParallelism(1)
      .name(`Read ${side}`)
      .flatMap<Row>((line, out) => {
        const r = parseRow(line, path);
        if (r !== undefined) out.collect(r);
      })
      .setParallelism(1)
      .name(`Parse ${side}`)
      .assignTimestampsAndWatermarks(watermarks)
      .setParallelism(1)
      .name(`Timestamps ${side}`);

  rows(leftPath, 'left')
    .keyBy((r) => r.key)
    .intervalJoin(rows(rightPath, 'right').keyBy((r) => r.key))
    .between(lower, upper)
    .process<string>({
      processElement(l, r, _ctx, out) {
        out.collect(`${l.key},${l.ts},${r.ts},${l.value},${r.value}`);
      },
    })
    .name('Interval Join')
    .writeAsText(output)
    .setParallelism(1);
});
