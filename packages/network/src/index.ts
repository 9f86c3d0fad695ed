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
