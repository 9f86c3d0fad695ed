// Writes DataFrames to a gRPC stream, honouring `write()` returning false: it then reports
// `writable === false` until the stream drains, and the bulk producer (the partition request
// queue) stops taking buffers from subpartitions. Small control frames (credits, errors, opens)
// are always written: they are bounded by credits and channels, and must not be reordered.
//
// Threading: the TaskManager's event loop.
import type { eddy } from './rpc.ts';

/** The part of a gRPC stream the writer needs. */
export interface FrameSink {
  write(frame: eddy.v1.DataFrame): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/** A frame writer with drain tracking. */
export class FrameWriter {
  readonly #sink: FrameSink;
  readonly #onDrain: () => void;
  #writable = true;
  #closed = false;
  #framesWritten = 0;

  constructor(sink: FrameSink, onDrain: () => void) {
    this.#sink = sink;
    this.#onDrain = onDrain;
  }

  /** False between a `write()` that returned false and the next 'drain', and after close. */
  get writable(): boolean {
    return this.#writable && !this.#closed;
  }

  get framesWritten(): number {
    return this.#framesWritten;
  }

  write(frame: eddy.v1.DataFrame): void {
    if (this.#closed) return;
    this.#framesWritten++;
    if (!this.#sink.write(frame) && this.#writable) {
      this.#writable = false;
      this.#sink.once('drain', () => {
        this.#writable = true;
        if (!this.#closed) this.#onDrain();
      });
    }
  }

  /** Stops writing (the stream ended or broke). */
  close(): void {
    this.#closed = true;
  }
}
