// Keyed state larger than the JavaScript heap: a child process with a 64 MB old space (and small
// semi-spaces, so the whole heap limit is about 67 MB) writes 1M keys with ~100-byte values (over
// 100 MB of state) through the LevelDB backend, batch by batch, and reads a sample back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const KEYS = 1_000_000;

test('state larger than the heap works under --max-old-space-size=64', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-leveldb-big-'));
  try {
    const r = spawnSync(
      process.execPath,
      [
        '--max-old-space-size=64',
        '--max-semi-space-size=1',
        join(import.meta.dirname, 'larger-than-heap-child.ts'),
        dir,
        String(KEYS),
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(r.status, 0, `child failed (signal ${r.signal}):\n${r.stdout}\n${r.stderr}`);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
      keys: number;
      sampled: number;
      writeSeconds: number;
      heapLimitMB: number;
    };
    assert.equal(result.keys, KEYS);
    assert.equal(result.sampled, 10_000);
    assert.ok(
      result.heapLimitMB < (KEYS * 100) / 2 ** 20,
      `state exceeds the heap limit of ${result.heapLimitMB} MB`,
    );
    console.log(
      `# ${KEYS} keys written in ${result.writeSeconds.toFixed(1)} s under a ${result.heapLimitMB} MB heap`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
