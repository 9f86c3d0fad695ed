// Flink's MergingWindowSet: the in-flight windows of one key of a merging assigner (sessions), each
// mapped to its *state window*, the window whose namespace holds its contents. When windows merge,
// the result keeps the state window of one of the merged windows, so only the other state windows
// are folded into it (no rewrite of the surviving state). Pure: the operator persists `entries()`
// in keyed state after each change. Called only from the task thread.
import type { MergingWindowAssigner, Window } from '@eddy/api';

/** Called once per merge: the operator merges trigger state and window contents. */
export type MergeFunction<W extends Window> = (
  mergeResult: W,
  mergedWindows: readonly W[],
  stateWindowResult: W,
  mergedStateWindows: readonly W[],
) => void;

/** In-flight windows of one key and their state windows. */
export class MergingWindowSet<W extends Window> {
  readonly #assigner: MergingWindowAssigner<unknown, W>;
  /** window id -> [window, state window] */
  readonly #mapping = new Map<string, readonly [W, W]>();
  #dirty = false;

  constructor(assigner: MergingWindowAssigner<unknown, W>, persisted: readonly (readonly [W, W])[] = []) {
    this.#assigner = assigner;
    for (const e of persisted) this.#mapping.set(e[0].id, e);
  }

  /** The state window of an in-flight window, or undefined when the window is not in the set. */
  getStateWindow(window: W): W | undefined {
    return this.#mapping.get(window.id)?.[1];
  }

  /** Removes a window that was cleaned up. Throws when it is not in flight (a bug). */
  retireWindow(window: W): void {
    if (!this.#mapping.delete(window.id)) {
      throw new Error(`window ${String(window)} is not in the in-flight window set`);
    }
    this.#dirty = true;
  }

  /**
   * Adds `newWindow`, merging it (and any windows it bridges) as the assigner decides. Returns the
   * window the new one ended up in: itself, or the result of a merge.
   */
  addWindow(newWindow: W, merge: MergeFunction<W>): W {
    const windows: W[] = [];
    for (const [w] of this.#mapping.values()) windows.push(w);
    windows.push(newWindow);
    const results: { result: W; merged: W[] }[] = [];
    this.#assigner.mergeWindows(windows, (toBeMerged, mergeResult) => {
      results.push({ result: mergeResult, merged: [...toBeMerged] });
    });

    let resultWindow = newWindow;
    let mergedNewWindow = false;
    for (const { result, merged } of results) {
      const i = merged.findIndex((w) => w.id === newWindow.id);
      if (i >= 0) {
        merged.splice(i, 1);
        mergedNewWindow = true;
        resultWindow = result;
      }
      const first = merged[0];
      if (first === undefined) continue; // cannot happen: a merge has at least two members
      // The result inherits the state window of any one pre-existing merged window.
      const stateWindow = this.#mapping.get(first.id)?.[1];
      if (stateWindow === undefined) throw new Error(`merged window ${String(first)} has no state window`);
      const mergedStateWindows: W[] = [];
      for (const w of merged) {
        const e = this.#mapping.get(w.id);
        if (e !== undefined) {
          this.#mapping.delete(w.id);
          if (e[1].id !== stateWindow.id) mergedStateWindows.push(e[1]);
        }
      }
      this.#mapping.set(result.id, [result, stateWindow]);
      this.#dirty = true;
      // A pre-existing window that absorbs the new one without growing has nothing to merge.
      if (!(merged.length === 1 && merged[0]?.id === result.id)) {
        merge(result, merged, stateWindow, mergedStateWindows);
      }
    }
    if (results.length === 0 || (resultWindow.id === newWindow.id && !mergedNewWindow)) {
      this.#mapping.set(resultWindow.id, [resultWindow, resultWindow]);
      this.#dirty = true;
    }
    return resultWindow;
  }

  /** The in-flight windows and their state windows, for persisting. */
  entries(): (readonly [W, W])[] {
    return [...this.#mapping.values()];
  }
  get size(): number {
    return this.#mapping.size;
  }
  /** Whether the set changed since it was created or `markPersisted` was called. */
  isDirty(): boolean {
    return this.#dirty;
  }
  markPersisted(): void {
    this.#dirty = false;
  }
}
