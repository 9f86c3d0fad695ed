// S3CheckpointStorage against a real S3-compatible server started by scripts/s3-server.ts.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { EddyError } from '@eddy/common';
import { CheckpointErrorCodes } from '../checkpoint-errors.ts';
import { describeCheckpointStorageContract } from '../testing/checkpoint-storage-contract.ts';
import { startS3Server, type TestingS3Server } from '../testing/s3-server.ts';
import { createCheckpointStorage } from './create-checkpoint-storage.ts';
import { S3CheckpointStorage } from './s3-checkpoint-storage.ts';

let server: TestingS3Server;
let n = 0;
before(async () => {
  server = await startS3Server();
});
after(async () => {
  await server.stop();
});

function s3(
  prefix: string,
  overrides: { bucket?: string; accessKeyId?: string; endpoint?: string } = {},
): S3CheckpointStorage {
  return new S3CheckpointStorage(overrides.bucket ?? server.bucket, prefix, {
    endpoint: overrides.endpoint ?? server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    partSize: 5 * 1024 * 1024,
    maxAttempts: 1,
    credentials: {
      accessKeyId: overrides.accessKeyId ?? server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
    },
  });
}

describeCheckpointStorageContract('S3CheckpointStorage', async () => s3(`contract-${++n}/checkpoints`));

describe('S3CheckpointStorage errors', () => {
  it('names the missing bucket and the fix', async () => {
    const s = s3('x', { bucket: 'no-such-bucket' });
    for (const op of [() => s.checkAccess(), () => s.write('a', new Uint8Array(1)), () => s.list('')]) {
      await assert.rejects(op(), (e: unknown) => {
        assert.ok(e instanceof EddyError);
        assert.equal(e.code, CheckpointErrorCodes.BUCKET_NOT_FOUND);
        assert.equal(e.domain, 'user');
        assert.match(e.message, /no-such-bucket/);
        assert.match(e.message, /create it/);
        return true;
      });
    }
    await s.close();
  });

  it('reports unknown credentials as access denied', async () => {
    // s3rver checks the access key id but does not verify SigV4 signatures, so a wrong secret
    // would pass here; an unknown key id is refused as by AWS (403 InvalidAccessKeyId).
    const s = s3('x', { accessKeyId: 'NOT-A-KEY' });
    await assert.rejects(s.write('a', new Uint8Array(1)), (e: unknown) => {
      assert.ok(e instanceof EddyError);
      assert.equal(e.code, CheckpointErrorCodes.ACCESS_DENIED);
      assert.match(e.message, /credentials/);
      return true;
    });
    await s.close();
  });

  it('reports an unreachable endpoint as retryable, naming it', async () => {
    // A port that was free a moment ago: nothing listens on it.
    const port = await new Promise<number>((done) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => done(p));
      });
    });
    const endpoint = `http://127.0.0.1:${port}`;
    const s = s3('x', { endpoint });
    await assert.rejects(s.checkAccess(), (e: unknown) => {
      assert.ok(e instanceof EddyError);
      assert.equal(e.code, CheckpointErrorCodes.UNREACHABLE);
      assert.equal(e.retryable, true);
      assert.ok(e.message.includes(endpoint), e.message);
      return true;
    });
    await s.close();
  });

  it('is what createCheckpointStorage makes of s3:// URIs', async () => {
    const s = createCheckpointStorage(`s3://${server.bucket}/via-factory/`, {
      s3: {
        endpoint: server.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
      },
    });
    assert.equal(s.uri, `s3://${server.bucket}/via-factory`);
    await s.write('a/b', new TextEncoder().encode('x'));
    const other = s3('');
    assert.deepEqual(
      (await other.list('via-factory/')).map((o) => o.path),
      ['via-factory/a/b'],
    );
    await s.close();
    await other.close();
  });
});
