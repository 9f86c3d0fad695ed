// Text files, line by line. The file is split into contiguous byte ranges, one per subtask; a line
// belongs to the range in which it starts, so every line is read exactly once at any parallelism.
// Reads are synchronous 1 MiB chunks: a local file read costs well under a millisecond from the
// page cache, which keeps the reader simple and the task loop free of per-batch promises.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { userError } from '@eddy/common';
import type { Source, SourceReader, SourceReaderContext } from './source.ts';

const CHUNK = 1 << 20;
const NEWLINE = 0x0a;
const READY: Promise<void> = Promise.resolve();

/** The byte range [start, end) of subtask `index` of `parallelism` over `size` bytes. */
export function fileSplit(size: number, parallelism: number, index: number): { start: number; end: number } {
  return {
    start: Math.floor((size * index) / parallelism),
    end: Math.floor((size * (index + 1)) / parallelism),
  };
}

/** Lines of a UTF-8 text file, without their line terminators ('\n' or '\r\n'). */
export class TextFileSource implements Source<string> {
  readonly boundedness = 'bounded';
  readonly path: string;
  constructor(path: string) {
    this.path = path;
  }
  describe(): unknown {
    return { kind: 'text-file', path: this.path };
  }
  createReader(ctx: SourceReaderContext): SourceReader<string> {
    let size: number;
    try {
      const st = statSync(this.path);
      if (!st.isFile()) throw new Error('not a regular file');
      size = st.size;
    } catch (err) {
      const why =
        (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (err as Error).message;
      throw userError(
        'SOURCE_FILE',
        `cannot read input file ${this.path}: ${why} (check the path; relative paths resolve against the directory you ran eddy in)`,
      );
    }
    const { start, end } = fileSplit(size, ctx.parallelism, ctx.subtaskIndex);
    const restored = ctx.restoredState as { offset: number; end: number } | undefined;
    if (restored !== undefined && restored.end !== end) {
      throw userError(
        'SOURCE_RESTORE',
        `the text file source of ${this.path} must be restored at the parallelism it was checkpointed with`,
      );
    }
    return new TextFileReader(this.path, start, end, restored?.offset);
  }
}

/** Reads the lines starting in [start, end). */
class TextFileReader implements SourceReader<string> {
  readonly #fd: number;
  readonly #end: number;
  /** File offset of buf[0]. */
  #bufOffset: number;
  #buf = Buffer.alloc(0);
  /** Next unread position in buf. */
  #pos = 0;
  #eof = false;
  #done = false;

  constructor(path: string, start: number, end: number, resumeAt?: number) {
    this.#fd = openSync(path, 'r');
    this.#end = end;
    this.#bufOffset = resumeAt ?? start;
    if (this.#bufOffset >= end) {
      this.#done = true;
      return;
    }
    // A restored reader resumes exactly at the start of the next unread line.
    if (resumeAt === undefined && start > 0) {
      // The line in progress at `start` belongs to the previous split, unless one starts exactly here.
      this.#bufOffset = start - 1;
      this.#fill();
      const nl = this.#buf.indexOf(NEWLINE, 0);
      this.#pos = nl < 0 ? this.#buf.length : nl + 1;
      while (nl < 0 && !this.#eof) {
        // A line longer than a chunk: keep skipping.
        this.#compact();
        this.#fill();
        const next = this.#buf.indexOf(NEWLINE, this.#pos);
        if (next >= 0) {
          this.#pos = next + 1;
          break;
        }
        this.#pos = this.#buf.length;
      }
    }
  }

  /** Drops consumed bytes and appends the next chunk of the file. */
  #fill(): void {
    const chunk = Buffer.allocUnsafe(CHUNK);
    const n = readSync(this.#fd, chunk, 0, CHUNK, this.#bufOffset + this.#buf.length);
    if (n === 0) this.#eof = true;
    this.#buf =
      this.#buf.length === 0 ? chunk.subarray(0, n) : Buffer.concat([this.#buf, chunk.subarray(0, n)]);
  }

  #compact(): void {
    this.#bufOffset += this.#pos;
    this.#buf = this.#buf.subarray(this.#pos);
    this.#pos = 0;
  }

  pollNext(max: number): string[] | null {
    if (this.#done) return null;
    const out: string[] = [];
    while (out.length < max) {
      if (this.#bufOffset + this.#pos >= this.#end) {
        this.#done = true;
        break;
      }
      let nl = this.#buf.indexOf(NEWLINE, this.#pos);
      while (nl < 0 && !this.#eof) {
        this.#compact();
        this.#fill();
        nl = this.#buf.indexOf(NEWLINE, this.#pos);
      }
      if (nl < 0) {
        // The last line of the file has no terminator.
        if (this.#pos < this.#buf.length) out.push(this.#line(this.#pos, this.#buf.length));
        this.#done = true;
        break;
      }
      out.push(this.#line(this.#pos, nl));
      this.#pos = nl + 1;
    }
    return out.length === 0 && this.#done ? null : out;
  }

  #line(from: number, to: number): string {
    const end = to > from && this.#buf[to - 1] === 0x0d ? to - 1 : to;
    return this.#buf.toString('utf8', from, end);
  }

  isAvailable(): Promise<void> {
    return READY;
  }

  /** The file offset of the next unread line. */
  snapshotState(): unknown {
    return { offset: this.#done ? this.#end : this.#bufOffset + this.#pos, end: this.#end };
  }

  close(): void {
    closeSync(this.#fd);
  }
}
