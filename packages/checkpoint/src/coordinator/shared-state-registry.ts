// Reference counts of checkpoint objects by their path relative to the job's directory. Incremental
// checkpoints reference objects that earlier checkpoints uploaded; an object may be deleted only when
// no retained completed checkpoint and no pending checkpoint references it any more.
// Owned by one CheckpointCoordinator; not thread-safe (it need not be: one mailbox drives it).

/** Counts references to objects; `release` says which ones became unreferenced. */
export class SharedStateRegistry {
  readonly #counts = new Map<string, number>();

  /** Adds one reference to each path (a path listed twice gets two). */
  register(paths: Iterable<string>): void {
    for (const p of paths) this.#counts.set(p, (this.#counts.get(p) ?? 0) + 1);
  }

  /** Drops one reference to each path; returns the paths no longer referenced, each once. */
  release(paths: Iterable<string>): string[] {
    const freed: string[] = [];
    for (const p of paths) {
      const n = this.#counts.get(p);
      if (n === undefined) continue;
      if (n <= 1) {
        this.#counts.delete(p);
        freed.push(p);
      } else {
        this.#counts.set(p, n - 1);
      }
    }
    return freed;
  }

  /** Whether anything references `path`. */
  isReferenced(path: string): boolean {
    return this.#counts.has(path);
  }

  /** Whether anything references a path under `prefix`. */
  isReferencedUnder(prefix: string): boolean {
    for (const p of this.#counts.keys()) if (p.startsWith(prefix)) return true;
    return false;
  }

  /** Every referenced path. */
  referencedPaths(): IterableIterator<string> {
    return this.#counts.keys();
  }
}
