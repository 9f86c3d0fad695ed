// Savepoint requests of the REST API (POST /v1/jobs/:id/savepoints and /stop): each trigger gets a
// request id that clients poll (DESIGN.md section 9, "long operations return 202 with a request id").
// The tracker only records how each request's promise settled; the JobMaster does the work. Runs on
// the JobManager's event loop. Finished requests are kept, oldest dropped first, up to a bound.
import { randomBytes } from 'node:crypto';
import { EddyError, userError, type Clock, type JobId } from '@eddy/common';

/** How a savepoint request stands. */
export type SavepointRequestStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/** What started the request: a savepoint alone, or stop-with-savepoint. */
export type SavepointRequestKind = 'savepoint' | 'stop';

/** The body of GET /v1/jobs/:id/savepoints/:requestId. */
export interface SavepointRequestView {
  readonly requestId: string;
  readonly jobId: JobId;
  readonly kind: SavepointRequestKind;
  readonly status: SavepointRequestStatus;
  readonly targetDirectory: string;
  readonly triggerTime: number;
  /** The savepoint's URI, once COMPLETED. */
  readonly location?: string;
  /** Why it FAILED. */
  readonly failure?: { readonly code: string; readonly message: string };
  readonly completionTime?: number;
}

/** Finished requests remembered for polling (the oldest are forgotten first). */
export const MAX_FINISHED_SAVEPOINT_REQUESTS = 1000;

/** Request ids and outcomes of savepoints triggered through REST. */
export class SavepointRequestTracker {
  readonly #clock: Clock;
  readonly #maxFinished: number;
  readonly #requests = new Map<string, SavepointRequestView>();
  #finished = 0;

  constructor(clock: Clock, maxFinished = MAX_FINISHED_SAVEPOINT_REQUESTS) {
    this.#clock = clock;
    this.#maxFinished = maxFinished;
  }

  /** Records a request whose outcome is `result` (the savepoint's URI); returns its id. */
  track(jobId: JobId, kind: SavepointRequestKind, targetDirectory: string, result: Promise<string>): string {
    const requestId = randomBytes(16).toString('hex');
    this.#requests.set(requestId, {
      requestId,
      jobId,
      kind,
      status: 'IN_PROGRESS',
      targetDirectory,
      triggerTime: this.#clock.now(),
    });
    void result.then(
      (location) => this.#settle(requestId, { status: 'COMPLETED', location }),
      (err: unknown) => {
        const e = EddyError.from(err);
        this.#settle(requestId, { status: 'FAILED', failure: { code: e.code, message: e.message } });
      },
    );
    return requestId;
  }

  #settle(requestId: string, outcome: Pick<SavepointRequestView, 'status' | 'location' | 'failure'>): void {
    const r = this.#requests.get(requestId);
    if (r === undefined) return;
    this.#requests.set(requestId, { ...r, ...outcome, completionTime: this.#clock.now() });
    this.#finished++;
    // Map iteration is insertion order, so the first finished entries found are the oldest.
    for (const [id, old] of this.#requests) {
      if (this.#finished <= this.#maxFinished) break;
      if (old.status === 'IN_PROGRESS') continue;
      this.#requests.delete(id);
      this.#finished--;
    }
  }

  /** The request `requestId` of `jobId`; SAVEPOINT_REQUEST_NOT_FOUND when there is none. */
  get(jobId: JobId, requestId: string): SavepointRequestView {
    const r = this.#requests.get(requestId);
    if (r === undefined || r.jobId !== jobId) {
      throw userError(
        'SAVEPOINT_REQUEST_NOT_FOUND',
        `job ${jobId} has no savepoint request ${requestId.slice(0, 64)}: use the requestId returned by ` +
          `POST /v1/jobs/${jobId}/savepoints or /stop (finished requests are kept for the last ${this.#maxFinished})`,
      );
    }
    return r;
  }

  /** Whether a request into `targetDirectory` is still running (two would write the same objects). */
  inProgressInto(targetDirectory: string): boolean {
    for (const r of this.#requests.values())
      if (r.status === 'IN_PROGRESS' && r.targetDirectory === targetDirectory) return true;
    return false;
  }
}
