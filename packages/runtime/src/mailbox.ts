// The task mailbox: the single queue through which anything but the task's own input loop reaches
// operator code (cancellation, and later timers, checkpoint triggers, async completions). The task
// thread drains it between batches, so operator methods never run concurrently.

/** A unit of work for the task thread. */
export type Mail = { readonly description: string; readonly run: () => void | Promise<void> };

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
  /**
   * Runs every queued mail, in order, on the caller (the task thread). A mail that returns a promise
   * (it emitted into an asynchronous sink) is awaited before the next one runs.
   */
  drain(): void | Promise<void> {
    for (let mail = this.#queue.shift(); mail !== undefined; mail = this.#queue.shift()) {
      const r = mail.run();
      if (r !== undefined) return r.then(() => this.drain());
    }
  }

  /**
   * Resolves when the next mail arrives (immediately if one waits, or once closed). There is one
   * waiter, the task thread: a new call replaces the previous wait, so an idle task that waits
   * millions of times holds no more than one pending promise.
   */
  whenMail(): Promise<void> {
    if (this.#queue.length > 0 || this.#closed) return Promise.resolve();
    return new Promise((resolve) => (this.#wake = resolve));
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
