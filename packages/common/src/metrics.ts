// Prometheus metrics: one registry per process served on /metrics. Metric names live here as
// constants. Telemetry never throws into the data path.
import { createServer, type Server } from 'node:http';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { AddressInfo } from 'node:net';

/** Metric names of Eddy. */
export const MetricNames = {
  recordsIn: 'eddy_task_records_in_total',
  recordsOut: 'eddy_task_records_out_total',
  busySeconds: 'eddy_task_busy_seconds_total',
  idleSeconds: 'eddy_task_idle_seconds_total',
  backpressuredSeconds: 'eddy_task_backpressured_seconds_total',
  buffersInUse: 'eddy_task_network_buffers_in_use',
  eventLoopLag: 'eddy_process_nodejs_eventloop_lag_seconds',
  jobRestarts: 'eddy_job_restarts_total',
  jobsRunning: 'eddy_jobmanager_jobs_running',
  taskManagersRegistered: 'eddy_jobmanager_taskmanagers_registered',
  slotsAvailable: 'eddy_jobmanager_slots_available',
  lastCheckpointDuration: 'eddy_job_last_checkpoint_duration_seconds',
  lastCheckpointSize: 'eddy_job_last_checkpoint_size_bytes',
  lastCheckpointAlignment: 'eddy_job_last_checkpoint_alignment_seconds',
  checkpointsCompleted: 'eddy_job_checkpoints_completed',
  checkpointsFailed: 'eddy_job_checkpoints_failed',
} as const;

/** Labels of per-task series. */
export const TaskLabels = ['job_id', 'job_name', 'vertex', 'subtask'] as const;

/** A registry with Node's default metrics (event-loop lag, GC, memory) under `eddy_process_`. */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'eddy_process_', eventLoopMonitoringPrecision: 10 });
  return registry;
}

/** Serves `registry` on http://host:port/metrics; resolves to the bound address. */
export async function serveMetrics(
  registry: Registry,
  host: string,
  port: number,
): Promise<{ server: Server; address: string }> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  server.unref();
  const a = server.address() as AddressInfo;
  return { server, address: `${host}:${a.port}` };
}
