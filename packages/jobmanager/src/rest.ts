// The JobManager's REST API (node:http, JSON, under /v1). Handlers are thin: they parse and check
// input, call the Dispatcher or the BlobServer, and render JSON. Every error is
// `{"errors":[{"code","message"}, ...]}` (DESIGN.md section 9): one entry per problem found, each
// message naming the problem and the fix; no input can crash the server (each request's failure is
// caught and answered).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { validateJobGraph, type JobGraph } from '@eddy/api';
import { CheckpointErrorCodes, METADATA_FILE_NAME } from '@eddy/checkpoint';
import { EddyError, isJobId, systemClock, userError, type JobId, type Logger } from '@eddy/common';
import { isBundleKey, type BlobServer } from './blob-server.ts';
import type { CheckpointStats } from './checkpoint-coordinator-shell.ts';
import type { Dispatcher } from './dispatcher.ts';
import { isTerminal } from './job-state.ts';
import type { JobMaster } from './job-master.ts';
import type { ResourceManager } from './resource-manager.ts';
import { checkSavepointPath, resolveSavepointRestore } from './savepoint-restore.ts';
import { SavepointRequestTracker, type SavepointRequestKind } from './savepoint-requests.ts';

/** Largest JSON request body accepted (a job graph with many vertices stays far below). */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

/** What the REST API serves. */
export interface RestContext {
  readonly dispatcher: Dispatcher;
  readonly resourceManager: ResourceManager;
  readonly blobs: BlobServer;
  readonly logger: Logger;
  /** Savepoint requests to poll (default: a tracker of this server's own). */
  readonly savepoints?: SavepointRequestTracker;
}

const STATUS: Readonly<Record<string, number>> = {
  NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  SAVEPOINT_REQUEST_NOT_FOUND: 404,
  SAVEPOINT_NOT_FOUND: 404,
  [CheckpointErrorCodes.NO_CHECKPOINT]: 404,
  BUNDLE_NOT_FOUND: 404,
  SINK_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  JOB_NOT_CANCELLABLE: 409,
  JOB_NOT_RUNNING: 409,
  CHECKPOINTING_DISABLED: 409,
  SAVEPOINT_REJECTED: 409,
  SAVEPOINT_IN_PROGRESS: 409,
  SAVEPOINT_TARGET_EXISTS: 409,
  BUNDLE_TOO_LARGE: 413,
  REQUEST_TOO_LARGE: 413,
  JOB_GRAPH_INVALID: 422,
  SAVEPOINT_STATE_NOT_MAPPED: 422,
  [CheckpointErrorCodes.CORRUPTED_CHECKPOINT]: 422,
  [CheckpointErrorCodes.FOREIGN_CHECKPOINT]: 422,
  [CheckpointErrorCodes.UNREACHABLE]: 503,
};

function statusOf(e: EddyError): number {
  return STATUS[e.code] ?? (e.domain === 'user' ? 400 : 500);
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(json)),
    ...headers,
  });
  res.end(json);
}

function badRequest(code: string, message: string): EddyError {
  return userError(code, message);
}

/** A request with several independent problems: answered with one `errors` entry per problem. */
class InvalidRequestError extends EddyError {
  readonly problems: readonly string[];
  constructor(code: string, what: string, problems: readonly string[]) {
    super(code, `${what}: ${problems.join('; ')}`, { domain: 'user' });
    this.problems = problems.map((p) => `${what}: ${p}`);
  }
}

/** One entry of an error response. */
interface RestErrorEntry {
  readonly code: string;
  readonly message: string;
}

/** The body of every error response: `{"errors":[...]}` with at least one entry. */
function errorBody(e: EddyError): { readonly errors: readonly RestErrorEntry[] } {
  const messages = e instanceof InvalidRequestError ? e.problems : [e.message];
  return { errors: messages.map((message) => ({ code: e.code, message })) };
}

/** Reads a JSON body of at most MAX_JSON_BYTES; an empty body is `{}` when `emptyIsObject`. */
async function readJson(req: IncomingMessage, emptyIsObject = false): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_JSON_BYTES) {
        req.removeAllListeners('data');
        req.pause();
        reject(
          userError(
            'REQUEST_TOO_LARGE',
            `request body exceeds ${MAX_JSON_BYTES} bytes: send a smaller job graph`,
          ),
        );
        return;
      }
      chunks.push(c);
    });
    req.once('end', resolve);
    req.once('error', reject);
  });
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '' && emptyIsObject) return {};
  if (text.trim() === '') throw badRequest('MALFORMED_JSON', 'request body is empty: send a JSON object');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(
      'MALFORMED_JSON',
      `request body is not valid JSON (${(err as Error).message}): send a JSON object`,
    );
  }
}

function jobIdParam(raw: string): JobId {
  if (!isJobId(raw)) {
    throw badRequest(
      'INVALID_JOB_ID',
      `'${raw.slice(0, 80)}' is not a job id: job ids are 32 lowercase hex characters`,
    );
  }
  return raw;
}

interface SubmitBody {
  readonly bundleKey: string;
  readonly jobGraph: unknown;
  readonly args: readonly string[];
  readonly defaultParallelism: number | undefined;
  readonly workingDirectory: string | undefined;
  readonly fromSavepoint: string | undefined;
  readonly allowNonRestoredState: boolean;
}

function parseSubmitBody(body: unknown): SubmitBody {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest(
      'INVALID_REQUEST',
      'request body must be a JSON object {bundleKey, jobGraph, args, defaultParallelism}',
    );
  }
  const b = body as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof b['bundleKey'] !== 'string' || !isBundleKey(b['bundleKey'])) {
    problems.push('bundleKey must be the key returned by POST /v1/jars (64 hex characters)');
  }
  if (b['jobGraph'] === undefined) problems.push('jobGraph is missing');
  const args = b['args'] ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string'))
    problems.push('args must be an array of strings');
  const p = b['defaultParallelism'];
  if (p !== undefined && !(Number.isInteger(p) && (p as number) > 0)) {
    problems.push('defaultParallelism must be a positive integer');
  }
  const wd = b['workingDirectory'];
  if (wd !== undefined && (typeof wd !== 'string' || !wd.startsWith('/'))) {
    problems.push('workingDirectory must be an absolute path');
  }
  const sp = b['fromSavepoint'];
  if (sp !== undefined && (typeof sp !== 'string' || sp.trim() === '')) {
    problems.push('fromSavepoint must be a savepoint URI or absolute path');
  }
  const allow = b['allowNonRestoredState'] ?? false;
  if (typeof allow !== 'boolean') problems.push('allowNonRestoredState must be a boolean');
  if (problems.length > 0)
    throw new InvalidRequestError('INVALID_REQUEST', 'invalid job submission', problems);
  return {
    bundleKey: b['bundleKey'] as string,
    jobGraph: b['jobGraph'],
    args: args as string[],
    defaultParallelism: p as number | undefined,
    workingDirectory: wd as string | undefined,
    fromSavepoint: sp as string | undefined,
    allowNonRestoredState: allow === true,
  };
}

interface SavepointBody {
  readonly targetDirectory: string | undefined;
  /** Stop with drain: end event time before the savepoint and let the job finish. */
  readonly drain: boolean;
}

function parseSavepointBody(body: unknown, kind: SavepointRequestKind): SavepointBody {
  const what = kind === 'stop' ? 'stop' : 'savepoint';
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('INVALID_REQUEST', `${what} request body must be a JSON object {targetDirectory?}`);
  }
  const b = body as Record<string, unknown>;
  const problems: string[] = [];
  const target = b['targetDirectory'];
  if (target !== undefined && (typeof target !== 'string' || target.trim() === '')) {
    problems.push('targetDirectory must be a URI (file:///dir, s3://bucket/prefix) or an absolute path');
  }
  if (kind === 'stop') {
    const drain = b['drain'] ?? false;
    if (typeof drain !== 'boolean') problems.push('drain must be a boolean');
  }
  if (problems.length > 0)
    throw new InvalidRequestError('INVALID_REQUEST', `invalid ${what} request`, problems);
  return { targetDirectory: target as string | undefined, drain: b['drain'] === true };
}

/**
 * Where a savepoint goes: the given directory, else a fresh one under the job's checkpoint storage
 * (`<storage>/savepoints/savepoint-<jobId:6>-<random>`, as Flink names them). Refuses a directory
 * that already holds a savepoint or that another request is writing.
 */
async function savepointTarget(
  job: JobMaster,
  given: string | undefined,
  dispatcher: Dispatcher,
  savepoints: SavepointRequestTracker,
): Promise<string> {
  // The request itself first: a malformed directory is wrong whatever the job's state.
  const checked = given === undefined ? undefined : checkSavepointPath(given, 'targetDirectory');
  if (isTerminal(job.state)) {
    throw userError(
      'JOB_NOT_RUNNING',
      `job ${job.jobId} is ${job.state}: savepoints can be taken only of a running job`,
    );
  }
  const storageUri = job.checkpointStorageUri;
  if (storageUri === undefined) {
    throw userError(
      'CHECKPOINTING_DISABLED',
      `job ${job.jobId} does not enable checkpointing, so it cannot take savepoints: call env.enableCheckpointing(...) in the job`,
    );
  }
  const target =
    checked === undefined
      ? `${storageUri.replace(/\/+$/, '')}/savepoints/savepoint-${job.jobId.slice(0, 6)}-${randomBytes(6).toString('hex')}`
      : checked;
  if (savepoints.inProgressInto(target)) {
    throw userError(
      'SAVEPOINT_IN_PROGRESS',
      `a savepoint into ${target} is already in progress: wait for it, or choose another directory`,
    );
  }
  if (await dispatcher.checkpointStorage(target).exists(METADATA_FILE_NAME)) {
    throw userError(
      'SAVEPOINT_TARGET_EXISTS',
      `${target} already holds a savepoint or checkpoint (${METADATA_FILE_NAME}): choose an empty directory, or dispose of the old one with eddy savepoint --dispose`,
    );
  }
  return target;
}

/** Stop-with-savepoint's second half: the job may have finished on its own in the meantime. */
function cancelUnlessEnded(job: JobMaster): void {
  if (!isTerminal(job.state)) job.cancel();
}

/** The rejection of `p` when it rejects before any I/O could have happened, else undefined. */
async function rejectedAtOnce(p: Promise<unknown>): Promise<EddyError | undefined> {
  let refused: EddyError | undefined;
  void p.catch((err: unknown) => {
    refused ??= EddyError.from(err);
  });
  await new Promise<void>((resolve) => setImmediate(resolve));
  // Only the job's own refusals (user errors) are answered directly; anything else is a failed request.
  return refused?.domain === 'user' ? refused : undefined;
}

/** The body of GET /v1/jobs/:id/checkpoints. */
function checkpointsView(history: readonly CheckpointStats[]): object {
  const counts = { completed: 0, failed: 0, inProgress: 0 };
  let latest: CheckpointStats | undefined;
  for (const h of history) {
    if (h.status === 'completed') {
      counts.completed++;
      if (latest === undefined || h.id > latest.id) latest = h;
    } else if (h.status === 'failed') counts.failed++;
    else counts.inProgress++;
  }
  return {
    counts,
    latest:
      latest === undefined
        ? null
        : {
            id: latest.id,
            kind: latest.kind,
            path: latest.path ?? null,
            durationMs: latest.durationMs ?? null,
            stateSize: latest.stateSize ?? null,
          },
    history,
  };
}

/** The uids of a job's CollectSinks (sink operators that describe themselves as `{kind:'collect'}`). */
function collectSinkUids(graph: JobGraph): string[] {
  return graph.vertices
    .flatMap((v) => v.operators)
    .filter((o) => o.kind === 'sink' && (o.config as { kind?: unknown } | null)?.kind === 'collect')
    .map((o) => o.uid);
}

function decodeParam(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    throw badRequest('INVALID_REQUEST', `path segment '${p.slice(0, 80)}' is not valid percent-encoding`);
  }
}

type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  params: readonly string[],
) => Promise<void>;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly handler: Handler;
}

function routes(ctx: RestContext): Route[] {
  const { dispatcher, resourceManager: rm, blobs } = ctx;
  const savepoints = ctx.savepoints ?? new SavepointRequestTracker(systemClock);
  const trigger =
    (kind: SavepointRequestKind) =>
    async (
      req: IncomingMessage,
      res: ServerResponse,
      _url: URL,
      [id = '']: readonly string[],
    ): Promise<void> => {
      const job = dispatcher.job(jobIdParam(id));
      const body = parseSavepointBody(await readJson(req, true), kind);
      const target = await savepointTarget(job, body.targetDirectory, dispatcher, savepoints);
      const result =
        kind === 'stop'
          ? body.drain
            ? job.stopWithSavepoint(target, true)
            : job.triggerSavepoint(target).then((location) => {
                cancelUnlessEnded(job);
                return location;
              })
          : job.triggerSavepoint(target);
      // A trigger the job refuses at once (not running, no checkpointing, another savepoint
      // pending) is the caller's error now, not a request that fails later.
      const refused = await rejectedAtOnce(result);
      if (refused !== undefined) throw refused;
      send(res, 202, { requestId: savepoints.track(job.jobId, kind, target, result) });
    };
  return [
    {
      method: 'GET',
      pattern: /^\/v1\/overview$/,
      handler: async (_req, res) => send(res, 200, dispatcher.overview()),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/jars$/,
      handler: async (req, res) => {
        const declared = Number(req.headers['content-length'] ?? NaN);
        if (declared > blobs.maxBytes) {
          throw userError(
            'BUNDLE_TOO_LARGE',
            `job bundle of ${declared} bytes exceeds the limit of ${blobs.maxBytes} bytes (jobmanager.bundle.max-size): ` +
              'shrink the bundle (mark large dependencies external) or raise the limit on the JobManager',
          );
        }
        const bundleKey = await blobs.put(req);
        send(res, 201, { bundleKey });
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/jobs$/,
      handler: async (req, res) => {
        const body = parseSubmitBody(await readJson(req));
        const graph = validateJobGraph(body.jobGraph);
        if (!(await blobs.has(body.bundleKey))) {
          throw userError(
            'BUNDLE_NOT_FOUND',
            `no job bundle with key ${body.bundleKey} on this JobManager: upload it with POST /v1/jars first`,
          );
        }
        const restoreFrom =
          body.fromSavepoint === undefined
            ? undefined
            : await resolveSavepointRestore(body.fromSavepoint, graph, body.allowNonRestoredState, (uri) =>
                dispatcher.checkpointStorage(uri),
              );
        const jobId = dispatcher.submit(
          graph,
          body.bundleKey,
          body.args,
          body.defaultParallelism ?? graph.defaultParallelism,
          body.workingDirectory,
          restoreFrom,
        );
        send(res, 202, { jobId });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/jobs$/,
      handler: async (_req, res) => send(res, 200, { jobs: dispatcher.jobs() }),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/jobs\/([^/]+)$/,
      handler: async (_req, res, _url, [id = '']) => send(res, 200, dispatcher.job(jobIdParam(id)).details()),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/jobs\/([^/]+)\/cancel$/,
      handler: async (_req, res, _url, [id = '']) => {
        const job = dispatcher.job(jobIdParam(id));
        job.cancel();
        send(res, 202, { jobId: job.jobId, state: job.state });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/jobs\/([^/]+)\/checkpoints$/,
      handler: async (_req, res, _url, [id = '']) =>
        send(res, 200, checkpointsView(dispatcher.job(jobIdParam(id)).checkpointHistory())),
    },
    { method: 'POST', pattern: /^\/v1\/jobs\/([^/]+)\/savepoints$/, handler: trigger('savepoint') },
    { method: 'POST', pattern: /^\/v1\/jobs\/([^/]+)\/stop$/, handler: trigger('stop') },
    {
      method: 'GET',
      pattern: /^\/v1\/jobs\/([^/]+)\/savepoints\/([^/]+)$/,
      handler: async (_req, res, _url, [id = '', requestId = '']) => {
        const jobId = jobIdParam(id);
        // Requests outlive nothing: an unknown job is JOB_NOT_FOUND before the request is looked up.
        dispatcher.job(jobId);
        const r = savepoints.get(jobId, requestId);
        send(res, 200, r);
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/jobs\/([^/]+)\/exceptions$/,
      handler: async (_req, res, _url, [id = '']) =>
        send(res, 200, { history: dispatcher.job(jobIdParam(id)).exceptions() }),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/jobs\/([^/]+)\/collect$/,
      handler: async (_req, res, url, [id = '']) => {
        const job = dispatcher.job(jobIdParam(id));
        const sink = url.searchParams.get('sink');
        if (sink === null || sink === '') {
          throw badRequest(
            'INVALID_REQUEST',
            'query parameter sink is missing: pass ?sink=<uid of the collect sink>',
          );
        }
        // A misspelt uid would otherwise read as "nothing collected yet", forever.
        const uids = collectSinkUids(job.graph);
        if (!uids.includes(sink)) {
          throw userError(
            'SINK_NOT_FOUND',
            `job ${job.jobId} has no CollectSink with uid '${sink.slice(0, 128)}' (${
              uids.length === 0 ? 'it has none' : `its CollectSinks: ${uids.map((u) => `'${u}'`).join(', ')}`
            }): give the sink a uid with .sinkTo(new CollectSink()).uid('name') and pass ?sink=name`,
          );
        }
        send(res, 200, { records: job.collected(sink) });
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/taskmanagers$/,
      handler: async (_req, res) =>
        send(res, 200, {
          taskmanagers: rm.taskManagers().map((tm) => ({
            id: tm.id,
            address: tm.address,
            slots: tm.slots,
            freeSlots: rm.freeSlots(tm),
            lastHeartbeat: tm.lastHeartbeat,
            metricsAddress: tm.metricsAddress,
          })),
        }),
    },
  ];
}

/** Creates (does not start) the REST server. */
export function createRestServer(ctx: RestContext): Server {
  const table = routes(ctx);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const matching = table.filter((r) => r.pattern.test(url.pathname));
    const route = matching.find((r) => r.method === req.method);
    if (route === undefined) {
      if (matching.length > 0) {
        throw userError(
          'METHOD_NOT_ALLOWED',
          `${req.method} is not allowed on ${url.pathname}: use ${matching.map((r) => r.method).join(' or ')}`,
        );
      }
      throw userError(
        'NOT_FOUND',
        `no such endpoint ${req.method} ${url.pathname}: the API lives under /v1 (/v1/overview, /v1/jobs, /v1/jars, /v1/taskmanagers)`,
      );
    }
    const params = route.pattern.exec(url.pathname)?.slice(1) ?? [];
    await route.handler(req, res, url, params.map(decodeParam));
  };
  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const e = EddyError.from(err);
      const status = statusOf(e);
      if (status >= 500)
        ctx.logger.error({ err: e, method: req.method, url: req.url }, 'REST request failed');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // Whatever is left of a request body we refused to read is not worth reading: close after answering.
      const unread = !req.complete;
      send(res, status, errorBody(e), unread ? { connection: 'close' } : {});
    });
  });
}
