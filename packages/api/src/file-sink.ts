// Text files, one record per line (strings as they are, anything else as JSON). At parallelism 1
// the path is the output file; at higher parallelism it is a directory of `part-<subtask>` files,
// as Flink's file sinks do. A rerun (restart) truncates and rewrites, so output is never doubled.
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { userError } from '@eddy/common';
import { formatRecord, type Sink, type SinkWriter, type SinkWriterContext } from './sink.ts';

const FLUSH_BYTES = 1 << 20;

/** Writes records as lines of text. */
export class TextFileSink<T> implements Sink<T> {
  readonly path: string;
  constructor(path: string) {
    this.path = path;
  }
  describe(): unknown {
    return { kind: 'text-file', path: this.path };
  }
  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    const file = ctx.parallelism === 1 ? this.path : join(this.path, `part-${ctx.subtaskIndex}`);
    return new TextFileWriter<T>(file);
  }
}

class TextFileWriter<T> implements SinkWriter<T> {
  readonly #file: string;
  #handle: FileHandle | undefined;
  #pending = '';

  constructor(file: string) {
    this.#file = file;
  }

  async open(): Promise<void> {
    try {
      await mkdir(dirname(this.#file), { recursive: true });
      this.#handle = await open(this.#file, 'w');
    } catch (err) {
      throw userError('SINK_FILE', `cannot write output file ${this.#file}: ${(err as Error).message}`, err);
    }
  }

  write(batch: readonly T[]): void | Promise<void> {
    let text = this.#pending;
    for (let i = 0; i < batch.length; i++) text += formatRecord(batch[i]) + '\n';
    this.#pending = text;
    return text.length >= FLUSH_BYTES ? this.#flush() : undefined;
  }

  async #flush(): Promise<void> {
    const text = this.#pending;
    this.#pending = '';
    if (text.length > 0) await this.#handle?.write(text);
  }

  async finish(): Promise<void> {
    await this.#flush();
    await this.#handle?.datasync();
  }

  async close(): Promise<void> {
    const h = this.#handle;
    this.#handle = undefined;
    await h?.close();
  }
}
