// Benchmark (issue 3): keyed window counts over a shuffle across 2 TaskManager processes, 10k keys:
// a tumbling 10 s window and a 10 s / 2 s sliding window. Prints events/s and events/s per core
// (CPU seconds of both TaskManagers, from /proc) and the sliding/tumbling cost ratio.
// Usage: node bench/windows.ts [records=10000000]
import { readFileSync } from 'node:fs';
import { runCli, startProcessCluster } from '../test/support/process-cluster.ts';

const records = Number(process.argv[2] ?? 10_000_000);

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const cluster = await startProcessCluster({ taskManagers: 2, slots: 1, env: { EDDY_LOG_LEVEL: 'warn' } });
try {
  const perCore: Record<string, number> = {};
  for (const [name, extra] of [
    ['tumbling 10 s', []],
    ['sliding 10 s / 2 s', ['--slide', '2000']],
  ] as const) {
    const tms = cluster.taskManagers;
    const cpu0 = tms.map((t) => cpuSeconds(t.pid));
    const r = await runCli(
      [
        'run',
        '-p',
        '2',
        '-m',
        cluster.restAddress,
        'bench/jobs/window-count.ts',
        '--',
        '--records',
        String(records),
        '--size',
        '10000',
        ...extra,
      ],
      { timeoutMs: 900_000 },
    );
    if (r.code !== 0) throw new Error(`job failed:\n${r.stdout}\n${r.stderr}`);
    const cpu = tms.reduce((s, t, i) => s + cpuSeconds(t.pid) - cpu0[i]!, 0);
    const jobId = /([0-9a-f]{32})/.exec(r.stdout)?.[1] as never;
    const job = await cluster.rest.getJob(jobId);
    const seconds = (Number(job.endTime) - Number(job.startTime)) / 1000;
    perCore[name] = records / cpu;
    console.log(`${name}: ${records} events, 10k keys, job ran ${seconds.toFixed(2)} s`);
    console.log(
      `  ${(records / seconds / 1e6).toFixed(2)} M events/s, ${(records / cpu / 1e6).toFixed(2)} M events/s per core (${cpu.toFixed(1)} CPU s)`,
    );
  }
  const t = perCore['tumbling 10 s']!;
  const s = perCore['sliding 10 s / 2 s']!;
  console.log(`sliding costs ${(t / s).toFixed(2)}x tumbling per event`);
  const lines = cluster.taskManagers.flatMap((tm) => tm.stdoutLines()).filter((l) => l.includes('firings'));
  console.log(lines.join('\n'));
} finally {
  await cluster.stop();
}
