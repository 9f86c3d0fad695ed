// Jobs: a module whose default export is `defineJob((env, args) => ...)`. The client and every
// TaskManager call `buildJob` on the same module with the same arguments and compare graph hashes.
import { EddyError, userError } from '@eddy/common';
import { StreamExecutionEnvironment } from './environment.ts';
import { generateJobGraph, type GeneratedJob } from './job-graph-generator.ts';

/** Parsed job arguments: `--name value`, `--flag`, and positionals. */
export class JobArgs {
  readonly #values = new Map<string, string>();
  /** Arguments that are not options, in order. */
  readonly positionals: readonly string[];
  /** The arguments as given. */
  readonly raw: readonly string[];

  constructor(argv: readonly string[]) {
    this.raw = argv;
    const positionals: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i] ?? '';
      if (a.startsWith('--') && a.length > 2) {
        const eq = a.indexOf('=');
        if (eq > 0) {
          this.#values.set(a.slice(2, eq), a.slice(eq + 1));
        } else {
          const next = argv[i + 1];
          if (next !== undefined && !next.startsWith('--')) {
            this.#values.set(a.slice(2), next);
            i++;
          } else {
            this.#values.set(a.slice(2), 'true');
          }
        }
      } else {
        positionals.push(a);
      }
    }
    this.positionals = positionals;
  }

  /** Whether `--name` was given. */
  has(name: string): boolean {
    return this.#values.has(name);
  }
  /** The value of `--name`, or `fallback`. */
  get(name: string): string | undefined;
  get(name: string, fallback: string): string;
  get(name: string, fallback?: string): string | undefined {
    return this.#values.get(name) ?? fallback;
  }
  /** The value of `--name`; a clear error when it is missing. */
  required(name: string): string {
    const v = this.#values.get(name);
    if (v === undefined || v === 'true') {
      throw userError(
        'JOB_ARG_MISSING',
        `missing required job argument --${name} (pass it after '--': eddy run job.ts -- --${name} VALUE)`,
      );
    }
    return v;
  }
  /** `--name` as a number, or `fallback`; a clear error when it is not a number. */
  number(name: string, fallback?: number): number {
    const v = this.#values.get(name);
    if (v === undefined) {
      if (fallback === undefined) return Number(this.required(name));
      return fallback;
    }
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) {
      throw userError('JOB_ARG_INVALID', `job argument --${name} must be a number, got '${v}'`);
    }
    return n;
  }
  /** `--name` as a boolean flag. */
  flag(name: string): boolean {
    const v = this.#values.get(name);
    return v !== undefined && v !== 'false';
  }
}

/** The body of a job. */
export type JobBuilder = (env: StreamExecutionEnvironment, args: JobArgs) => void | Promise<void>;

const JOB_MARK = Symbol.for('eddy.job');

/** What `defineJob` returns: the default export of a job module. */
export interface JobDefinition {
  readonly [JOB_MARK]: true;
  readonly build: JobBuilder;
}

/** Declares a job. `export default defineJob((env, args) => { ... })`. */
export function defineJob(build: JobBuilder): JobDefinition {
  return { [JOB_MARK]: true, build };
}

function isJobDefinition(v: unknown): v is JobDefinition {
  return v !== null && typeof v === 'object' && (v as Record<symbol, unknown>)[JOB_MARK] === true;
}

/** Options of `buildJob`. */
export interface BuildJobOptions {
  readonly args: readonly string[];
  readonly defaultParallelism: number;
  /** Job name when the job sets none (e.g. the file name). */
  readonly defaultName?: string;
  /** Where relative paths resolve (the client's directory); defaults to this process's. */
  readonly workingDirectory?: string;
  /** Where the module came from, for error messages. */
  readonly source?: string;
}

/** Runs a job module's builder and generates its JobGraph. Errors are user errors naming the job. */
export async function buildJob(moduleNamespace: unknown, options: BuildJobOptions): Promise<GeneratedJob> {
  const where = options.source ?? 'the job module';
  const def = (moduleNamespace as { default?: unknown } | null)?.default;
  if (!isJobDefinition(def)) {
    throw userError(
      'JOB_NO_DEFINITION',
      `${where} has no default export made with defineJob: add \`export default defineJob((env, args) => { ... })\``,
    );
  }
  const env = new StreamExecutionEnvironment(
    options.defaultParallelism,
    options.defaultName ?? 'eddy-job',
    options.workingDirectory ?? process.cwd(),
  );
  try {
    await def.build(env, new JobArgs(options.args));
    return generateJobGraph(env);
  } catch (err) {
    if (err instanceof EddyError && err.domain === 'user') {
      throw userError(err.code, `${where}: ${err.message}`, err);
    }
    const msg = err instanceof Error ? err.message : String(err);
    throw userError('JOB_BUILD_FAILED', `${where} threw while building its dataflow: ${msg}`, err);
  }
}
