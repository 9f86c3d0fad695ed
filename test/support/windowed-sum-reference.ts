// A naive reference of examples/windowed-sum.ts: Flink's WindowOperator with EventTimeTrigger,
// allowed lateness and late-data side output, for tumbling, sliding and (merging) session windows,
// simulated record by record with explicit timers. Deliberately simple and slow.

export interface WindowedSumOptions {
  readonly size?: number;
  readonly slide?: number;
  readonly sessionGap?: number;
  readonly outOfOrderness: number;
  readonly allowedLateness: number;
}

interface Win {
  start: number;
  end: number;
  sum: bigint;
  count: number;
}

const MIN = Number.MIN_SAFE_INTEGER;
const MAX = Number.MAX_SAFE_INTEGER;

/** Output lines and late lines for `lines` (CSV `ts,key,value`, in file order). */
export function windowedSumReference(
  lines: readonly string[],
  o: WindowedSumOptions,
): { output: string[]; late: string[] } {
  const output: string[] = [];
  const late: string[] = [];
  const L = o.allowedLateness;
  let wm = MIN;
  let maxTs = MIN;
  // Per key: live windows by "start,end", and timers (time -> set of window ids).
  const windows = new Map<string, Map<string, Win>>();
  const timers = new Map<string, Map<string, Set<number>>>();
  const id = (w: { start: number; end: number }): string => `${w.start},${w.end}`;
  const maxOf = (w: { end: number }): number => w.end - 1;
  const emit = (key: string, w: Win): void =>
    void output.push(`${w.start},${w.end},${key},${w.sum},${w.count}`);
  const addTimer = (key: string, w: Win, time: number): void => {
    let t = timers.get(key);
    if (t === undefined) timers.set(key, (t = new Map()));
    let s = t.get(id(w));
    if (s === undefined) t.set(id(w), (s = new Set()));
    s.add(time);
  };
  const dropTimers = (key: string, w: Win): void => void timers.get(key)?.delete(id(w));

  const assign = (ts: number): { start: number; end: number }[] => {
    if (o.sessionGap !== undefined) return [{ start: ts, end: ts + o.sessionGap }];
    const size = o.size!;
    const slide = o.slide ?? size;
    const out: { start: number; end: number }[] = [];
    const lastStart = ts - (((ts % slide) + slide) % slide);
    for (let s = lastStart; s > ts - size; s -= slide) out.push({ start: s, end: s + size });
    return out;
  };

  const advance = (to: number): void => {
    if (to <= wm) return;
    wm = to;
    for (;;) {
      // The earliest due timer over all keys and windows.
      let best: { key: string; wid: string; time: number } | undefined;
      for (const [key, t] of timers) {
        for (const [wid, times] of t)
          for (const time of times)
            if (time <= wm && (best === undefined || time < best.time)) best = { key, wid, time };
      }
      if (best === undefined) return;
      timers.get(best.key)!.get(best.wid)!.delete(best.time);
      const w = windows.get(best.key)?.get(best.wid);
      if (w === undefined) continue;
      if (best.time === maxOf(w)) emit(best.key, w);
      if (best.time === maxOf(w) + L) {
        windows.get(best.key)!.delete(best.wid);
        dropTimers(best.key, w);
      }
    }
  };

  for (const line of lines) {
    if (line.trim() === '') continue;
    const a = line.indexOf(',');
    const b = line.lastIndexOf(',');
    const ts = Number(line.slice(0, a));
    const key = line.slice(a + 1, b);
    const value = BigInt(line.slice(b + 1).trim());
    let kw = windows.get(key);
    if (kw === undefined) windows.set(key, (kw = new Map()));
    let skipped = true;
    for (const assigned of assign(ts)) {
      let w: Win;
      if (o.sessionGap !== undefined) {
        // Merge with every live window it intersects (touching counts, as TimeWindow.intersects).
        const merged = [...kw.values()].filter((x) => x.start <= assigned.end && x.end >= assigned.start);
        if (merged.length === 0) {
          if (maxOf(assigned) + L <= wm) continue; // late, and nothing to merge into
          w = { ...assigned, sum: 0n, count: 0 };
          kw.set(id(w), w);
        } else {
          const start = Math.min(assigned.start, ...merged.map((x) => x.start));
          const end = Math.max(assigned.end, ...merged.map((x) => x.end));
          const existing =
            merged.length === 1 && merged[0]!.start === start && merged[0]!.end === end
              ? merged[0]
              : undefined;
          if (existing !== undefined) {
            w = existing;
          } else {
            w = { start, end, sum: 0n, count: 0 };
            for (const x of merged) {
              w.sum += x.sum;
              w.count += x.count;
              kw.delete(id(x));
              dropTimers(key, x);
            }
            kw.set(id(w), w);
            // EventTimeTrigger.onMerge: a timer for the merged window unless the watermark passed it.
            if (maxOf(w) > wm) addTimer(key, w, maxOf(w));
          }
          if (maxOf(w) + L <= wm) continue; // cannot happen: merged with a live window
        }
      } else {
        if (maxOf(assigned) + L <= wm) continue; // the window is late
        w = kw.get(id(assigned)) ?? { ...assigned, sum: 0n, count: 0 };
        kw.set(id(w), w);
      }
      skipped = false;
      w.sum += value;
      w.count += 1;
      if (maxOf(w) <= wm)
        emit(key, w); // late firing
      else addTimer(key, w, maxOf(w));
      addTimer(key, w, maxOf(w) + L);
    }
    if (skipped && ts + L <= wm) late.push(line);
    if (ts > maxTs) maxTs = ts;
    advance(maxTs - o.outOfOrderness - 1);
  }
  advance(MAX);
  return { output, late };
}
