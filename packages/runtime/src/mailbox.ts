// The task mailbox: the single queue through which anything but the task's own input loop reaches
// operator code (cancellation, and later timers, checkpoint triggers, async completions). The task
// thread drains it between batches, so operator methods never run concurrently.

/** A unit of work for the task thread. */
export type Mail = { readonly description: string; readonly run: () => void };

/** A FIFO of mails with a wake-up for the task loop when it is idle. */
export class TaskMailbox {
  readonly #queue: Mail[] = [];
  #wake: (() => void) | undefined;
  #closed = false;

  /** Enqueues a mail; wakes the task if it waits. Mails sent after close are dropped. */
  put(mail: Mail): void {
    if (this.#closed) return;
    this.#queue.push(mail);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Whether mails are waiting. */
  hasMail(): boolean {
    return this.#queue.length > 0;
  }

  /** Runs every queued mail, in order, on the caller (the task thread). */
  drain(): void {
    for (let mail = this.#queue.shift(); mail !== undefined; mail = this.#queue.shift()) mail.run();
  }

  /** Resolves when the next mail arrives (immediately if one waits). */
  whenMail(): Promise<void> {
    if (this.#queue.length > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const prev = this.#wake;
      this.#wake = () => {
        prev?.();
        resolve();
      };
    });
  }

  /** Refuses further mails and drops waiting ones. */
  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
