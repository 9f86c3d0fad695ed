// Operator (non-keyed) state of a user function through a checkpoint: CheckpointedFunction sees
// its list state restored, split round-robin or (union) whole, also at another parallelism.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  StateDescriptors,
  type CheckpointedFunction,
  type FunctionInitializationContext,
  type ListState,
  type ProcessContext,
  type ProcessFunction,
} from '@eddy/api';
import { OperatorTestHarness } from '../testing/operator-test-harness.ts';

/** Remembers every value it saw in split list state and the count in union list state. */
class Remember implements ProcessFunction<number, string>, CheckpointedFunction {
  seen: number[] = [];
  restored = false;
  #list!: ListState<number>;
  #union!: ListState<string>;
  initializeState(ctx: FunctionInitializationContext): void {
    this.restored = ctx.isRestored();
    this.#list = ctx.getOperatorStateStore().getListState(StateDescriptors.list<number>('seen'));
    this.#union = ctx.getOperatorStateStore().getUnionListState(StateDescriptors.list<string>('marks'));
    this.seen = [...this.#list.get()];
  }
  snapshotState(): void {
    this.#list.update(this.seen);
    this.#union.update([`count=${this.seen.length}`]);
  }
  processElement(v: number, _ctx: ProcessContext): void {
    this.seen.push(v);
  }
  unionMarks(): readonly string[] {
    return this.#union.get();
  }
}

test('a CheckpointedFunction restores its operator list state, split and union, at another parallelism', async () => {
  const snapshots = [];
  for (let subtask = 0; subtask < 2; subtask++) {
    const fn = new Remember();
    const h = await OperatorTestHarness.forProcessFunction(fn, { parallelism: 2, subtaskIndex: subtask });
    for (let i = 0; i < 5; i++) await h.processElement(subtask * 100 + i);
    snapshots.push(await h.snapshot(3));
    await h.processElement(999); // after the checkpoint: lost on restore, replayed by the source
  }
  const restored = [];
  for (let subtask = 0; subtask < 3; subtask++) {
    const fn = new Remember();
    await OperatorTestHarness.forProcessFunction(fn, {
      parallelism: 3,
      subtaskIndex: subtask,
      restoreFrom: snapshots,
    });
    assert.equal(fn.restored, true);
    assert.deepEqual(
      [...fn.unionMarks()].sort(),
      ['count=5', 'count=5'],
      'union state: every subtask gets all',
    );
    restored.push(...fn.seen);
  }
  assert.deepEqual(
    restored.sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 100, 101, 102, 103, 104],
    'split state: each entry once',
  );
  const fresh = new Remember();
  await OperatorTestHarness.forProcessFunction(fresh);
  assert.equal(fresh.restored, false);
});
