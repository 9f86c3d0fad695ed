import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { CheckpointErrorCodes } from '../checkpoint-errors.ts';
import { createCheckpointStorage, parseCheckpointStorageUri } from './create-checkpoint-storage.ts';
import { LocalFileSystemCheckpointStorage } from './local-file-system-checkpoint-storage.ts';
import { S3CheckpointStorage } from './s3-checkpoint-storage.ts';

describe('parseCheckpointStorageUri', () => {
  it('accepts file URIs, plain paths and s3 URIs', () => {
    assert.deepEqual(parseCheckpointStorageUri('file:///var/eddy/chk/'), {
      kind: 'file',
      directory: '/var/eddy/chk',
    });
    assert.deepEqual(parseCheckpointStorageUri('file://localhost/var/x'), {
      kind: 'file',
      directory: '/var/x',
    });
    assert.deepEqual(parseCheckpointStorageUri('/tmp/chk'), { kind: 'file', directory: '/tmp/chk' });
    assert.deepEqual(parseCheckpointStorageUri('rel/dir'), { kind: 'file', directory: resolve('rel/dir') });
    assert.deepEqual(parseCheckpointStorageUri('s3://my-bucket/a/b/'), {
      kind: 's3',
      bucket: 'my-bucket',
      prefix: 'a/b',
    });
    assert.deepEqual(parseCheckpointStorageUri('s3://my.bucket'), {
      kind: 's3',
      bucket: 'my.bucket',
      prefix: '',
    });
  });

  it('refuses bad URIs naming the URI and the fix', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['file://otherhost/x', /host 'otherhost'.*three slashes/],
      ['file:///', /root directory/],
      ['s3://', /no bucket/],
      ['s3:/bucket', /lacks the bucket/],
      ['s3://Bad_Bucket/x', /not a valid S3 bucket name.*lowercase/],
      ['s3://ab/x', /not a valid S3 bucket name/],
      ['s3://bucket/a//b', /empty, '\.' or '\.\.' segment/],
      ['s3://bucket/a/../b', /segment/],
      ['gs://bucket/x', /scheme 'gs:' is not supported.*s3:\/\/bucket\/prefix/],
    ];
    for (const [uri, message] of cases) {
      assert.throws(
        () => parseCheckpointStorageUri(uri),
        (e: Error & { code?: string; domain?: string }) => {
          assert.equal(e.code, CheckpointErrorCodes.INVALID_STORAGE_URI, uri);
          assert.equal(e.domain, 'user');
          assert.ok(e.message.includes(`'${uri}'`), e.message);
          assert.match(e.message, message);
          return true;
        },
      );
    }
  });

  it('creates the matching storage', async () => {
    const fs = createCheckpointStorage('file:///tmp/eddy-x');
    assert.ok(fs instanceof LocalFileSystemCheckpointStorage);
    assert.equal(fs.uri, 'file:///tmp/eddy-x');
    const s3 = createCheckpointStorage('s3://bucket-a/p', {
      s3: { endpoint: 'http://127.0.0.1:1', forcePathStyle: true },
    });
    assert.ok(s3 instanceof S3CheckpointStorage);
    assert.equal(s3.uri, 's3://bucket-a/p');
    await s3.close();
  });
});
