// `eddy savepoint --dispose PATH`: deletes a savepoint directly in its storage, without a
// JobManager. Storage settings (s3.*) come from the same configuration as the processes' (eddy.yaml
// < EDDY__SECTION__KEY < -D). Only a directory whose `_metadata` says it is a savepoint is deleted,
// so a mistyped path cannot wipe an unrelated directory.
import { createCheckpointStorageFromConfig, disposeSavepoint } from '@eddy/checkpoint';
import type { CliIo } from '../cli-io.ts';
import { loadProcessConfiguration } from '../configuration.ts';
import { resolveStoragePath } from './savepoints.ts';

/** Options of `eddy savepoint --dispose`. */
export interface DisposeSavepointOptions {
  readonly path: string;
  readonly dynamic: readonly string[];
  readonly configFile?: string;
  readonly json: boolean;
}

/** Deletes the savepoint at `options.path`; exit 1 (with the reason) when it is not a savepoint. */
export async function disposeSavepointCommand(options: DisposeSavepointOptions, io: CliIo): Promise<number> {
  const config = loadProcessConfiguration(options.configFile, options.dynamic, io.env);
  const uri = resolveStoragePath(options.path);
  const storage = createCheckpointStorageFromConfig(uri, config);
  try {
    const objects = await disposeSavepoint(storage);
    if (options.json)
      io.stdout(JSON.stringify({ path: storage.uri, objectsDeleted: objects }, null, 2) + '\n');
    else io.stderr(`Disposed of savepoint ${storage.uri} (${objects} objects deleted).\n`);
    return 0;
  } finally {
    await storage.close();
  }
}
