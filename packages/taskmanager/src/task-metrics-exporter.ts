// Exports the running tasks' counters to Prometheus. The hot path only bumps plain numbers on
// TaskMetrics; this reads them when Prometheus scrapes.
import { Counter, Gauge, type Registry } from 'prom-client';
import { MetricNames, TaskLabels } from '@eddy/common';
import type { TaskMetrics, ShuffleEnvironment } from '@eddy/runtime';

/** A task as the exporter sees it. */
export interface ExportedTask {
  readonly labels: Record<(typeof TaskLabels)[number], string>;
  readonly metrics: TaskMetrics;
}

/** Registers the task metrics of a TaskManager on `registry`. */
export function registerTaskMetrics(
  registry: Registry,
  tasks: () => Iterable<ExportedTask>,
  shuffle: ShuffleEnvironment,
): void {
  const counter = (name: string, help: string, read: (m: TaskMetrics) => number): void => {
    new Counter({
      name,
      help,
      labelNames: TaskLabels,
      registers: [registry],
      collect() {
        this.reset();
        for (const t of tasks()) this.inc(t.labels, read(t.metrics));
      },
    });
  };
  counter(MetricNames.recordsIn, 'Records a task received.', (m) => m.recordsIn);
  counter(MetricNames.recordsOut, 'Records a task sent downstream.', (m) => m.recordsOut);
  counter(MetricNames.busySeconds, 'Seconds a task spent processing.', (m) => m.busyMs / 1000);
  counter(MetricNames.idleSeconds, 'Seconds a task waited for input.', (m) => m.idleMs / 1000);
  counter(
    MetricNames.backpressuredSeconds,
    'Seconds a task waited for output credit.',
    (m) => m.backpressuredMs / 1000,
  );
  new Gauge({
    name: MetricNames.buffersInUse,
    help: 'Network buffers held by partitions and gates of this TaskManager.',
    registers: [registry],
    collect() {
      this.set(shuffle.metrics.buffersInUse());
    },
  });
}
