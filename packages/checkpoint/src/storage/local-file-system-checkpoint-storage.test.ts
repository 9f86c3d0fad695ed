import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { describeCheckpointStorageContract } from '../testing/checkpoint-storage-contract.ts';
import { LocalFileSystemCheckpointStorage } from './local-file-system-checkpoint-storage.ts';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function fresh(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'eddy-chk-fs-'));
  dirs.push(d);
  return d;
}

describeCheckpointStorageContract(
  'LocalFileSystemCheckpointStorage',
  async () => new LocalFileSystemCheckpointStorage(await fresh()),
);

describe('LocalFileSystemCheckpointStorage', () => {
  it('leaves no temporary file behind and never lists one', async () => {
    const dir = await fresh();
    const s = new LocalFileSystemCheckpointStorage(dir);
    await s.write('j/chk-1/a', new Uint8Array([1, 2, 3]));
    assert.deepEqual(await readdir(join(dir, 'j/chk-1')), ['a']);
    // A crash mid-write leaves a temporary file: it must stay invisible.
    await writeFile(join(dir, 'j/chk-1/.b.inprogress-0123'), 'partial');
    assert.deepEqual(
      (await s.list('j/')).map((o) => o.path),
      ['j/chk-1/a'],
    );
  });

  it('names the file in the way of the checkpoint directory', async () => {
    const dir = await fresh();
    await writeFile(join(dir, 'file'), 'x');
    const s = new LocalFileSystemCheckpointStorage(join(dir, 'file'));
    await assert.rejects(
      s.write('a', new Uint8Array(1)),
      (e: Error) => /file/.test(e.message) && /directory/.test(e.message),
    );
  });
});
