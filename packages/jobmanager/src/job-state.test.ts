import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  JOB_STATES,
  attemptOutcome,
  canExecutionTransition,
  canTransition,
  isTerminal,
  transition,
  type ExecutionState,
} from './job-state.ts';

test('terminal states have no way out and every other state can be cancelled', () => {
  for (const from of JOB_STATES) {
    for (const to of JOB_STATES) if (isTerminal(from)) assert.equal(canTransition(from, to), false);
    if (!isTerminal(from) && from !== 'CANCELLING') assert.ok(canTransition(from, 'CANCELLING'), from);
  }
  assert.throws(() => transition('FINISHED', 'RUNNING'), /illegal job state transition FINISHED -> RUNNING/);
  assert.equal(transition('RUNNING', 'RESTARTING'), 'RESTARTING');
});

test('every random walk over legal transitions reaches a terminal state only through its gate', () => {
  fc.assert(
    fc.property(fc.array(fc.nat(), { maxLength: 30 }), (choices) => {
      let s = transition('CREATED', 'RUNNING');
      for (const c of choices) {
        const next = JOB_STATES.filter((t) => canTransition(s, t));
        if (next.length === 0) break;
        const to = next[c % next.length] as (typeof next)[number];
        if (to === 'FAILED') assert.equal(s, 'FAILING');
        if (to === 'CANCELED') assert.equal(s, 'CANCELLING');
        if (to === 'FINISHED') assert.equal(s, 'RUNNING');
        s = transition(s, to);
      }
    }),
  );
});

test('execution states never go backwards nor leave a terminal state', () => {
  assert.ok(canExecutionTransition('DEPLOYING', 'RUNNING'));
  assert.ok(canExecutionTransition('DEPLOYING', 'FINISHED'));
  assert.ok(canExecutionTransition('RUNNING', 'FAILED'));
  assert.equal(canExecutionTransition('RUNNING', 'INITIALIZING'), false);
  assert.equal(canExecutionTransition('FINISHED', 'FAILED'), false);
  assert.equal(canExecutionTransition('CANCELED', 'RUNNING'), false);
});

test('attempt outcome', () => {
  const o = (...s: ExecutionState[]) => attemptOutcome(s);
  assert.equal(o('FINISHED', 'FINISHED'), 'finished');
  assert.equal(o('FINISHED', 'RUNNING'), 'in-progress');
  assert.equal(o('FINISHED', 'CANCELED', 'FAILED'), 'all-stopped');
  assert.equal(o(), 'all-stopped');
});
