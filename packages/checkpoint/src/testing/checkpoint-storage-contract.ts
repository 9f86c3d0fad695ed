// The behaviour every CheckpointStorage must show, run against each implementation (local file
// system, S3 on a real server) by their tests.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { EddyError } from '@eddy/common';
import { CheckpointErrorCodes } from '../checkpoint-errors.ts';
import type { CheckpointStorage } from '../storage/checkpoint-storage.ts';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function* chunks(total: number, chunk: number, seed: number): AsyncGenerator<Uint8Array> {
  let x = seed;
  for (let done = 0; done < total; done += chunk) {
    const b = new Uint8Array(Math.min(chunk, total - done));
    for (let i = 0; i < b.length; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    yield b;
  }
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

/** Registers the contract tests; `open` returns a storage over a fresh, empty location. */
export function describeCheckpointStorageContract(
  name: string,
  open: () => Promise<CheckpointStorage>,
): void {
  describe(`${name} (CheckpointStorage contract)`, () => {
    it('writes bytes and reads them back with size and SHA-256', async () => {
      const s = await open();
      const data = new TextEncoder().encode('hello checkpoint');
      const w = await s.write('job/chk-1/op/0', data);
      assert.deepEqual(w, { path: 'job/chk-1/op/0', size: data.length, sha256: sha(data) });
      assert.deepEqual(Buffer.from(await s.read('job/chk-1/op/0')), Buffer.from(data));
      assert.deepEqual(await collect(await s.readStream('job/chk-1/op/0')), Buffer.from(data));
      assert.equal(await s.exists('job/chk-1/op/0'), true);
      assert.equal(await s.exists('job/chk-1/op/1'), false);
      await s.close();
      await s.close();
    });

    it('writes an empty object', async () => {
      const s = await open();
      const w = await s.write('e/empty', new Uint8Array(0));
      assert.equal(w.size, 0);
      assert.equal((await s.read('e/empty')).byteLength, 0);
      await s.close();
    });

    it('writes a stream larger than one multipart part (12 MiB) and reads it back', async () => {
      const s = await open();
      const size = 12 * 1024 * 1024 + 123;
      const expected = await collect(chunks(size, 1 << 20, 7));
      const w = await s.write('big/state', chunks(size, 1 << 20, 7));
      assert.equal(w.size, size);
      assert.equal(w.sha256, sha(expected));
      const back = await collect(await s.readStream('big/state'));
      assert.equal(back.length, size);
      assert.equal(sha(back), w.sha256);
      // Bytes in memory above the part size take the multipart path too.
      const w2 = await s.write('big/bytes', expected);
      assert.equal(w2.sha256, w.sha256);
      assert.equal(sha(await s.read('big/bytes')), w.sha256);
      await s.close();
    });

    it('lists by string prefix, sorted, and deletes a prefix without touching siblings', async () => {
      const s = await open();
      for (const p of ['j/chk-1/a', 'j/chk-1/b/c', 'j/chk-10/a', 'j/chk-2/a', 'k/x']) {
        await s.write(p, new TextEncoder().encode(p));
      }
      assert.deepEqual(
        (await s.list('j/chk-1/')).map((o) => o.path),
        ['j/chk-1/a', 'j/chk-1/b/c'],
      );
      assert.deepEqual(
        (await s.list('j/chk-1')).map((o) => o.path),
        ['j/chk-1/a', 'j/chk-1/b/c', 'j/chk-10/a'],
      );
      assert.deepEqual(
        (await s.list('j/chk-2/')).map((o) => [o.path, o.size]),
        [['j/chk-2/a', 9]],
      );
      assert.deepEqual(await s.list('nothing/'), []);
      assert.equal(await s.deletePrefix('j/chk-1/'), 2);
      assert.deepEqual(
        (await s.list('')).map((o) => o.path),
        ['j/chk-10/a', 'j/chk-2/a', 'k/x'],
      );
      await s.delete(['j/chk-2/a', 'j/missing']);
      assert.deepEqual(
        (await s.list('j/')).map((o) => o.path),
        ['j/chk-10/a'],
      );
      await assert.rejects(s.deletePrefix('j/chk-10'), { code: CheckpointErrorCodes.INVALID_OBJECT_PATH });
      await s.close();
    });

    it('refuses paths that escape the base', async () => {
      const s = await open();
      for (const bad of ['../x', '/abs', 'a//b', 'a/./b', 'a/../../b', '']) {
        await assert.rejects(s.write(bad, new Uint8Array(1)), {
          code: CheckpointErrorCodes.INVALID_OBJECT_PATH,
        });
        await assert.rejects(s.read(bad), { code: CheckpointErrorCodes.INVALID_OBJECT_PATH });
      }
      await s.close();
    });

    it('reports a missing object as CHECKPOINT_OBJECT_NOT_FOUND', async () => {
      const s = await open();
      await assert.rejects(s.read('no/such'), (e: unknown) => {
        assert.ok(e instanceof EddyError);
        assert.equal(e.code, CheckpointErrorCodes.OBJECT_NOT_FOUND);
        assert.match(e.message, /no\/such/);
        return true;
      });
      await assert.rejects(s.readStream('no/such'), { code: CheckpointErrorCodes.OBJECT_NOT_FOUND });
      await s.close();
    });

    it('stops a write when its signal is aborted, leaving no object', async () => {
      const s = await open();
      const ac = new AbortController();
      async function* slow(): AsyncGenerator<Uint8Array> {
        yield new Uint8Array(1024);
        ac.abort(new Error('checkpoint 3 expired'));
        yield new Uint8Array(1024);
      }
      await assert.rejects(s.write('a/aborted', slow(), { signal: ac.signal }), {
        code: CheckpointErrorCodes.ABORTED,
      });
      assert.equal(await s.exists('a/aborted'), false);
      assert.deepEqual(await s.list('a/'), []);
      await assert.rejects(s.read('a/x', { signal: ac.signal }), { code: CheckpointErrorCodes.ABORTED });
      await s.close();
    });

    it('checks access to a usable location', async () => {
      const s = await open();
      await s.checkAccess();
      await s.close();
    });
  });
}
