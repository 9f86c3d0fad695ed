// The test runner: node:test over every *.test.ts (unit tests next to their code, integration tests
// under test/). Unit tests run concurrently; integration tests start real processes, so they run one
// file at a time. Extra arguments filter test files by substring.
import { spawnSync } from 'node:child_process';
import { globSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const filters = process.argv.slice(2);
const pick = (files: string[]): string[] =>
  files.sort().filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
const unit = pick(globSync('packages/*/src/**/*.test.ts', { cwd: root }));
const integration = pick(globSync('test/**/*.test.ts', { cwd: root }));

function run(files: string[], concurrency: number): number {
  if (files.length === 0) return 0;
  const r = spawnSync(
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
      '--test',
      `--test-concurrency=${concurrency}`,
      '--test-reporter=spec',
      ...files,
    ],
    { cwd: root, stdio: 'inherit' },
  );
  return r.status ?? 1;
}

if (unit.length + integration.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const failed = run(unit, 2) !== 0;
const failedIntegration = run(integration, 1) !== 0;
process.exit(failed || failedIntegration ? 1 : 0);
