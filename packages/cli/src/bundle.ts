// Bundling a job module for upload: esbuild turns the job file and its npm imports into one ESM file.
// `@eddy/*` stays external so the job shares the runtime's copy of every Eddy package on the
// TaskManager (resolved there by installJobModuleResolver), and so do Node's builtins.
import { builtinModules } from 'node:module';
import { build, type BuildFailure, type Message } from 'esbuild';
import { userError } from '@eddy/common';

/** Options of `bundleJob`. */
export interface BundleJobOptions {
  /** Extra packages to leave external (e.g. ones with native addons). */
  readonly external?: readonly string[];
}

// Bundled CommonJS dependencies call `require` for builtins; an ESM file has none, so give it one.
const REQUIRE_SHIM =
  "import { createRequire as __eddyCreateRequire } from 'node:module';\n" +
  'const require = __eddyCreateRequire(import.meta.url);';

/** Bundles the job module at `entry` into one self-contained ESM file (with an inline source map). */
export async function bundleJob(entry: string, options: BundleJobOptions = {}): Promise<Uint8Array> {
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      external: ['@eddy/*', 'node:*', '*.node', ...builtinModules, ...(options.external ?? [])],
      write: false,
      sourcemap: 'inline',
      outfile: 'job.mjs',
      banner: { js: REQUIRE_SHIM },
      logLevel: 'silent',
      legalComments: 'none',
    });
    const out = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
    if (out === undefined) throw new Error('esbuild produced no output file');
    return out.contents;
  } catch (err) {
    const errors = (err as Partial<BuildFailure>).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      throw userError(
        'JOB_BUNDLE_FAILED',
        `cannot bundle job ${entry}: ${errors.slice(0, 5).map(formatMessage).join('; ')}`,
        err,
      );
    }
    const msg = err instanceof Error ? err.message : String(err);
    throw userError('JOB_BUNDLE_FAILED', `cannot bundle job ${entry}: ${msg}`, err);
  }
}

function formatMessage(m: Message): string {
  const at = m.location === null ? '' : `${m.location.file}:${m.location.line}:${m.location.column + 1}: `;
  return at + m.text;
}
