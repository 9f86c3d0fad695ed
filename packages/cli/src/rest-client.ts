// A client of the JobManager's REST API (/v1), used by the CLI commands and by tests. Built on fetch.
// Error bodies (`{"errors":[{"code","message"}, ...]}`, DESIGN.md section 9; the older
// `{"error":{...}}` is still understood) become EddyErrors carrying the server's code and messages,
// so the CLI prints what the JobManager said instead of an HTTP status.
import { EddyError, type ErrorDomain, type JobId } from '@eddy/common';
import type { JobGraph } from '@eddy/api';

/** Job states in which a job will not change any more. */
export const TERMINAL_JOB_STATES: ReadonlySet<string> = new Set(['FINISHED', 'CANCELED', 'FAILED']);

/** One row of GET /v1/jobs. */
export interface JobSummary {
  readonly jobId: JobId;
  readonly name: string;
  readonly state: string;
  readonly startTime: number | string | null;
  readonly endTime: number | string | null;
  readonly durationMs: number | null;
  readonly restarts: number;
}

/** Why a job failed, as the JobManager reports it. */
export interface JobFailure {
  readonly code: string;
  readonly message: string;
  readonly [key: string]: unknown;
}

/** A vertex of GET /v1/jobs/:id. */
export interface JobVertexStatus {
  readonly id: string;
  readonly name: string;
  readonly parallelism: number;
  readonly tasks: readonly Record<string, unknown>[];
}

/** GET /v1/jobs/:id. */
export interface JobDetails {
  readonly jobId: JobId;
  readonly name: string;
  readonly state: string;
  readonly attempt: number;
  readonly restarts: number;
  readonly startTime: number | string | null;
  readonly endTime: number | string | null;
  readonly failure?: JobFailure;
  readonly vertices: readonly JobVertexStatus[];
}

/** The body of POST /v1/jobs. */
export interface SubmitJobRequest {
  readonly bundleKey: string;
  readonly jobGraph: JobGraph;
  readonly args: readonly string[];
  readonly defaultParallelism: number;
  readonly workingDirectory?: string;
  /** A savepoint (URI or absolute path) the job starts from. */
  readonly fromSavepoint?: string;
  /** Drop savepoint state of operators the job no longer has instead of refusing. */
  readonly allowNonRestoredState?: boolean;
}

/** One row of a job's checkpoint history (GET /v1/jobs/:id/checkpoints). */
export interface CheckpointStatsRow {
  readonly id: number;
  readonly kind: 'checkpoint' | 'savepoint';
  readonly status: 'in-progress' | 'completed' | 'failed';
  readonly triggerTime: number;
  readonly durationMs?: number;
  readonly stateSize?: number;
  readonly alignmentMs: number;
  readonly failure?: string;
  readonly path?: string;
}

/** GET /v1/jobs/:id/checkpoints. */
export interface CheckpointsOverview {
  readonly counts: { readonly completed: number; readonly failed: number; readonly inProgress: number };
  readonly latest: {
    readonly id: number;
    readonly path: string | null;
    readonly durationMs: number | null;
    readonly stateSize: number | null;
  } | null;
  readonly history: readonly CheckpointStatsRow[];
}

/** GET /v1/jobs/:id/savepoints/:requestId. */
export interface SavepointRequestStatus {
  readonly requestId: string;
  readonly status: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  readonly targetDirectory?: string;
  readonly location?: string;
  readonly failure?: { readonly code: string; readonly message: string };
}

/** Options of `waitForSavepoint`. */
export interface WaitForSavepointOptions {
  /** Poll interval in ms (default 200). */
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
}

/** Options of a RestClient. */
export interface RestClientOptions {
  /** Per-request timeout in ms (default 30 s; uploads get four times as long). */
  readonly timeoutMs?: number;
  /** Bearer token for the REST API, when the cluster requires one. */
  readonly token?: string;
}

/** Client options from the environment: EDDY_REST_TOKEN is the bearer token, when set. */
export function restOptionsFromEnv(env: NodeJS.ProcessEnv): RestClientOptions {
  const token = env['EDDY_REST_TOKEN'];
  return token === undefined || token === '' ? {} : { token };
}

/** Options of `waitForJob`. */
export interface WaitForJobOptions {
  /** Poll interval in ms (default 200). */
  readonly intervalMs?: number;
  /** Stops waiting (rejects with the signal's reason). */
  readonly signal?: AbortSignal;
  /** Called with every status seen, e.g. to report progress. */
  readonly onStatus?: (job: JobDetails) => void;
}

/** A client of one JobManager's REST API. */
export class RestClient {
  /** `http://host:port`, without a trailing slash. */
  readonly baseUrl: string;
  readonly #timeoutMs: number;
  readonly #token: string | undefined;

  /** `address` is `host:port` or an http(s) URL. */
  constructor(address: string, options: RestClientOptions = {}) {
    const trimmed = address.replace(/\/+$/, '');
    this.baseUrl = /^https?:\/\//.test(trimmed) ? trimmed : `http://${trimmed}`;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#token = options.token;
  }

  /** POST /v1/jars: uploads a job bundle; returns the key the server chose for it. */
  async uploadBundle(bytes: Uint8Array, signal?: AbortSignal): Promise<{ bundleKey: string }> {
    const body = await this.#request('POST', '/v1/jars', {
      body: bytes,
      contentType: 'application/octet-stream',
      timeoutMs: this.#timeoutMs * 4,
      signal,
    });
    const key = (body as { bundleKey?: unknown } | undefined)?.bundleKey;
    if (typeof key !== 'string') throw this.#badResponse('POST /v1/jars', 'no bundleKey');
    return { bundleKey: key };
  }

  /** POST /v1/jobs: submits a job graph for an uploaded bundle. */
  async submitJob(request: SubmitJobRequest, signal?: AbortSignal): Promise<{ jobId: JobId }> {
    const body = await this.#request('POST', '/v1/jobs', { json: request, signal });
    const id = (body as { jobId?: unknown } | undefined)?.jobId;
    if (typeof id !== 'string') throw this.#badResponse('POST /v1/jobs', 'no jobId');
    return { jobId: id as JobId };
  }

  /** GET /v1/jobs. */
  async listJobs(signal?: AbortSignal): Promise<JobSummary[]> {
    const body = await this.#request('GET', '/v1/jobs', { signal });
    const jobs = (body as { jobs?: unknown } | undefined)?.jobs;
    if (!Array.isArray(jobs)) throw this.#badResponse('GET /v1/jobs', 'no jobs array');
    return jobs as JobSummary[];
  }

  /** GET /v1/jobs/:id. */
  async getJob(jobId: JobId, signal?: AbortSignal): Promise<JobDetails> {
    return (await this.#request('GET', `/v1/jobs/${encodeURIComponent(jobId)}`, { signal })) as JobDetails;
  }

  /** POST /v1/jobs/:id/cancel. */
  async cancelJob(jobId: JobId, signal?: AbortSignal): Promise<void> {
    await this.#request('POST', `/v1/jobs/${encodeURIComponent(jobId)}/cancel`, { signal });
  }

  /**
   * GET /v1/jobs/:id/collect?sink=uid: every record the job's CollectSink with uid `sinkUid` has
   * delivered to the JobManager so far.
   */
  async collected(jobId: JobId, sinkUid: string, signal?: AbortSignal): Promise<unknown[]> {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}/collect?sink=${encodeURIComponent(sinkUid)}`;
    const body = await this.#request('GET', path, { signal });
    const records = (body as { records?: unknown } | undefined)?.records;
    if (!Array.isArray(records)) throw this.#badResponse(`GET ${path}`, 'no records array');
    return records;
  }

  /** GET /v1/overview. */
  async overview(signal?: AbortSignal): Promise<Record<string, unknown>> {
    return (await this.#request('GET', '/v1/overview', { signal })) as Record<string, unknown>;
  }

  /** GET /v1/taskmanagers. */
  async taskManagers(signal?: AbortSignal): Promise<unknown> {
    return this.#request('GET', '/v1/taskmanagers', { signal });
  }

  /** GET /v1/jobs/:id/checkpoints. */
  async checkpoints(jobId: JobId, signal?: AbortSignal): Promise<CheckpointsOverview> {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}/checkpoints`;
    const body = (await this.#request('GET', path, { signal })) as Partial<CheckpointsOverview> | undefined;
    if (!Array.isArray(body?.history)) throw this.#badResponse(`GET ${path}`, 'no history array');
    return body as CheckpointsOverview;
  }

  /** POST /v1/jobs/:id/savepoints: triggers a savepoint; returns the request id to poll. */
  async triggerSavepoint(
    jobId: JobId,
    targetDirectory?: string,
    signal?: AbortSignal,
  ): Promise<{ requestId: string }> {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}/savepoints`;
    const json = targetDirectory === undefined ? {} : { targetDirectory };
    return this.#requestId(`POST ${path}`, await this.#request('POST', path, { json, signal }));
  }

  /** POST /v1/jobs/:id/stop: a savepoint, then the job is canceled; returns the request id to poll. */
  async stopJob(
    jobId: JobId,
    options: { readonly targetDirectory?: string; readonly drain?: boolean } = {},
    signal?: AbortSignal,
  ): Promise<{ requestId: string }> {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}/stop`;
    const json = {
      ...(options.targetDirectory === undefined ? {} : { targetDirectory: options.targetDirectory }),
      ...(options.drain === true ? { drain: true } : {}),
    };
    return this.#requestId(`POST ${path}`, await this.#request('POST', path, { json, signal }));
  }

  /** GET /v1/jobs/:id/savepoints/:requestId. */
  async savepointStatus(
    jobId: JobId,
    requestId: string,
    signal?: AbortSignal,
  ): Promise<SavepointRequestStatus> {
    const path = `/v1/jobs/${encodeURIComponent(jobId)}/savepoints/${encodeURIComponent(requestId)}`;
    const body = (await this.#request('GET', path, { signal })) as
      Partial<SavepointRequestStatus> | undefined;
    if (typeof body?.status !== 'string') throw this.#badResponse(`GET ${path}`, 'no status');
    return body as SavepointRequestStatus;
  }

  /** Polls a savepoint request until it is COMPLETED or FAILED; returns the last status. */
  async waitForSavepoint(
    jobId: JobId,
    requestId: string,
    options: WaitForSavepointOptions = {},
  ): Promise<SavepointRequestStatus> {
    for (;;) {
      options.signal?.throwIfAborted();
      const s = await this.savepointStatus(jobId, requestId, options.signal);
      if (s.status !== 'IN_PROGRESS') return s;
      await delay(options.intervalMs ?? 200, options.signal);
    }
  }

  #requestId(what: string, body: unknown): { requestId: string } {
    const id = (body as { requestId?: unknown } | undefined)?.requestId;
    if (typeof id !== 'string') throw this.#badResponse(what, 'no requestId');
    return { requestId: id };
  }

  /** Polls GET /v1/jobs/:id until the job is FINISHED, CANCELED or FAILED; returns the last status. */
  async waitForJob(jobId: JobId, options: WaitForJobOptions = {}): Promise<JobDetails> {
    const interval = options.intervalMs ?? 200;
    for (;;) {
      options.signal?.throwIfAborted();
      const job = await this.getJob(jobId, options.signal);
      options.onStatus?.(job);
      if (TERMINAL_JOB_STATES.has(job.state)) return job;
      await delay(interval, options.signal);
    }
  }

  async #request(
    method: string,
    path: string,
    options: {
      json?: unknown;
      body?: Uint8Array;
      contentType?: string;
      timeoutMs?: number;
      signal?: AbortSignal | undefined;
    },
  ): Promise<unknown> {
    const url = this.baseUrl + path;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#token !== undefined) headers['authorization'] = `Bearer ${this.#token}`;
    let body: string | Uint8Array<ArrayBuffer> | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/octet-stream';
      body = options.body as Uint8Array<ArrayBuffer>;
    }
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.#timeoutMs);
    const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { method, headers, signal, ...(body === undefined ? {} : { body }) });
      text = await res.text();
    } catch (err) {
      if (options.signal?.aborted === true) throw options.signal.reason;
      throw this.#transportError(method, path, err, timeout.aborted);
    }
    let parsed: unknown;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (!res.ok) throw errorFromResponse(res.status, parsed, text, `${method} ${path}`);
    if (text !== '' && parsed === undefined) {
      throw this.#badResponse(`${method} ${path}`, 'the body is not JSON');
    }
    return parsed;
  }

  #transportError(method: string, path: string, err: unknown, timedOut: boolean): EddyError {
    if (timedOut) {
      return new EddyError(
        'JOBMANAGER_TIMEOUT',
        `the JobManager at ${this.baseUrl} did not answer ${method} ${path} in time`,
        { domain: 'external', retryable: true, cause: err },
      );
    }
    const code = causeCode(err);
    const why = code === undefined ? '' : ` (${code})`;
    return new EddyError(
      'JOBMANAGER_UNREACHABLE',
      `cannot reach the JobManager at ${this.baseUrl}${why}: is it running? ` +
        `Start one with 'eddy cluster start', or point at it with -m host:port or EDDY_JOBMANAGER`,
      { domain: 'external', retryable: true, cause: err },
    );
  }

  #badResponse(what: string, why: string): EddyError {
    return new EddyError(
      'JOBMANAGER_BAD_RESPONSE',
      `unexpected answer from ${this.baseUrl} to ${what}: ${why}`,
      {
        domain: 'external',
      },
    );
  }
}

/**
 * The EddyError for a non-2xx response: the server's `{"errors":[{code,message}, ...]}` (or the
 * older `{"error":{code,message}}`) when there is one, otherwise a message built from the status.
 * Several entries become one error with the first code and every message, one per line.
 */
export function errorFromResponse(status: number, body: unknown, text: string, what: string): EddyError {
  const domain: ErrorDomain = status >= 500 ? 'external' : 'user';
  const retryable = status === 503 || status === 429;
  const server = serverError(body);
  if (server !== undefined) {
    return new EddyError(server.code ?? `HTTP_${status}`, server.message, { domain, retryable });
  }
  if (status === 413) {
    return new EddyError('BUNDLE_TOO_LARGE', 'the job bundle is larger than the JobManager accepts', {
      domain: 'user',
    });
  }
  if (status === 404) {
    return new EddyError('NOT_FOUND', `${what}: not found (is this an Eddy JobManager?)`, { domain: 'user' });
  }
  const snippet = text.trim().slice(0, 200);
  return new EddyError(
    `HTTP_${status}`,
    `${what} failed with HTTP ${status}${snippet === '' ? '' : `: ${snippet}`}`,
    { domain, retryable },
  );
}

function serverError(body: unknown): { code?: string; message: string } | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const b = body as { error?: unknown; errors?: unknown };
  const entries = (Array.isArray(b.errors) ? b.errors : b.error === undefined ? [] : [b.error])
    .map(errorEntry)
    .filter((e) => e !== undefined);
  const first = entries[0];
  if (first === undefined) return undefined;
  const message = entries.map((e) => e.message).join('\n');
  return first.code === undefined ? { message } : { code: first.code, message };
}

function errorEntry(one: unknown): { code?: string; message: string } | undefined {
  if (typeof one === 'string') return { message: one };
  if (one !== null && typeof one === 'object') {
    const { code, message } = one as { code?: unknown; message?: unknown };
    if (typeof message === 'string') return typeof code === 'string' ? { code, message } : { message };
  }
  return undefined;
}

function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e !== null && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
