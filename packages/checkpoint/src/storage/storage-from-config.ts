// Checkpoint storage as a process's configuration describes it: the s3.* keys supply endpoint,
// credentials and path-style addressing for s3:// URIs (as Flink's s3.* options do).
import { ConfigOptions, type Configuration } from '@eddy/common';
import type { CheckpointStorage } from './checkpoint-storage.ts';
import { createCheckpointStorage } from './create-checkpoint-storage.ts';

/** The storage at `uri`, with S3 settings from `config`. */
export function createCheckpointStorageFromConfig(uri: string, config: Configuration): CheckpointStorage {
  const endpoint = config.get(ConfigOptions.s3Endpoint);
  const accessKeyId = config.get(ConfigOptions.s3AccessKey);
  const secretAccessKey = config.get(ConfigOptions.s3SecretKey);
  return createCheckpointStorage(uri, {
    s3: {
      region: config.get(ConfigOptions.s3Region),
      forcePathStyle: config.get(ConfigOptions.s3PathStyle),
      ...(endpoint === '' ? {} : { endpoint }),
      ...(accessKeyId === '' ? {} : { credentials: { accessKeyId, secretAccessKey } }),
    },
  });
}
