// An exactly-once file sink by two-phase commit (DESIGN.md section 8, without Kafka). Records of
// checkpoint epoch n go to an in-progress file; at barrier n the file is closed (pre-commit) and
// its name recorded in the checkpoint; when checkpoint n completes it is renamed to its committed
// name `part-<subtask>-<n>`. A restore commits the pre-committed files the checkpoint recorded and
// deletes everything else that was in progress, so replayed records are written exactly once.
//
// Only `DIR/part-*` files are committed output; in-progress files live in `DIR/.in-progress/`.
// End of input commits the last epoch at once (the job is finishing); should the job still fail
// before it finishes, the restore deletes committed epochs newer than the checkpoint it restores.
//
// File I/O is synchronous on purpose: the pre-commit must be durable before the checkpoint's
// acknowledgement leaves the TaskManager, and the snapshot hook is synchronous.
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { userError } from '@eddy/common';
import { formatRecord, type Sink, type SinkWriter, type SinkWriterContext } from './sink.ts';

const IN_PROGRESS = '.in-progress';
const FLUSH_CHARS = 1 << 20;

/** A pre-committed transaction: its in-progress file and the checkpoint that commits it. */
interface Transaction {
  readonly file: string;
  readonly checkpointId: number;
  readonly subtask: number;
}

/** What a writer stores in a checkpoint. */
interface WriterState {
  /** Pre-committed, not yet known to be committed. */
  readonly pending: readonly Transaction[];
  readonly subtask: number;
  /** The checkpoint this state belongs to. */
  readonly checkpointId: number;
}

/** Writes records as lines into committed files, exactly once. */
export class TransactionalFileSink<T> implements Sink<T> {
  readonly directory: string;
  constructor(directory: string) {
    this.directory = directory;
  }
  describe(): unknown {
    return { kind: 'transactional-file', directory: this.directory };
  }
  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    return new TransactionalFileWriter<T>(this.directory, ctx);
  }
}

/** `part-<subtask>-<epoch>` -> [subtask, epoch]. */
function parseCommitted(name: string): [number, number] | undefined {
  const m = /^part-(\d+)-(\d+)$/.exec(name);
  return m === null ? undefined : [Number(m[1]), Number(m[2])];
}

class TransactionalFileWriter<T> implements SinkWriter<T> {
  readonly #dir: string;
  readonly #subtask: number;
  readonly #parallelism: number;
  readonly #ctx: SinkWriterContext;
  #pending: Transaction[] = [];
  #fd: number | undefined;
  #file: string | undefined;
  #text = '';
  /** The checkpoint that will commit what is being written now. */
  #epoch = 1;

  constructor(dir: string, ctx: SinkWriterContext) {
    this.#dir = dir;
    this.#subtask = ctx.subtaskIndex;
    this.#parallelism = ctx.parallelism;
    this.#ctx = ctx;
  }

  open(): void {
    try {
      mkdirSync(join(this.#dir, IN_PROGRESS), { recursive: true });
    } catch (err) {
      throw userError(
        'SINK_DIRECTORY',
        `cannot create the output directory ${this.#dir}: ${(err as Error).message}`,
        err,
      );
    }
    this.#recover();
  }

  /** Subtasks this one takes over after a rescale: old subtask i belongs to new subtask i mod p. */
  #mine(subtask: number): boolean {
    return subtask % this.#parallelism === this.#subtask;
  }

  /**
   * Commits what the restored checkpoint pre-committed, then removes every other trace of earlier
   * runs of the subtasks this one covers: in-progress files, and epochs committed after the
   * restored checkpoint (only an end-of-input commit of a failed run can have made those).
   */
  #recover(): void {
    const states = (this.#ctx.restoredStates ?? []) as (WriterState | undefined)[];
    const restoredCheckpoint = Math.max(0, ...states.map((s) => s?.checkpointId ?? 0));
    let lastCommitted = 0;
    for (const s of states) {
      if (s === undefined || !this.#mine(s.subtask)) continue;
      for (const t of s.pending) this.#commit(t);
    }
    for (const name of readdirSync(join(this.#dir, IN_PROGRESS))) {
      const m = /^part-(\d+)-/.exec(name);
      if (m !== null && this.#mine(Number(m[1]))) unlinkSync(join(this.#dir, IN_PROGRESS, name));
    }
    if (this.#ctx.restoredStates !== undefined) {
      for (const name of readdirSync(this.#dir)) {
        const c = parseCommitted(name);
        if (c === undefined || !this.#mine(c[0])) continue;
        if (c[1] > restoredCheckpoint) unlinkSync(join(this.#dir, name));
        else lastCommitted = Math.max(lastCommitted, c[1]);
      }
    }
    this.#epoch = Math.max(restoredCheckpoint, lastCommitted) + 1;
  }

  #commit(t: Transaction): void {
    const from = join(this.#dir, IN_PROGRESS, t.file);
    const to = join(this.#dir, `part-${t.subtask}-${t.checkpointId}`);
    if (existsSync(from)) renameSync(from, to);
    // Otherwise it was committed before the failure (the rename happened); nothing to do.
  }

  #ensureFile(): number {
    if (this.#fd === undefined) {
      this.#file = `part-${this.#subtask}-${randomBytes(6).toString('hex')}`;
      this.#fd = openSync(join(this.#dir, IN_PROGRESS, this.#file), 'w');
    }
    return this.#fd;
  }

  write(batch: readonly T[]): void {
    let text = this.#text;
    for (let i = 0; i < batch.length; i++) text += formatRecord(batch[i]) + '\n';
    this.#text = text;
    if (text.length >= FLUSH_CHARS) this.#flush();
  }

  #flush(): void {
    if (this.#text === '') return;
    writeSync(this.#ensureFile(), this.#text);
    this.#text = '';
  }

  /** Closes the current transaction durably and starts the next; returns the pending ones. */
  #preCommit(checkpointId: number): void {
    this.#flush();
    if (this.#fd !== undefined) {
      fsyncSync(this.#fd);
      closeSync(this.#fd);
      this.#pending.push({ file: this.#file!, checkpointId, subtask: this.#subtask });
      this.#fd = undefined;
      this.#file = undefined;
    }
  }

  snapshotState(checkpointId: number): unknown {
    this.#preCommit(checkpointId);
    this.#epoch = checkpointId + 1;
    const state: WriterState = { pending: [...this.#pending], subtask: this.#subtask, checkpointId };
    return state;
  }

  notifyCheckpointComplete(checkpointId: number): void {
    const done = this.#pending.filter((t) => t.checkpointId <= checkpointId);
    for (const t of done) this.#commit(t);
    this.#pending = this.#pending.filter((t) => t.checkpointId > checkpointId);
  }

  /** End of input: commit everything now, the last epoch included. */
  finish(): void {
    this.#preCommit(this.#epoch);
    for (const t of this.#pending) this.#commit(t);
    this.#pending = [];
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
