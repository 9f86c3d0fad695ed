// @eddy/checkpoint/testing: test support (a real S3-compatible server, the storage contract).
export { startS3Server, type TestingS3Server } from './s3-server.ts';
export { describeCheckpointStorageContract } from './checkpoint-storage-contract.ts';
