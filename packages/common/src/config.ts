// Configuration: every key is declared once here with its type, default and description.
// Sources, lowest precedence first: defaults < eddy.yaml < environment EDDY__SECTION__KEY < -D key=value.
// Keys are hierarchical and kebab-case, as in Flink (`taskmanager.network.buffer-timeout`).
import { readFileSync, existsSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { userError } from './errors.ts';

/** A declared configuration option. */
export interface ConfigOption<T extends number | string | boolean> {
  readonly key: string;
  readonly defaultValue: T;
  readonly description: string;
}

function option<T extends number | string | boolean>(
  key: string,
  defaultValue: T,
  description: string,
): ConfigOption<T> {
  return { key, defaultValue, description };
}

/** Every configuration option of Eddy. */
export const ConfigOptions = {
  restAddress: option('rest.address', '127.0.0.1', 'Interface the JobManager REST API binds to.'),
  restPort: option('rest.port', 8081, 'Port of the JobManager REST API (0 picks a free port).'),
  jobManagerRpcAddress: option(
    'jobmanager.rpc.address',
    '127.0.0.1',
    'Interface the JobManager gRPC server binds to.',
  ),
  jobManagerRpcPort: option(
    'jobmanager.rpc.port',
    6123,
    'Port of the JobManager gRPC server (0 picks a free port).',
  ),
  bundleMaxBytes: option(
    'jobmanager.bundle.max-size',
    64 * 1024 * 1024,
    'Largest job bundle the BlobServer accepts, in bytes.',
  ),
  blobDir: option(
    'jobmanager.blob.dir',
    '',
    'Where the BlobServer stores bundles (default: a temporary directory).',
  ),
  heartbeatInterval: option('heartbeat.interval', 1000, 'Milliseconds between TaskManager heartbeats.'),
  heartbeatTimeout: option(
    'heartbeat.timeout',
    5000,
    'Milliseconds without a heartbeat after which a TaskManager is lost.',
  ),
  restartStrategy: option(
    'restart-strategy.type',
    'exponential-delay',
    'exponential-delay, fixed-delay or none.',
  ),
  restartInitialBackoff: option(
    'restart-strategy.exponential-delay.initial-backoff',
    500,
    'First restart delay in ms.',
  ),
  restartMaxBackoff: option(
    'restart-strategy.exponential-delay.max-backoff',
    30_000,
    'Largest restart delay in ms.',
  ),
  restartBackoffMultiplier: option(
    'restart-strategy.exponential-delay.backoff-multiplier',
    2,
    'Growth of the delay per restart.',
  ),
  restartJitter: option(
    'restart-strategy.exponential-delay.jitter-factor',
    0.1,
    'Random +- fraction added to each delay.',
  ),
  restartMaxAttempts: option(
    'restart-strategy.max-attempts',
    20,
    'Restarts before a job FAILS (0 = unlimited).',
  ),
  restartFixedDelay: option(
    'restart-strategy.fixed-delay.delay',
    1000,
    'Delay between restarts in ms (fixed-delay).',
  ),
  slotRequestTimeout: option(
    'slot.request.timeout',
    60_000,
    'Milliseconds a job waits for enough slots before failing.',
  ),
  taskManagerHost: option(
    'taskmanager.host',
    '127.0.0.1',
    'Address the TaskManager binds to and advertises.',
  ),
  taskManagerRpcPort: option(
    'taskmanager.rpc.port',
    0,
    'Port of the TaskManager gRPC server (0 picks a free port).',
  ),
  numberOfTaskSlots: option('taskmanager.number-of-task-slots', 1, 'Slots a TaskManager offers.'),
  taskManagerLocalDir: option(
    'taskmanager.local.dir',
    '',
    'Local working directory (default: a temporary directory).',
  ),
  bufferSize: option('taskmanager.network.buffer-size', 32 * 1024, 'Network buffer size in bytes.'),
  bufferTimeout: option(
    'taskmanager.network.buffer-timeout',
    100,
    'Milliseconds before a partly filled buffer is sent.',
  ),
  exclusiveBuffers: option(
    'taskmanager.network.buffers-per-channel',
    2,
    'Exclusive credits per input channel.',
  ),
  floatingBuffers: option(
    'taskmanager.network.floating-buffers-per-gate',
    8,
    'Floating credits per input gate.',
  ),
  metricsPort: option(
    'metrics.port',
    9249,
    'Port of the Prometheus /metrics endpoint (0 picks a free port, -1 disables).',
  ),
  metricsHost: option('metrics.host', '127.0.0.1', 'Interface the /metrics endpoint binds to.'),
  logLevel: option('log.level', 'info', 'pino log level.'),
  checkpointsDir: option(
    'state.checkpoints.dir',
    '',
    'Default checkpoint storage (file:///dir or s3://bucket/prefix) for jobs that set none; default: a directory under the system temp dir.',
  ),
  levelDbCacheEntries: option(
    'state.backend.leveldb.cache-entries',
    1_000_000,
    'Rows of LevelDB keyed state kept in memory per keyed operator (the working set); dirty rows are written back when they fill half of it, and before every snapshot.',
  ),
  s3Endpoint: option('s3.endpoint', '', 'S3 endpoint URL for checkpoint storage (empty: AWS).'),
  s3Region: option('s3.region', 'us-east-1', 'S3 region.'),
  s3AccessKey: option('s3.access-key', '', 'S3 access key id (empty: the AWS default credential chain).'),
  s3SecretKey: option('s3.secret-key', '', 'S3 secret access key.'),
  s3PathStyle: option(
    's3.path-style-access',
    false,
    'Path-style S3 URLs (MinIO and other S3-compatible servers).',
  ),
} as const;

type OptionValue<O> = O extends ConfigOption<infer T> ? T : never;

/** Resolved configuration: typed reads with defaults. */
export class Configuration {
  readonly #values: Map<string, string | number | boolean>;

  constructor(values: Iterable<readonly [string, string | number | boolean]> = []) {
    this.#values = new Map(values);
  }

  /** The value of `opt`, coerced to its declared type. */
  get<O extends ConfigOption<number | string | boolean>>(opt: O): OptionValue<O> {
    const raw = this.#values.get(opt.key);
    if (raw === undefined) return opt.defaultValue as OptionValue<O>;
    return coerce(opt, raw) as OptionValue<O>;
  }

  /** A copy with `key` set. */
  with(key: string, value: string | number | boolean): Configuration {
    const next = new Map(this.#values);
    next.set(key, value);
    return new Configuration(next);
  }

  /** The explicitly set entries. */
  entries(): [string, string | number | boolean][] {
    return [...this.#values];
  }
}

function coerce(
  opt: ConfigOption<number | string | boolean>,
  raw: string | number | boolean,
): number | string | boolean {
  switch (typeof opt.defaultValue) {
    case 'number': {
      const n = typeof raw === 'number' ? raw : Number(raw);
      if (!Number.isFinite(n)) {
        throw userError('CONFIG_INVALID', `config key '${opt.key}' must be a number, got '${String(raw)}'`);
      }
      return n;
    }
    case 'boolean':
      if (raw === true || raw === 'true') return true;
      if (raw === false || raw === 'false') return false;
      throw userError(
        'CONFIG_INVALID',
        `config key '${opt.key}' must be true or false, got '${String(raw)}'`,
      );
    default:
      return String(raw);
  }
}

const KNOWN_KEYS = new Set(Object.values(ConfigOptions).map((o) => o.key));

function flatten(prefix: string, value: unknown, out: Map<string, string | number | boolean>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(prefix === '' ? k : `${prefix}.${k}`, v, out);
  } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    out.set(prefix, value);
  }
}

/** Where configuration comes from. */
export interface ConfigSources {
  /** Path of eddy.yaml; ignored when it does not exist. */
  readonly file?: string;
  /** Environment; `EDDY__SECTION__KEY=v` sets `section.key`. */
  readonly env?: NodeJS.ProcessEnv;
  /** `-D key=value` strings. */
  readonly dynamic?: readonly string[];
}

/** Loads configuration from its sources, rejecting unknown keys with a clear error. */
export function loadConfiguration(sources: ConfigSources = {}): Configuration {
  const values = new Map<string, string | number | boolean>();
  if (sources.file !== undefined && existsSync(sources.file)) {
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(sources.file, 'utf8'));
    } catch (err) {
      throw userError('CONFIG_INVALID', `cannot parse ${sources.file}: ${(err as Error).message}`, err);
    }
    flatten('', doc, values);
  }
  for (const [name, value] of Object.entries(sources.env ?? {})) {
    if (!name.startsWith('EDDY__') || value === undefined) continue;
    values.set(name.slice('EDDY__'.length).toLowerCase().split('__').join('.').replaceAll('_', '-'), value);
  }
  for (const d of sources.dynamic ?? []) {
    const eq = d.indexOf('=');
    if (eq <= 0) throw userError('CONFIG_INVALID', `-D expects key=value, got '${d}'`);
    values.set(d.slice(0, eq).trim(), d.slice(eq + 1).trim());
  }
  for (const key of values.keys()) {
    if (!KNOWN_KEYS.has(key)) {
      throw userError(
        'CONFIG_UNKNOWN_KEY',
        `unknown config key '${key}'; see the configuration reference in README.md`,
      );
    }
  }
  const config = new Configuration(values);
  for (const opt of Object.values(ConfigOptions)) config.get(opt); // validates types early
  return config;
}
