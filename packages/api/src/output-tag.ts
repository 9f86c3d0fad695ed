// Side outputs: an OutputTag names a second stream an operator can emit into with ctx.output().

/** Names a side output. Tags are equal when their ids are. */
export class OutputTag<T> {
  readonly id: string;
  /** Phantom field carrying the element type. */
  declare readonly __type?: T;
  constructor(id: string) {
    if (id === '') throw new TypeError('an OutputTag needs a non-empty id');
    this.id = id;
  }
}
