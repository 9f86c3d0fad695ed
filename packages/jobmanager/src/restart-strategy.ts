// Restart strategies (Flink's exponential-delay, fixed-delay and none) as pure decisions: given the
// failure and how many restarts happened, restart after how long, or give up. The JobMaster applies
// the decision; randomness for jitter is passed in so tests are deterministic.
import { ConfigOptions, userError, type Configuration, type ErrorDomain } from '@eddy/common';

/** A configured restart strategy. */
export type RestartStrategy =
  | {
      readonly type: 'exponential-delay';
      readonly initialBackoffMs: number;
      readonly maxBackoffMs: number;
      readonly multiplier: number;
      /** Fraction in [0, 1): each delay is moved by up to +- this share of itself. */
      readonly jitter: number;
      /** Restarts before the job fails; 0 means unlimited. */
      readonly maxAttempts: number;
    }
  | { readonly type: 'fixed-delay'; readonly delayMs: number; readonly maxAttempts: number }
  | { readonly type: 'none' };

/** What to do after a failure. */
export type RestartDecision =
  { readonly restart: true; readonly delayMs: number } | { readonly restart: false; readonly reason: string };

/** The classification of a failure that matters for the decision. */
export interface FailureKind {
  readonly code: string;
  readonly domain: ErrorDomain;
  readonly retryable: boolean;
}

/** Reads the restart strategy from configuration, with a clear error for bad values. */
export function restartStrategyFromConfig(config: Configuration): RestartStrategy {
  const type: string = config.get(ConfigOptions.restartStrategy);
  const maxAttempts = config.get(ConfigOptions.restartMaxAttempts);
  const nonNegative = (key: string, v: number): number => {
    if (!(v >= 0)) throw userError('CONFIG_INVALID', `config key '${key}' must be >= 0, got ${v}`);
    return v;
  };
  nonNegative(ConfigOptions.restartMaxAttempts.key, maxAttempts);
  switch (type) {
    case 'exponential-delay': {
      const jitter = config.get(ConfigOptions.restartJitter);
      if (!(jitter >= 0 && jitter < 1)) {
        throw userError(
          'CONFIG_INVALID',
          `config key '${ConfigOptions.restartJitter.key}' must be in [0, 1), got ${jitter}`,
        );
      }
      const multiplier = config.get(ConfigOptions.restartBackoffMultiplier);
      if (!(multiplier >= 1)) {
        throw userError(
          'CONFIG_INVALID',
          `config key '${ConfigOptions.restartBackoffMultiplier.key}' must be >= 1, got ${multiplier}`,
        );
      }
      return {
        type,
        initialBackoffMs: nonNegative(
          ConfigOptions.restartInitialBackoff.key,
          config.get(ConfigOptions.restartInitialBackoff),
        ),
        maxBackoffMs: nonNegative(
          ConfigOptions.restartMaxBackoff.key,
          config.get(ConfigOptions.restartMaxBackoff),
        ),
        multiplier,
        jitter,
        maxAttempts,
      };
    }
    case 'fixed-delay':
      return {
        type,
        delayMs: nonNegative(
          ConfigOptions.restartFixedDelay.key,
          config.get(ConfigOptions.restartFixedDelay),
        ),
        maxAttempts,
      };
    case 'none':
      return { type };
    default:
      throw userError(
        'CONFIG_INVALID',
        `config key '${ConfigOptions.restartStrategy.key}' must be exponential-delay, fixed-delay or none, got '${type}'`,
      );
  }
}

/**
 * The delay before restart number `n` (0-based) of an exponential strategy:
 * min(initial * multiplier^n, max), moved by up to +- jitter of itself; `random` is in [0, 1).
 */
export function exponentialBackoff(
  s: Extract<RestartStrategy, { type: 'exponential-delay' }>,
  n: number,
  random: number,
): number {
  const base = Math.min(s.initialBackoffMs * Math.pow(s.multiplier, n), s.maxBackoffMs);
  const jittered = base * (1 + s.jitter * (2 * random - 1));
  return Math.max(0, Math.round(jittered));
}

/** Whether a failure can never heal by rerunning: a user's mistake that is not retryable. */
export function isUnrecoverable(failure: FailureKind): boolean {
  return failure.domain === 'user' && !failure.retryable;
}

/** Decides whether to restart after `failure`, given `restarts` restarts so far. */
export function decideRestart(
  strategy: RestartStrategy,
  failure: FailureKind,
  restarts: number,
  random: number,
): RestartDecision {
  if (isUnrecoverable(failure)) {
    return { restart: false, reason: `${failure.code} is a user error that a restart cannot fix` };
  }
  switch (strategy.type) {
    case 'none':
      return { restart: false, reason: "restart-strategy.type is 'none'" };
    case 'fixed-delay':
    case 'exponential-delay': {
      if (strategy.maxAttempts > 0 && restarts >= strategy.maxAttempts) {
        return {
          restart: false,
          reason: `restart limit reached (${strategy.maxAttempts} restarts, restart-strategy.max-attempts)`,
        };
      }
      const delayMs =
        strategy.type === 'fixed-delay' ? strategy.delayMs : exponentialBackoff(strategy, restarts, random);
      return { restart: true, delayMs };
    }
  }
}
