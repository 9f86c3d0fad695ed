// Structured JSON logs (pino). Child loggers bind {jobId, vertexId, subtask, attempt, tmId}.
import { pino, type Logger as PinoLogger } from 'pino';

/** Eddy's logger: pino's. */
export type Logger = PinoLogger;

/** Field names bound on child loggers. */
export const LogFields = {
  jobId: 'jobId',
  vertexId: 'vertexId',
  subtask: 'subtask',
  attempt: 'attempt',
  tmId: 'tmId',
} as const;

/** The root logger of a process, writing JSON lines to stderr. */
export function createLogger(name: string, level = process.env['EDDY_LOG_LEVEL'] ?? 'info'): Logger {
  return pino({ name, level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: false }));
}

/** A logger that drops everything; for unit tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
