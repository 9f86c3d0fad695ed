// The ResourceManager: the registry of TaskManagers, their slots and their heartbeats. TaskManagers
// register and heartbeat over gRPC; a checker declares a TaskManager lost after heartbeat.timeout
// without a heartbeat, frees its slots and tells the dispatcher so jobs fail over. Slots are reserved
// per job (slot sharing: one shared slot per subtask index). Everything runs on the event loop; no
// method awaits, so the registry is never seen half-updated.
import { newJobId, type Clock, type JobId, type Logger, type TaskManagerId } from '@eddy/common';
import { pb, type eddy } from '@eddy/network';
import type { TaskManagerLocation } from '@eddy/runtime';
import { placeSlots, slotsPerTaskManager, type SlotOffer } from './scheduler.ts';
import type { TaskExecutorGateway } from './task-executor-gateway.ts';
import { u64 } from '@eddy/network';

/** A registered TaskManager. */
export interface RegisteredTaskManager {
  readonly id: TaskManagerId;
  readonly address: string;
  readonly slots: number;
  readonly metricsAddress: string;
  readonly registeredAt: number;
  lastHeartbeat: number;
  readonly gateway: TaskExecutorGateway;
}

/** What the ResourceManager tells its owner. */
export interface ResourceManagerListener {
  /** `tm` is gone (heartbeat timeout or replaced by a new registration); its slots are already free. */
  taskManagerLost(tm: RegisteredTaskManager, reason: string): void;
  /** Slots became available (a TaskManager registered or a job released slots). */
  slotsAvailable(): void;
  /** Task metrics from a heartbeat. */
  taskMetrics(tm: TaskManagerId, tasks: readonly eddy.v1.TaskMetricsSummary.$Properties[]): void;
}

/** Options of the ResourceManager. */
export interface ResourceManagerOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  /** Fences TaskManagers of a previous JobManager: changes on every JobManager start. */
  readonly leaderEpoch: number;
  readonly gatewayFactory: (address: string) => TaskExecutorGateway;
  readonly listener: ResourceManagerListener;
}

const ADDRESS = /^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:.]+\]:\d{1,5}$/;

/** The TaskManager registry and slot pool of one JobManager. */
export class ResourceManager {
  /** Identifies this JobManager to TaskManagers. */
  readonly jobManagerId: string = newJobId();
  readonly #o: ResourceManagerOptions;
  readonly #tms = new Map<TaskManagerId, RegisteredTaskManager>();
  /** Reserved slots: job -> TaskManager -> count. */
  readonly #reserved = new Map<JobId, Map<TaskManagerId, number>>();
  #checker: NodeJS.Timeout | undefined;

  constructor(options: ResourceManagerOptions) {
    this.#o = options;
  }

  /** Starts the heartbeat checker. */
  start(): void {
    const every = Math.max(10, Math.min(this.#o.heartbeatIntervalMs, this.#o.heartbeatTimeoutMs / 4));
    this.#checker = setInterval(() => this.checkHeartbeats(), every);
    this.#checker.unref();
  }

  /** Handles RegisterTaskManager. A known id re-registering replaces the old instance, which is lost. */
  register(req: eddy.v1.RegisterTaskManagerRequest): eddy.v1.RegisterTaskManagerResponse {
    const refuse = (error: string): eddy.v1.RegisterTaskManagerResponse =>
      pb.RegisterTaskManagerResponse.create({ accepted: false, error });
    if (req.taskManagerId === '') return refuse('task_manager_id is empty: every TaskManager needs an id');
    if (!ADDRESS.test(req.address)) {
      return refuse(
        `address '${req.address}' is not host:port: set taskmanager.host and taskmanager.rpc.port`,
      );
    }
    if (!(req.numberOfSlots >= 1)) {
      return refuse(
        `number_of_slots is ${req.numberOfSlots}: set taskmanager.number-of-task-slots to 1 or more`,
      );
    }
    const id = req.taskManagerId as TaskManagerId;
    const old = this.#tms.get(id);
    if (old !== undefined) this.#remove(old, `TaskManager ${id} registered again (it restarted)`);
    const now = this.#o.clock.now();
    const tm: RegisteredTaskManager = {
      id,
      address: req.address,
      slots: req.numberOfSlots,
      metricsAddress: req.metricsAddress,
      registeredAt: now,
      lastHeartbeat: now,
      gateway: this.#o.gatewayFactory(req.address),
    };
    this.#tms.set(id, tm);
    this.#o.logger.info({ tmId: id, address: tm.address, slots: tm.slots }, 'TaskManager registered');
    this.#o.listener.slotsAvailable();
    return pb.RegisterTaskManagerResponse.create({
      accepted: true,
      jobManagerId: this.jobManagerId,
      leaderEpoch: this.#o.leaderEpoch,
      heartbeatIntervalMs: this.#o.heartbeatIntervalMs,
      heartbeatTimeoutMs: this.#o.heartbeatTimeoutMs,
    });
  }

  /** Handles Heartbeat; `known` is false for an id (or epoch) this JobManager does not know. */
  heartbeat(req: eddy.v1.HeartbeatRequest): eddy.v1.HeartbeatResponse {
    const tm = this.#tms.get(req.taskManagerId as TaskManagerId);
    if (tm === undefined || (u64(req.leaderEpoch) !== 0 && u64(req.leaderEpoch) !== this.#o.leaderEpoch)) {
      return pb.HeartbeatResponse.create({ known: false });
    }
    tm.lastHeartbeat = this.#o.clock.now();
    if (req.tasks.length > 0) this.#o.listener.taskMetrics(tm.id, req.tasks);
    return pb.HeartbeatResponse.create({ known: true });
  }

  /** Declares lost every TaskManager whose last heartbeat is older than the timeout. */
  checkHeartbeats(): void {
    const now = this.#o.clock.now();
    for (const tm of [...this.#tms.values()]) {
      const silent = now - tm.lastHeartbeat;
      if (silent > this.#o.heartbeatTimeoutMs) {
        this.#remove(
          tm,
          `no heartbeat for ${silent} ms (heartbeat.timeout is ${this.#o.heartbeatTimeoutMs} ms)`,
        );
      }
    }
  }

  /**
   * A TaskManager refused connections (its process is gone): declare it lost now rather than after
   * the heartbeat timeout, so restarts do not keep choosing it.
   */
  unreachable(id: TaskManagerId, reason: string): boolean {
    const tm = this.#tms.get(id);
    if (tm === undefined) return false;
    this.#remove(tm, `unreachable: ${reason}`);
    return true;
  }

  #remove(tm: RegisteredTaskManager, reason: string): void {
    if (this.#tms.get(tm.id) !== tm) return;
    this.#tms.delete(tm.id);
    for (const perTm of this.#reserved.values()) perTm.delete(tm.id);
    tm.gateway.close();
    this.#o.logger.warn({ tmId: tm.id, address: tm.address, reason }, 'TaskManager lost');
    this.#o.listener.taskManagerLost(tm, reason);
  }

  /** A registered TaskManager. */
  get(id: TaskManagerId): RegisteredTaskManager | undefined {
    return this.#tms.get(id);
  }

  /** Every registered TaskManager. */
  taskManagers(): RegisteredTaskManager[] {
    return [...this.#tms.values()];
  }

  /** Slots of `tm` not reserved by any job. */
  freeSlots(tm: RegisteredTaskManager): number {
    let used = 0;
    for (const perTm of this.#reserved.values()) used += perTm.get(tm.id) ?? 0;
    return Math.max(0, tm.slots - used);
  }

  /** Total and free slots of the cluster. */
  slotCounts(): { total: number; available: number } {
    let total = 0;
    let available = 0;
    for (const tm of this.#tms.values()) {
      total += tm.slots;
      available += this.freeSlots(tm);
    }
    return { total, available };
  }

  /**
   * Reserves `count` shared slots for `jobId`, spread across TaskManagers; returns the location of
   * each, or undefined (reserving nothing) when there are not enough free slots. Replaces an earlier
   * reservation of the same job.
   */
  allocate(jobId: JobId, count: number): TaskManagerLocation[] | undefined {
    this.#reserved.delete(jobId);
    const offers: SlotOffer[] = [...this.#tms.values()].map((tm) => ({
      location: { taskManagerId: tm.id, address: tm.address },
      freeSlots: this.freeSlots(tm),
    }));
    const placement = placeSlots(offers, count);
    if (placement !== undefined) this.#reserved.set(jobId, slotsPerTaskManager(placement));
    return placement;
  }

  /** Frees the slots of `jobId`. */
  release(jobId: JobId): void {
    if (this.#reserved.delete(jobId)) this.#o.listener.slotsAvailable();
  }

  /** Stops the checker and closes every connection. Safe to call twice. */
  close(): void {
    if (this.#checker !== undefined) clearInterval(this.#checker);
    this.#checker = undefined;
    for (const tm of this.#tms.values()) tm.gateway.close();
    this.#tms.clear();
    this.#reserved.clear();
  }
}
