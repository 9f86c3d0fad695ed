// How the JobManager talks to one TaskExecutor. The interface lets the JobMaster be driven by a fake
// in unit tests; `GrpcTaskExecutorGateway` is the real one over grpc-js.
import * as grpc from '@grpc/grpc-js';
import {
  GRPC_OPTIONS,
  TaskExecutorGatewayClient,
  TaskExecutorGatewayService,
  unary,
  type eddy,
} from '@eddy/network';

/** The calls the JobManager makes on a TaskManager. Rejects on transport errors and on a negative Ack. */
export interface TaskExecutorGateway {
  submitTask(deployment: eddy.v1.TaskDeployment, timeoutMs: number): Promise<void>;
  cancelTask(request: eddy.v1.CancelTaskRequest, timeoutMs: number): Promise<void>;
  triggerCheckpoint(request: eddy.v1.CheckpointTrigger, timeoutMs: number): Promise<void>;
  notifyCheckpointComplete(request: eddy.v1.CheckpointNotification, timeoutMs: number): Promise<void>;
  /** Releases the connection. Safe to call twice. */
  close(): void;
}

/** TaskExecutorGateway over a grpc-js channel to `address`. */
export class GrpcTaskExecutorGateway implements TaskExecutorGateway {
  readonly #client: grpc.Client;
  readonly #address: string;

  constructor(address: string) {
    this.#address = address;
    this.#client = new TaskExecutorGatewayClient(address, grpc.credentials.createInsecure(), GRPC_OPTIONS);
  }

  async submitTask(deployment: eddy.v1.TaskDeployment, timeoutMs: number): Promise<void> {
    const ack = await unary(this.#client, TaskExecutorGatewayService.submitTask, deployment, timeoutMs);
    if (!ack.ok) throw new Error(`TaskManager at ${this.#address} refused the task: ${ack.error}`);
  }

  async cancelTask(request: eddy.v1.CancelTaskRequest, timeoutMs: number): Promise<void> {
    const ack = await unary(this.#client, TaskExecutorGatewayService.cancelTask, request, timeoutMs);
    if (!ack.ok) throw new Error(`TaskManager at ${this.#address} refused to cancel: ${ack.error}`);
  }

  async triggerCheckpoint(request: eddy.v1.CheckpointTrigger, timeoutMs: number): Promise<void> {
    const ack = await unary(this.#client, TaskExecutorGatewayService.triggerCheckpoint, request, timeoutMs);
    if (!ack.ok)
      throw new Error(`TaskManager at ${this.#address} refused the checkpoint trigger: ${ack.error}`);
  }

  async notifyCheckpointComplete(request: eddy.v1.CheckpointNotification, timeoutMs: number): Promise<void> {
    await unary(this.#client, TaskExecutorGatewayService.notifyCheckpointComplete, request, timeoutMs);
  }

  close(): void {
    this.#client.close();
  }
}
