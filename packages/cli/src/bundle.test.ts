import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EddyError } from '@eddy/common';
import { buildJob, installJobModuleResolver, loadJob } from '@eddy/api';
import { bundleJob } from './bundle.ts';

/** A job outside the repository with a local helper, a builtin and a CommonJS npm dependency. */
function writeJobDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-bundle-'));
  writeFileSync(
    join(dir, 'job.ts'),
    [
      "import { defineJob } from '@eddy/api';",
      "import { basename } from 'node:path';",
      "import { shout } from './helper.ts';",
      "import pad from 'left-pad-cjs';",
      'export default defineJob((env, args) => {',
      "  const words: string[] = args.positionals.length > 0 ? [...args.positionals] : ['a', 'b'];",
      '  env.fromElements(...words).map((w) => pad(shout(w), 3) + basename("/x/y")).print();',
      '});',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'helper.ts'),
    'export const shout = (s: string): string => s.toUpperCase() + "!";\n',
  );
  const pkg = join(dir, 'node_modules', 'left-pad-cjs');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'left-pad-cjs', main: 'index.js' }));
  // CommonJS requiring a builtin: in an ESM bundle this needs the require shim.
  writeFileSync(
    join(pkg, 'index.js'),
    "const util = require('util');\nmodule.exports = (s, n) => util.format('%s', s).padStart(n, '.');\n",
  );
  return dir;
}

test('bundleJob inlines the job and its npm imports and leaves @eddy/* and builtins external', async () => {
  const dir = writeJobDir();
  try {
    const bytes = await bundleJob(join(dir, 'job.ts'));
    const code = new TextDecoder().decode(bytes);
    assert.match(code, /from "@eddy\/api"/);
    assert.match(code, /from "node:path"/);
    assert.doesNotMatch(code, /\.\/helper/, 'the local helper is inlined');
    assert.match(code, /toUpperCase/);
    assert.match(code, /padStart/, 'the npm dependency is inlined');
    assert.match(code, /sourceMappingURL=data:application\/json;base64,/);
    assert.doesNotMatch(code, /function defineJob/, '@eddy/api is not bundled');

    // The bundle, loaded from another directory, builds the same graph as the source file.
    const other = mkdtempSync(join(tmpdir(), 'eddy-bundle-run-'));
    try {
      const file = join(other, 'bundle.mjs');
      writeFileSync(file, bytes);
      installJobModuleResolver((s) => import.meta.resolve(s));
      const options = { args: ['x', 'y'], defaultParallelism: 2, defaultName: 'job' };
      const fromBundle = await buildJob(await import(pathToFileURL(file).href), options);
      const fromSource = await loadJob(join(dir, 'job.ts'), options);
      assert.equal(fromBundle.graph.hash, fromSource.graph.hash);
      assert.equal(fromBundle.graph.jobName, 'job');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a job that does not compile is a user error pointing at the line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-bundle-'));
  try {
    writeFileSync(join(dir, 'broken.ts'), 'export default {\n  oops: (,\n};\n');
    await assert.rejects(bundleJob(join(dir, 'broken.ts')), (err: unknown) => {
      assert.ok(err instanceof EddyError);
      assert.equal(err.domain, 'user');
      assert.equal(err.code, 'JOB_BUNDLE_FAILED');
      assert.match(err.message, /cannot bundle job .*broken\.ts: .*broken\.ts:2:\d+: /);
      return true;
    });
    writeFileSync(
      join(dir, 'missing-dep.ts'),
      "import x from 'no-such-package-anywhere';\nexport default x;\n",
    );
    await assert.rejects(bundleJob(join(dir, 'missing-dep.ts')), /no-such-package-anywhere/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
