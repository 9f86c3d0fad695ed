// @eddy/network: gRPC services and the data plane (partitions, gates, credit-based flow control).
export {
  pb,
  type eddy,
  JobManagerGatewayService,
  TaskExecutorGatewayService,
  BlobServiceDefinition,
  DataExchangeService,
  JobManagerGatewayClient,
  TaskExecutorGatewayClient,
  BlobServiceClient,
  DataExchangeClient,
  GRPC_OPTIONS,
  unary,
} from './rpc.ts';
export {
  NetworkEnvironment,
  type NetworkEnvironmentOptions,
  type ResultPartitionOverrides,
} from './network-environment.ts';
export { ResultPartition, type SubpartitionStats } from './result-partition.ts';
export { SingleInputGate, type InputGateStats, type InputChannelStats } from './input-gate.ts';
export { BufferSerializer, BufferDeserializer } from './buffer-serializer.ts';
export { u64 } from './wire.ts';
