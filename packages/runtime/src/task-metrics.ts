// Counters of one task, kept as plain numbers on the hot path; the TaskManager exports them to
// Prometheus and heartbeats. Time is split as Flink's *TimeMsPerSecond: busy, idle, backpressured.

/** Counters of one subtask. */
export class TaskMetrics {
  recordsIn = 0;
  recordsOut = 0;
  busyMs = 0;
  idleMs = 0;
  backpressuredMs = 0;
}
