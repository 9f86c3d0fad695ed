import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Configuration } from '@eddy/common';
import {
  decideRestart,
  exponentialBackoff,
  restartStrategyFromConfig,
  type FailureKind,
  type RestartStrategy,
} from './restart-strategy.ts';

const external: FailureKind = { code: 'TASK_MANAGER_LOST', domain: 'external', retryable: true };
const exp = (over: Partial<Extract<RestartStrategy, { type: 'exponential-delay' }>> = {}) =>
  ({
    type: 'exponential-delay',
    initialBackoffMs: 100,
    maxBackoffMs: 1000,
    multiplier: 2,
    jitter: 0,
    maxAttempts: 0,
    ...over,
  }) as const;

test('exponential backoff doubles up to the cap', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((n) => exponentialBackoff(exp(), n, 0.5)),
    [100, 200, 400, 800, 1000, 1000],
  );
});

test('jitter stays within +- the fraction of the capped delay', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 40 }),
      fc.double({ min: 0, max: 0.999, noNaN: true }),
      fc.double({ min: 0, max: 0.99, noNaN: true }),
      (n, random, jitter) => {
        const s = exp({ jitter });
        const base = Math.min(100 * 2 ** n, 1000);
        const d = exponentialBackoff(s, n, random);
        assert.ok(
          d >= Math.floor(base * (1 - jitter)) && d <= Math.ceil(base * (1 + jitter)),
          `${d} vs ${base}`,
        );
      },
    ),
  );
});

test('non-retryable user errors never restart; others restart until max attempts', () => {
  const s = exp({ maxAttempts: 3 });
  const user: FailureKind = { code: 'JOB_GRAPH_MISMATCH', domain: 'user', retryable: false };
  assert.equal(decideRestart(s, user, 0, 0.5).restart, false);
  assert.deepEqual(decideRestart(s, { ...user, retryable: true }, 0, 0.5), { restart: true, delayMs: 100 });
  assert.deepEqual(decideRestart(s, external, 2, 0.5), { restart: true, delayMs: 400 });
  const no = decideRestart(s, external, 3, 0.5);
  assert.equal(no.restart, false);
  assert.match(no.restart ? '' : no.reason, /max-attempts/);
  assert.equal(decideRestart({ type: 'none' }, external, 0, 0.5).restart, false);
  assert.deepEqual(decideRestart({ type: 'fixed-delay', delayMs: 7, maxAttempts: 0 }, external, 1000, 0.1), {
    restart: true,
    delayMs: 7,
  });
});

test('the strategy is read from configuration and bad values are named', () => {
  assert.deepEqual(restartStrategyFromConfig(new Configuration()), {
    type: 'exponential-delay',
    initialBackoffMs: 500,
    maxBackoffMs: 30_000,
    multiplier: 2,
    jitter: 0.1,
    maxAttempts: 20,
  });
  assert.deepEqual(
    restartStrategyFromConfig(
      new Configuration([
        ['restart-strategy.type', 'fixed-delay'],
        ['restart-strategy.fixed-delay.delay', '250'],
      ]),
    ),
    { type: 'fixed-delay', delayMs: 250, maxAttempts: 20 },
  );
  assert.throws(
    () => restartStrategyFromConfig(new Configuration([['restart-strategy.type', 'sometimes']])),
    /restart-strategy.type.*sometimes/,
  );
  assert.throws(
    () =>
      restartStrategyFromConfig(new Configuration([['restart-strategy.exponential-delay.jitter-factor', 2]])),
    /jitter-factor/,
  );
});
