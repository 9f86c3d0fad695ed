// Fetching and loading job bundles. A bundle is fetched once per TaskManager from the JobManager's
// BlobServer (concurrent requests share one download), written under the local directory, and
// imported; every task then rebuilds the job's graph from it and must get the submitted hash.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { buildJob, installJobModuleResolver, type GeneratedJob } from '@eddy/api';
import { EddyError, userError } from '@eddy/common';
import { BlobServiceDefinition, pb, type eddy } from '@eddy/network';
import type { JobSubmission } from '@eddy/runtime';

// Bundles import @eddy/* as externals: resolve them to this TaskManager's packages.
installJobModuleResolver((specifier) => import.meta.resolve(specifier));

/** Downloads and imports bundles. */
export class BundleCache {
  readonly #dir: string;
  readonly #client: grpc.Client;
  readonly #modules = new Map<string, Promise<unknown>>();

  constructor(localDir: string, client: grpc.Client) {
    this.#dir = join(localDir, 'bundles');
    this.#client = client;
  }

  /** The imported module of bundle `key`. */
  module(key: string): Promise<unknown> {
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(key)) {
      return Promise.reject(userError('BUNDLE_KEY_INVALID', `invalid bundle key '${key}'`));
    }
    let m = this.#modules.get(key);
    if (m === undefined) {
      m = this.#load(key);
      this.#modules.set(key, m);
      // A failed download may succeed later (e.g. after a JobManager hiccup): do not cache failures.
      m.catch(() => this.#modules.delete(key));
    }
    return m;
  }

  async #load(key: string): Promise<unknown> {
    await mkdir(this.#dir, { recursive: true });
    const file = join(this.#dir, `${key}.mjs`);
    if (!(await stat(file).catch(() => undefined))) {
      const tmp = `${file}.${process.pid}.part`;
      const call = this.#client.makeServerStreamRequest(
        BlobServiceDefinition.fetchBlob.path,
        BlobServiceDefinition.fetchBlob.requestSerialize,
        BlobServiceDefinition.fetchBlob.responseDeserialize,
        pb.FetchBlobRequest.create({ key }),
        new grpc.Metadata(),
        { deadline: Date.now() + 60_000 },
      );
      const bytes = Readable.from(
        (async function* () {
          for await (const chunk of call as AsyncIterable<eddy.v1.BlobChunk>) yield chunk.data;
        })(),
      );
      try {
        await pipeline(bytes, createWriteStream(tmp));
      } catch (err) {
        throw new EddyError(
          'BUNDLE_FETCH_FAILED',
          `could not fetch job bundle ${key} from the JobManager: ${(err as Error).message}`,
          {
            domain: 'external',
            retryable: true,
            cause: err,
          },
        );
      }
      await rename(tmp, file);
    }
    try {
      return await import(pathToFileURL(file).href);
    } catch (err) {
      throw userError(
        'JOB_LOAD_FAILED',
        `the job bundle failed to load on the TaskManager: ${(err as Error).message}`,
        err,
      );
    }
  }
}

/**
 * Rebuilds a job from its module exactly as the client did and checks the graph hash: a job whose
 * builder is not deterministic (randomness, clock, environment) would wire tasks inconsistently.
 */
export async function rebuildJob(
  moduleNs: unknown,
  submission: JobSubmission,
  jobName: string,
): Promise<GeneratedJob> {
  const job = await buildJob(moduleNs, {
    args: submission.args,
    defaultParallelism: submission.defaultParallelism,
    defaultName: jobName,
    ...(submission.workingDirectory === undefined ? {} : { workingDirectory: submission.workingDirectory }),
    source: `job '${jobName}'`,
  });
  if (job.graph.hash !== submission.graphHash) {
    throw userError(
      'JOB_GRAPH_MISMATCH',
      `job '${jobName}' built a different dataflow on the TaskManager than on the client (graph hash ${job.graph.hash.slice(0, 12)} vs submitted ${submission.graphHash.slice(0, 12)}): ` +
        'the job builder must be deterministic; do not derive operators, names or parallelism from randomness, time, the host or environment variables',
    );
  }
  return job;
}
