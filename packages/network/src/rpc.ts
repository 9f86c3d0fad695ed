// gRPC service definitions for proto/eddy/v1, built on the generated protobufjs codecs. grpc-js
// needs only method paths and (de)serializers, so nothing loads .proto files at runtime.
// Messages are typed as the generated classes; build them with `pb.X.create({...})`.
import * as grpc from '@grpc/grpc-js';
import { eddy } from './generated/proto.js';

/** The generated message classes of eddy.v1 (values); their types are `eddy.v1.X`. */
export const pb = eddy.v1;
export type { eddy };

interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
}

function rpc<Req, Res>(
  path: string,
  req: Codec<Req>,
  res: Codec<Res>,
  streams: 'unary' | 'server' | 'bidi' = 'unary',
): grpc.MethodDefinition<Req, Res> {
  return {
    path: `/eddy.v1.${path}`,
    requestStream: streams === 'bidi',
    responseStream: streams !== 'unary',
    requestSerialize: (m: Req) => Buffer.from(req.encode(m).finish()),
    requestDeserialize: (b: Buffer) => req.decode(b),
    responseSerialize: (m: Res) => Buffer.from(res.encode(m).finish()),
    responseDeserialize: (b: Buffer) => res.decode(b),
  };
}

type V1 = typeof eddy.v1;
type Msg<K extends keyof V1> = V1[K] extends abstract new (...a: never[]) => infer I ? I : never;

export const JobManagerGatewayService = {
  registerTaskManager: rpc<Msg<'RegisterTaskManagerRequest'>, Msg<'RegisterTaskManagerResponse'>>(
    'JobManagerGateway/RegisterTaskManager',
    pb.RegisterTaskManagerRequest,
    pb.RegisterTaskManagerResponse,
  ),
  heartbeat: rpc<Msg<'HeartbeatRequest'>, Msg<'HeartbeatResponse'>>(
    'JobManagerGateway/Heartbeat',
    pb.HeartbeatRequest,
    pb.HeartbeatResponse,
  ),
  updateTaskExecutionState: rpc<Msg<'TaskExecutionStateUpdate'>, Msg<'Ack'>>(
    'JobManagerGateway/UpdateTaskExecutionState',
    pb.TaskExecutionStateUpdate,
    pb.Ack,
  ),
  acknowledgeCheckpoint: rpc<Msg<'CheckpointAck'>, Msg<'Ack'>>(
    'JobManagerGateway/AcknowledgeCheckpoint',
    pb.CheckpointAck,
    pb.Ack,
  ),
  declineCheckpoint: rpc<Msg<'CheckpointDecline'>, Msg<'Ack'>>(
    'JobManagerGateway/DeclineCheckpoint',
    pb.CheckpointDecline,
    pb.Ack,
  ),
  reportCollected: rpc<Msg<'CollectedRecords'>, Msg<'Ack'>>(
    'JobManagerGateway/ReportCollected',
    pb.CollectedRecords,
    pb.Ack,
  ),
} satisfies grpc.ServiceDefinition;

export const TaskExecutorGatewayService = {
  submitTask: rpc<Msg<'TaskDeployment'>, Msg<'Ack'>>(
    'TaskExecutorGateway/SubmitTask',
    pb.TaskDeployment,
    pb.Ack,
  ),
  triggerCheckpoint: rpc<Msg<'CheckpointTrigger'>, Msg<'Ack'>>(
    'TaskExecutorGateway/TriggerCheckpoint',
    pb.CheckpointTrigger,
    pb.Ack,
  ),
  notifyCheckpointComplete: rpc<Msg<'CheckpointNotification'>, Msg<'Ack'>>(
    'TaskExecutorGateway/NotifyCheckpointComplete',
    pb.CheckpointNotification,
    pb.Ack,
  ),
  notifyCheckpointAborted: rpc<Msg<'CheckpointNotification'>, Msg<'Ack'>>(
    'TaskExecutorGateway/NotifyCheckpointAborted',
    pb.CheckpointNotification,
    pb.Ack,
  ),
  cancelTask: rpc<Msg<'CancelTaskRequest'>, Msg<'Ack'>>(
    'TaskExecutorGateway/CancelTask',
    pb.CancelTaskRequest,
    pb.Ack,
  ),
} satisfies grpc.ServiceDefinition;

export const BlobServiceDefinition = {
  fetchBlob: rpc<Msg<'FetchBlobRequest'>, Msg<'BlobChunk'>>(
    'BlobService/FetchBlob',
    pb.FetchBlobRequest,
    pb.BlobChunk,
    'server',
  ),
} satisfies grpc.ServiceDefinition;

export const DataExchangeService = {
  exchange: rpc<Msg<'DataFrame'>, Msg<'DataFrame'>>(
    'DataExchange/Exchange',
    pb.DataFrame,
    pb.DataFrame,
    'bidi',
  ),
} satisfies grpc.ServiceDefinition;

/** Client constructors for the services above. */
export const JobManagerGatewayClient = grpc.makeGenericClientConstructor(
  JobManagerGatewayService,
  'JobManagerGateway',
);
export const TaskExecutorGatewayClient = grpc.makeGenericClientConstructor(
  TaskExecutorGatewayService,
  'TaskExecutorGateway',
);
export const BlobServiceClient = grpc.makeGenericClientConstructor(BlobServiceDefinition, 'BlobService');
export const DataExchangeClient = grpc.makeGenericClientConstructor(DataExchangeService, 'DataExchange');

/**
 * Channel options for every Eddy connection: large HTTP/2 windows so gRPC never becomes the data
 * plane's bottleneck (credits are the flow control), messages up to 64 MiB, and keepalive so a dead
 * peer is noticed.
 */
export const GRPC_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
  'grpc-node.flow_control_window': 16 * 1024 * 1024,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_time_between_pings_ms': 5_000,
};

/** Calls a unary method with a deadline and returns a promise. */
export function unary<Req, Res>(
  client: grpc.Client,
  def: grpc.MethodDefinition<Req, Res>,
  request: Req,
  timeoutMs = 10_000,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      def.path,
      def.requestSerialize,
      def.responseDeserialize,
      request,
      new grpc.Metadata(),
      { deadline: Date.now() + timeoutMs },
      (err, res) =>
        err !== null || res === undefined
          ? reject(err ?? new Error(`${def.path}: empty response`))
          : resolve(res),
    );
  });
}
