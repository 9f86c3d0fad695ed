import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LocalFileSystemCheckpointStorage,
  buildCheckpointMetadata,
  savepointLocation,
  writeCheckpointMetadata,
  type CheckpointMetadata,
} from '@eddy/checkpoint';
import type { JobGraph } from '@eddy/api';
import type { JobId } from '@eddy/common';
import { checkSavepointPath, resolveSavepointRestore, unmappedOperatorUids } from './savepoint-restore.ts';

const JOB = 'c'.repeat(32) as JobId;

/** Just enough of a graph: operator uids in vertices. */
function graphWith(...uids: string[]): JobGraph {
  return {
    jobName: 'test-job',
    vertices: [{ operators: uids.map((uid) => ({ uid })) }],
  } as unknown as JobGraph;
}

function metadataFor(...uids: string[]): CheckpointMetadata {
  return buildCheckpointMetadata({
    kind: 'savepoint',
    jobId: JOB,
    checkpointId: 7,
    timestamp: 1,
    states: uids.map((operatorUid) => ({ operatorUid, subtask: 0, objects: [] })),
  });
}

test('unmapped operator uids are those with state but no operator in the new graph', () => {
  assert.deepEqual(unmappedOperatorUids(metadataFor('a', 'z', 'b'), graphWith('a', 'c')), ['b', 'z']);
  assert.deepEqual(unmappedOperatorUids(metadataFor('a'), graphWith('a', 'b')), []);
});

test('savepoint paths must be URIs or absolute paths', () => {
  assert.equal(checkSavepointPath('/x/y/', 'p'), '/x/y');
  assert.equal(checkSavepointPath('s3://bucket/sp', 'p'), 's3://bucket/sp');
  assert.throws(() => checkSavepointPath('rel/dir', 'fromSavepoint'), {
    code: 'INVALID_SAVEPOINT_PATH',
    message: /fromSavepoint 'rel\/dir' is neither a URI nor an absolute path/,
  });
  assert.throws(() => checkSavepointPath('ftp://x/y', 'p'), { code: 'INVALID_CHECKPOINT_STORAGE_URI' });
});

test('a restore is refused for a missing savepoint and for unmapped state unless allowed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-sp-restore-'));
  const storage = new LocalFileSystemCheckpointStorage(dir);
  const storageFor = (): LocalFileSystemCheckpointStorage => storage;
  await assert.rejects(resolveSavepointRestore(dir, graphWith('a'), false, storageFor), {
    code: 'SAVEPOINT_NOT_FOUND',
    message: new RegExp(`^no savepoint at ${dir}: it has no _metadata`),
  });

  await writeCheckpointMetadata(savepointLocation(storage), metadataFor('a', 'gone'));
  await assert.rejects(resolveSavepointRestore(dir, graphWith('a'), false, storageFor), {
    code: 'SAVEPOINT_STATE_NOT_MAPPED',
    message:
      /state for operator uid 'gone' that the job 'test-job' does not have: .*--allow-non-restored-state/,
  });
  const restore = await resolveSavepointRestore(dir, graphWith('a'), true, storageFor);
  assert.deepEqual(
    restore.metadata.operators.map((o) => o.operatorUid),
    ['a'],
  );
  assert.equal(restore.directory, '');
  assert.equal(restore.storageUri, storage.uri);
  assert.equal(restore.metadata.checkpointId, 7);

  writeFileSync(join(dir, '_metadata'), '{"not":"metadata"}');
  await assert.rejects(resolveSavepointRestore(dir, graphWith('a'), true, storageFor), {
    code: 'CORRUPTED_CHECKPOINT',
  });
});
