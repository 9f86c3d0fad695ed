// Loading job modules. A job file (or the bundle built from it) imports `@eddy/*` packages but may
// live anywhere: outside the repository, or in a TaskManager's working directory. The resolver makes
// those imports resolve to the packages of the process that loads the job, so the job and the runtime
// share one copy of every Eddy package.
import { registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';
import { resolve as resolvePath } from 'node:path';
import { userError } from '@eddy/common';
import { buildJob, type BuildJobOptions } from './job.ts';
import type { GeneratedJob } from './job-graph-generator.ts';

let installed = false;

/**
 * Resolves `@eddy/*` imports of any module with `resolveEddy` (pass the loading package's
 * `import.meta.resolve`). Idempotent; the first resolver wins.
 */
export function installJobModuleResolver(resolveEddy: (specifier: string) => string): void {
  if (installed) return;
  installed = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier.startsWith('@eddy/')) {
        try {
          return nextResolve(specifier, context);
        } catch {
          return { url: resolveEddy(specifier), shortCircuit: true };
        }
      }
      return nextResolve(specifier, context);
    },
  });
}

/** Imports the job module at `path` and builds its graph; errors are user errors naming the file. */
export async function loadJob(path: string, options: Omit<BuildJobOptions, 'source'>): Promise<GeneratedJob> {
  const url = pathToFileURL(resolvePath(path)).href;
  let ns: unknown;
  try {
    ns = await import(url);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw userError('JOB_LOAD_FAILED', `could not load job ${path}: ${msg}`, err);
  }
  return buildJob(ns, { ...options, source: path });
}
