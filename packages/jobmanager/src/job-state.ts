// The job state machine (Flink's JobStatus) as pure data: the states, which transitions are legal,
// and the job-level outcome of its executions' states. The JobMaster owns one job's state and moves
// it only through `transition`, so an illegal move is a bug that fails loudly.
import { internalError } from '@eddy/common';

/** The state of a job, as in Flink. */
export type JobState =
  'CREATED' | 'RUNNING' | 'FINISHED' | 'CANCELLING' | 'CANCELED' | 'FAILING' | 'FAILED' | 'RESTARTING';

/** Every job state, in lifecycle order. */
export const JOB_STATES: readonly JobState[] = [
  'CREATED',
  'RUNNING',
  'FINISHED',
  'CANCELLING',
  'CANCELED',
  'FAILING',
  'FAILED',
  'RESTARTING',
];

// CREATED and RESTARTING both wait for slots; RESTARTING may restart again (a slot timeout while
// waiting is itself a restartable failure), which is a self-transition. FAILING and CANCELLING wait
// for the executions to stop; a cancel during FAILING wins, as in Flink.
const LEGAL: Readonly<Record<JobState, readonly JobState[]>> = {
  CREATED: ['RUNNING', 'RESTARTING', 'FAILING', 'CANCELLING'],
  RUNNING: ['FINISHED', 'RESTARTING', 'FAILING', 'CANCELLING'],
  RESTARTING: ['RUNNING', 'RESTARTING', 'FAILING', 'CANCELLING'],
  FAILING: ['FAILED', 'CANCELLING'],
  CANCELLING: ['CANCELED'],
  FINISHED: [],
  CANCELED: [],
  FAILED: [],
};

/** Whether `s` is final: the job never leaves it. */
export function isTerminal(s: JobState): boolean {
  return s === 'FINISHED' || s === 'CANCELED' || s === 'FAILED';
}

/** Whether the job may move from `from` to `to`. */
export function canTransition(from: JobState, to: JobState): boolean {
  return LEGAL[from].includes(to);
}

/** `to`, when the move is legal; otherwise a broken invariant. */
export function transition(from: JobState, to: JobState): JobState {
  if (!canTransition(from, to)) throw internalError(`illegal job state transition ${from} -> ${to}`);
  return to;
}

/** The state of one execution (one subtask of one attempt), as TaskManagers report it. */
export type ExecutionState =
  'CREATED' | 'DEPLOYING' | 'INITIALIZING' | 'RUNNING' | 'FINISHED' | 'CANCELING' | 'CANCELED' | 'FAILED';

/** Whether an execution has stopped for good. */
export function isExecutionTerminal(s: ExecutionState): boolean {
  return s === 'FINISHED' || s === 'CANCELED' || s === 'FAILED';
}

/**
 * Whether an execution may move from `from` to `to`. Reports can arrive late or twice; a terminal
 * execution never changes again and nothing goes backwards.
 */
export function canExecutionTransition(from: ExecutionState, to: ExecutionState): boolean {
  if (isExecutionTerminal(from)) return false;
  return EXECUTION_ORDER.indexOf(to) > EXECUTION_ORDER.indexOf(from) || isExecutionTerminal(to);
}

const EXECUTION_ORDER: readonly ExecutionState[] = [
  'CREATED',
  'DEPLOYING',
  'INITIALIZING',
  'RUNNING',
  'CANCELING',
  'FINISHED',
  'CANCELED',
  'FAILED',
];

/** What the executions of an attempt add up to. */
export type AttemptOutcome = 'finished' | 'all-stopped' | 'in-progress';

/** 'finished' when every execution FINISHED; 'all-stopped' when all are terminal otherwise. */
export function attemptOutcome(states: Iterable<ExecutionState>): AttemptOutcome {
  let all = true;
  let stopped = true;
  let any = false;
  for (const s of states) {
    any = true;
    if (s !== 'FINISHED') all = false;
    if (!isExecutionTerminal(s)) stopped = false;
  }
  if (any && all) return 'finished';
  return stopped ? 'all-stopped' : 'in-progress';
}
