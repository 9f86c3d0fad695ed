// Configuration of a process the CLI starts in the foreground (`eddy jobmanager`, `eddy taskmanager`):
// eddy.yaml (--config, else ./eddy.yaml when present) < EDDY__SECTION__KEY < -D key=value.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfiguration, userError, type Configuration } from '@eddy/common';

/** Loads the configuration from the given file (which must exist), the environment and -D flags. */
export function loadProcessConfiguration(
  configFile: string | undefined,
  dynamic: readonly string[],
  env: NodeJS.ProcessEnv,
): Configuration {
  let file: string | undefined;
  if (configFile !== undefined) {
    file = resolve(configFile);
    if (!existsSync(file)) {
      throw userError('CONFIG_NOT_FOUND', `config file not found: ${configFile} (given with --config)`);
    }
  } else if (existsSync('eddy.yaml')) {
    file = resolve('eddy.yaml');
  }
  return loadConfiguration({ ...(file === undefined ? {} : { file }), env, dynamic });
}

/**
 * A startup failure of a foreground process, as the user should see it: a port that is taken or
 * not allowed is the user's to fix (pick another port), not a bug.
 */
export function explainStartupError(err: unknown, role: string): unknown {
  const e = err as (NodeJS.ErrnoException & { address?: string; port?: number }) | null;
  if (e === null || typeof e !== 'object') return err;
  const where = e.address !== undefined && e.port !== undefined ? `${e.address}:${e.port}` : 'its port';
  if (e.code === 'EADDRINUSE') {
    return userError(
      'PORT_IN_USE',
      `the ${role} cannot listen on ${where}: the address is already in use; stop what uses it or choose ` +
        'another port with -D (rest.port, jobmanager.rpc.port, taskmanager.rpc.port, metrics.port; 0 picks a free one)',
      err,
    );
  }
  if (e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
    return userError(
      'PORT_NOT_ALLOWED',
      `the ${role} cannot listen on ${where} (${e.code}): choose another address or port with -D`,
      err,
    );
  }
  return err;
}
