// Writing, verifying and finding checkpoints, on the local file system and on a real S3 server.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EddyError, newJobId, type JobId } from '@eddy/common';
import { CheckpointErrorCodes } from '../checkpoint-errors.ts';
import type { CheckpointStorage } from '../storage/checkpoint-storage.ts';
import { LocalFileSystemCheckpointStorage } from '../storage/local-file-system-checkpoint-storage.ts';
import { S3CheckpointStorage } from '../storage/s3-checkpoint-storage.ts';
import { startS3Server, type TestingS3Server } from '../testing/s3-server.ts';
import { checkpointDirectory, METADATA_FILE_NAME, sharedStateDirectory } from './checkpoint-layout.ts';
import {
  buildCheckpointMetadata,
  encodeCheckpointMetadata,
  type OperatorSubtaskStateHandles,
} from './checkpoint-metadata.ts';
import {
  checkpointLocation,
  discardCheckpoint,
  disposeSavepoint,
  findLatestCompletedCheckpoint,
  highestCheckpointId,
  readStateObject,
  savepointLocation,
  verifyCheckpoint,
  writeCheckpointMetadata,
} from './checkpoint-store.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Writes checkpoint `id` the way tasks and the JobManager will: objects first, `_metadata` last. */
async function writeCheckpoint(
  storage: CheckpointStorage,
  jobId: JobId,
  id: number,
  shared?: string,
): Promise<void> {
  const dir = checkpointDirectory(jobId, id);
  const states: OperatorSubtaskStateHandles[] = [];
  for (const subtask of [0, 1]) {
    const w = await storage.write(`${dir}counter/${subtask}/keyed`, text(`state ${id} ${subtask}`));
    const objects = [{ path: `counter/${subtask}/keyed`, size: w.size, sha256: w.sha256 }];
    if (shared !== undefined && subtask === 0) {
      const s = await storage.write(sharedStateDirectory(jobId) + shared, text(`shared ${shared}`));
      objects.push({
        path: shared,
        size: s.size,
        sha256: s.sha256,
        shared: true,
      } as (typeof objects)[number]);
    }
    states.push({
      operatorUid: 'counter',
      subtask,
      objects,
      opaque: { keyGroups: [subtask * 64, subtask * 64 + 63] },
    });
  }
  states.push({ operatorUid: 'source', subtask: 0, objects: [], opaque: { offset: id * 100 } });
  const metadata = buildCheckpointMetadata({
    kind: 'checkpoint',
    jobId,
    checkpointId: id,
    timestamp: 1000 + id,
    states,
    properties: { note: 'x' },
  });
  await writeCheckpointMetadata(checkpointLocation(storage, jobId, id), metadata);
}

function storeTests(name: string, open: () => Promise<CheckpointStorage>): void {
  describe(`checkpoint store on ${name}`, () => {
    it('writes a checkpoint that verifies, with opaque state and shared objects', async () => {
      const s = await open();
      const job = newJobId();
      await writeCheckpoint(s, job, 1, 'sst/000001.sst');
      const v = await verifyCheckpoint(checkpointLocation(s, job, 1), { jobId: job, checkpointId: 1 });
      assert.equal(v.metadata.checkpointId, 1);
      assert.deepEqual(
        v.metadata.operators.map((o) => o.operatorUid),
        ['counter', 'source'],
      );
      assert.deepEqual(v.metadata.operators[1]?.subtasks[0]?.opaque, { offset: 100 });
      assert.deepEqual(v.metadata.properties, { note: 'x' });
      assert.equal(v.objects.length, 3);
      assert.ok(v.objects.some((o) => o.storagePath === `${job}/shared/sst/000001.sst`));
      const first = v.objects[0]!;
      assert.equal(new TextDecoder().decode(await readStateObject(first, v.location)), 'state 1 0');
      await s.close();
    });

    it('refuses a corrupted object, naming it, and falls back to an older checkpoint', async () => {
      const s = await open();
      const job = newJobId();
      await writeCheckpoint(s, job, 1);
      await writeCheckpoint(s, job, 2);
      await writeCheckpoint(s, job, 3);
      // chk-3: same size, different bytes. chk-2: truncated. A chk-4 that never completed.
      await s.write(`${checkpointDirectory(job, 3)}counter/1/keyed`, text('state 3 X'));
      await s.write(`${checkpointDirectory(job, 2)}counter/0/keyed`, text('short'));
      await s.write(`${checkpointDirectory(job, 4)}counter/0/keyed`, text('in progress'));

      await assert.rejects(verifyCheckpoint(checkpointLocation(s, job, 3)), (e: unknown) => {
        assert.ok(e instanceof EddyError);
        assert.equal(e.code, CheckpointErrorCodes.CORRUPTED_CHECKPOINT);
        assert.match(e.message, /object 'counter\/1\/keyed' of operator 'counter' subtask 1 has SHA-256/);
        return true;
      });
      const latest = await findLatestCompletedCheckpoint(s, job);
      assert.equal(latest.checkpoint?.metadata.checkpointId, 1);
      assert.equal(latest.highestCheckpointId, 4);
      assert.deepEqual(
        latest.skipped.map((k) => [k.checkpointId, k.reason]),
        [
          [4, 'incomplete'],
          [3, 'corrupted'],
          [2, 'corrupted'],
        ],
      );
      assert.match(latest.skipped[2]!.error.message, /has \d+ bytes, _metadata records/);
      assert.equal(await highestCheckpointId(s, job), 4);
      await s.close();
    });

    it('refuses foreign checkpoints and paths outside the prefix', async () => {
      const s = await open();
      const job = newJobId();
      const other = newJobId();
      await writeCheckpoint(s, other, 5);
      // Another job's _metadata copied into this job's chk-5.
      await s.write(
        `${checkpointDirectory(job, 5)}${METADATA_FILE_NAME}`,
        await s.read(`${checkpointDirectory(other, 5)}${METADATA_FILE_NAME}`),
      );
      await assert.rejects(verifyCheckpoint(checkpointLocation(s, job, 5), { jobId: job }), {
        code: CheckpointErrorCodes.FOREIGN_CHECKPOINT,
        message: new RegExp(`belongs to job ${other}`),
      });
      // Metadata naming an object of another job through '..'.
      const escaping = buildCheckpointMetadata({
        kind: 'checkpoint',
        jobId: job,
        checkpointId: 6,
        timestamp: 1,
        states: [
          {
            operatorUid: 'op',
            subtask: 0,
            objects: [{ path: `../../${other}/chk-5/counter/0/keyed`, size: 9, sha256: '0'.repeat(64) }],
          },
        ],
      });
      await s.write(
        `${checkpointDirectory(job, 6)}${METADATA_FILE_NAME}`,
        encodeCheckpointMetadata(escaping),
      );
      await assert.rejects(verifyCheckpoint(checkpointLocation(s, job, 6)), {
        code: CheckpointErrorCodes.FOREIGN_CHECKPOINT,
        message:
          /object '\.\.\/\.\.\/[0-9a-f]+\/chk-5\/counter\/0\/keyed' of operator 'op' subtask 0 lies outside/,
      });
      await assert.rejects(writeCheckpointMetadata(checkpointLocation(s, job, 6), escaping), {
        code: CheckpointErrorCodes.FOREIGN_CHECKPOINT,
      });
      const latest = await findLatestCompletedCheckpoint(s, job);
      assert.equal(latest.checkpoint, undefined);
      assert.deepEqual(
        latest.skipped.map((k) => [k.checkpointId, k.reason]),
        [
          [6, 'foreign'],
          [5, 'foreign'],
        ],
      );
      // Garbage instead of JSON.
      await s.write(`${checkpointDirectory(job, 7)}${METADATA_FILE_NAME}`, text('{not json'));
      await assert.rejects(verifyCheckpoint(checkpointLocation(s, job, 7)), {
        code: CheckpointErrorCodes.CORRUPTED_CHECKPOINT,
        message: /not valid JSON/,
      });
      await s.close();
    });

    it('discards a checkpoint, metadata first, keeping what others reference', async () => {
      const s = await open();
      const job = newJobId();
      await writeCheckpoint(s, job, 1, 'a.sst');
      await discardCheckpoint(s, job, {
        checkpointId: 1,
        objects: ['chk-1/counter/0/keyed'],
        deleteDirectory: false,
      });
      assert.deepEqual(
        (await s.list(`${job}/`)).map((o) => o.path.slice(job.length + 1)),
        ['chk-1/counter/1/keyed', 'shared/a.sst'],
      );
      await discardCheckpoint(s, job, { checkpointId: 1, objects: [], deleteDirectory: true });
      assert.deepEqual(
        (await s.list(`${job}/`)).map((o) => o.path.slice(job.length + 1)),
        ['shared/a.sst'],
      );
      await s.close();
    });
  });
}

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

storeTests('the local file system', async () => {
  const d = await mkdtemp(join(tmpdir(), 'eddy-chk-store-'));
  dirs.push(d);
  return new LocalFileSystemCheckpointStorage(d);
});

describe('savepoints', () => {
  it('use the same format at the root of their directory and dispose only savepoints', async () => {
    const d = await mkdtemp(join(tmpdir(), 'eddy-savepoint-'));
    dirs.push(d);
    const s = new LocalFileSystemCheckpointStorage(join(d, 'sp-1'));
    const job = newJobId();
    const w = await s.write('counter/0/keyed', text('canonical'));
    const metadata = buildCheckpointMetadata({
      kind: 'savepoint',
      jobId: job,
      checkpointId: 9,
      timestamp: 5,
      states: [
        { operatorUid: 'counter', subtask: 0, objects: [{ path: w.path, size: w.size, sha256: w.sha256 }] },
      ],
    });
    await writeCheckpointMetadata(savepointLocation(s), metadata);
    const v = await verifyCheckpoint(savepointLocation(s), { kind: 'savepoint' });
    assert.equal(v.metadata.jobId, job);
    // A savepoint may not reference shared objects: it must be self-contained.
    const withShared = {
      ...metadata,
      operators: [
        {
          operatorUid: 'x',
          subtasks: [
            { subtask: 0, objects: [{ ...metadata.operators[0]!.subtasks[0]!.objects[0]!, shared: true }] },
          ],
        },
      ],
    };
    await assert.rejects(writeCheckpointMetadata(savepointLocation(s), withShared), {
      code: CheckpointErrorCodes.FOREIGN_CHECKPOINT,
      message: /self-contained/,
    });
    const empty = new LocalFileSystemCheckpointStorage(join(d, 'not-a-savepoint'));
    await empty.write('keep-me', text('x'));
    await assert.rejects(disposeSavepoint(empty), { code: CheckpointErrorCodes.NO_CHECKPOINT });
    assert.equal(await empty.exists('keep-me'), true);
    assert.equal(await disposeSavepoint(s), 2);
    assert.deepEqual(await s.list(''), []);
  });
});

let server: TestingS3Server;
let n = 0;
before(async () => {
  server = await startS3Server();
});
after(async () => {
  await server.stop();
});
storeTests(
  'S3',
  async () =>
    new S3CheckpointStorage(server.bucket, `store-${++n}`, {
      endpoint: server.endpoint,
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    }),
);
