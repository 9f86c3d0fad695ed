// What the JobManager sends a TaskManager to run one subtask (Flink's TaskDeploymentDescriptor).
// Built by the JobManager's scheduler from the JobGraph and the slot placement; plain JSON.
import type { JobId, VertexId, ExecutionId, TaskManagerId } from '@eddy/common';

/** Where a producing subtask runs. */
export interface TaskManagerLocation {
  readonly taskManagerId: TaskManagerId;
  /** host:port of its gRPC server. */
  readonly address: string;
}

/** A ResultPartition this subtask produces: one per outgoing edge. */
export interface ResultPartitionDeploymentDescriptor {
  readonly edgeId: string;
  /** Unique within the cluster: `${jobId}.${attempt}.${edgeId}.${producerSubtask}`. */
  readonly partitionId: string;
  readonly numberOfSubpartitions: number;
}

/** One channel of an input gate: a subpartition of some producer's partition. */
export interface InputChannelDeploymentDescriptor {
  readonly partitionId: string;
  readonly subpartition: number;
  readonly producerSubtask: number;
  readonly producer: TaskManagerLocation;
}

/** An InputGate: one per incoming edge, one channel per producing subtask it reads. */
export interface InputGateDeploymentDescriptor {
  readonly edgeId: string;
  readonly inputIndex: number;
  readonly channels: readonly InputChannelDeploymentDescriptor[];
}

/** How to rebuild the job's graph in the TaskManager exactly as the client did. */
export interface JobSubmission {
  readonly args: readonly string[];
  readonly defaultParallelism: number;
  readonly graphHash: string;
  /** The client's working directory, against which the job resolves relative paths. */
  readonly workingDirectory?: string;
}

/** A state object of a checkpoint, relative to the checkpoint's directory. */
export interface StateObjectReference {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

/** Checkpointing of the job, when enabled. */
export interface CheckpointingDeployment {
  /** Where checkpoints go: file:///dir or s3://bucket/prefix. */
  readonly storageUri: string;
  readonly mode: 'exactly-once' | 'at-least-once';
}

/** The checkpoint or savepoint a subtask restores from. */
export interface RestoreDeployment {
  readonly storageUri: string;
  /** The checkpoint's directory within the storage ('' or ending in '/'). */
  readonly directory: string;
  readonly checkpointId: number;
  /** Per operator uid: the state object of every old subtask, indexed by old subtask. */
  readonly operators: Readonly<Record<string, readonly (SubtaskStateReference | null)[]>>;
  /**
   * The directory of shared objects (incremental checkpoints) within the storage, ending in '/';
   * absent for savepoints, which are self-contained.
   */
  readonly sharedDirectory?: string;
}

/** An old subtask's own state object, plus the shared objects (relative to `sharedDirectory`) it references. */
export interface SubtaskStateReference extends StateObjectReference {
  readonly shared?: readonly StateObjectReference[];
}

/** Everything a TaskManager needs to run one subtask of one execution attempt. */
export interface TaskDeploymentDescriptor {
  readonly jobId: JobId;
  readonly jobName: string;
  readonly attempt: number;
  readonly executionId: ExecutionId;
  readonly vertexId: VertexId;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly submission: JobSubmission;
  readonly producedPartitions: readonly ResultPartitionDeploymentDescriptor[];
  readonly inputGates: readonly InputGateDeploymentDescriptor[];
  readonly checkpointing?: CheckpointingDeployment;
  readonly restore?: RestoreDeployment;
}

/** The id of the partition produced by `producerSubtask` on `edgeId` in attempt `attempt` of `jobId`. */
export function partitionId(jobId: JobId, attempt: number, edgeId: string, producerSubtask: number): string {
  return `${jobId}.${attempt}.${edgeId}.${producerSubtask}`;
}
