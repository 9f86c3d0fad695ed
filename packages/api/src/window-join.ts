// Window join and coGroup of two streams (Flink's JoinedStreams and CoGroupedStreams):
//
//   a.join(b).where(k1).equalTo(k2).window(assigner).apply((x, y) => ...)
//   a.coGroup(b).where(k1).equalTo(k2).window(assigner).apply((xs, ys, out) => ...)
//
// Built as Flink builds them: each input is tagged with its side, the two are unioned, keyed by the
// side's key selector and cut into windows; a window function splits each window's elements by
// side again and calls the coGroup function (a join is a coGroup that emits the cross product).
// Windows, triggers, lateness and output timestamps (the window's max timestamp) are therefore
// exactly those of KeyedStream.window.
import type { DataStream } from './data-stream.ts';
import {
  unwrapFunction,
  type Collector,
  type KeySelector,
  type RichFunction,
  type RuntimeContext,
} from './functions.ts';
import type { Evictor } from './windowing/evictor.ts';
import type { Trigger } from './windowing/trigger.ts';
import type { WindowAssigner } from './windowing/window-assigner.ts';
import type { ProcessWindowFunction } from './windowing/window-function.ts';
import type { Window } from './windowing/window.ts';

/** An element of either input, as the window assigner, trigger and evictor of a join see it. */
export interface TaggedUnion<T1, T2> {
  /** 1 for the first input (the stream join/coGroup was called on), 2 for the second. */
  readonly input: 1 | 2;
  readonly value: T1 | T2;
}

/** Combines one element of each input that share a key and a window (Flink's JoinFunction). */
export type JoinFunction<IN1, IN2, OUT> =
  ((first: IN1, second: IN2) => OUT) | (RichFunction & { join(first: IN1, second: IN2): OUT });

/**
 * Called once per key and window with the elements of each input (either may be empty) (Flink's
 * CoGroupFunction).
 */
export type CoGroupFunction<IN1, IN2, OUT> =
  | ((first: readonly IN1[], second: readonly IN2[], out: Collector<OUT>) => void)
  | (RichFunction & { coGroup(first: readonly IN1[], second: readonly IN2[], out: Collector<OUT>): void });

type Side = 'join' | 'coGroup';

/** Everything a windowed join or coGroup has been given so far. */
interface Spec<T1, T2, K> {
  readonly kind: Side;
  readonly first: DataStream<T1>;
  readonly second: DataStream<T2>;
  readonly key1: KeySelector<T1, K>;
  readonly key2: KeySelector<T2, K>;
}

/** The join or coGroup once keys and window are given: settings, then apply. */
abstract class WithWindowBase<T1, T2, K, W extends Window> {
  readonly #spec: Spec<T1, T2, K>;
  readonly #assigner: WindowAssigner<TaggedUnion<T1, T2>, W>;
  #trigger: Trigger<TaggedUnion<T1, T2>, W> | undefined;
  #evictor: Evictor<TaggedUnion<T1, T2>, W> | undefined;
  #lateness: number | undefined;

  constructor(spec: Spec<T1, T2, K>, assigner: WindowAssigner<TaggedUnion<T1, T2>, W>) {
    this.#spec = spec;
    this.#assigner = assigner;
  }
  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<TaggedUnion<T1, T2>, W>): this {
    this.#trigger = trigger;
    return this;
  }
  /** Evicts elements (of both inputs) before the function runs. */
  evictor(evictor: Evictor<TaggedUnion<T1, T2>, W>): this {
    this.#evictor = evictor;
    return this;
  }
  /** Keeps windows this many ms past their end for late elements (late firings). */
  allowedLateness(ms: number): this {
    this.#lateness = ms;
    return this;
  }

  /** Builds the dataflow: tag, union, keyBy, window, split by side and call `fn`. */
  protected build<O>(
    fn: (first: readonly T1[], second: readonly T2[], out: Collector<O>) => void,
    rich: RichFunction | undefined,
  ): DataStream<O> {
    const { kind, first, second, key1, key2 } = this.#spec;
    const tag1 = tagged<T1, T1, T2>(first, 1);
    const tag2 = tagged<T2, T1, T2>(second, 2);
    let windowed = tag1
      .union(tag2)
      .keyBy((t) => (t.input === 1 ? key1(t.value as T1) : key2(t.value as T2)))
      .window(this.#assigner);
    if (this.#trigger !== undefined) windowed = windowed.trigger(this.#trigger);
    if (this.#evictor !== undefined) windowed = windowed.evictor(this.#evictor);
    if (this.#lateness !== undefined) windowed = windowed.allowedLateness(this.#lateness);
    const split: ProcessWindowFunction<TaggedUnion<T1, T2>, O, K, W> = {
      process(_key, _ctx, elements, out) {
        const a: T1[] = [];
        const b: T2[] = [];
        for (const e of elements) {
          if (e.input === 1) a.push(e.value as T1);
          else b.push(e.value as T2);
        }
        fn(a, b, out);
      },
    };
    if (rich?.open !== undefined) split.open = (ctx: RuntimeContext) => rich.open?.(ctx);
    if (rich?.close !== undefined) split.close = () => rich.close?.();
    return windowed.process<O>(split).name(kind === 'join' ? 'Window Join' : 'Window CoGroup');
  }
}

/** Tags the records of `stream` with their input, at the stream's parallelism (so the map chains). */
function tagged<S extends T1 | T2, T1, T2>(
  stream: DataStream<S>,
  input: 1 | 2,
): DataStream<TaggedUnion<T1, T2>> {
  const t = stream.map<TaggedUnion<T1, T2>>((value) => ({ input, value }));
  t.name(`Tag Input ${input}`);
  const p = stream.getTransformation().parallelism;
  if (p !== undefined) t.setParallelism(p);
  return t;
}

/** A window join with keys and window: set trigger/evictor/lateness, then apply. */
export class JoinWithWindow<T1, T2, K, W extends Window> extends WithWindowBase<T1, T2, K, W> {
  /** Emits `fn(x, y)` for every pair of elements of the two inputs with equal keys in one window. */
  apply<O>(fn: JoinFunction<T1, T2, O>): DataStream<O> {
    const u = unwrapFunction<(a: T1, b: T2) => O>(fn as (a: T1, b: T2) => O, 'join');
    const join = u.call;
    return this.build<O>((first, second, out) => {
      for (const x of first) for (const y of second) out.collect(join(x, y));
    }, u.rich);
  }
}

/** A window coGroup with keys and window: set trigger/evictor/lateness, then apply. */
export class CoGroupWithWindow<T1, T2, K, W extends Window> extends WithWindowBase<T1, T2, K, W> {
  /** Calls `fn` once per key and window with the elements of both inputs. */
  apply<O>(fn: CoGroupFunction<T1, T2, O>): DataStream<O> {
    type F = (a: readonly T1[], b: readonly T2[], out: Collector<O>) => void;
    const u = unwrapFunction<F>(fn as F, 'coGroup');
    return this.build<O>(u.call, u.rich);
  }
}

/** After where(...).equalTo(...): choose the window. */
export class JoinEqualTo<T1, T2, K> {
  readonly #spec: Spec<T1, T2, K>;
  constructor(spec: Spec<T1, T2, K>) {
    this.#spec = spec;
  }
  /** Cuts both inputs into windows by `assigner` (event-time assigners need timestamps). */
  window<W extends Window>(assigner: WindowAssigner<TaggedUnion<T1, T2>, W>): JoinWithWindow<T1, T2, K, W> {
    return new JoinWithWindow<T1, T2, K, W>(this.#spec, assigner);
  }
}

/** After coGroup(...).where(...).equalTo(...): choose the window. */
export class CoGroupEqualTo<T1, T2, K> {
  readonly #spec: Spec<T1, T2, K>;
  constructor(spec: Spec<T1, T2, K>) {
    this.#spec = spec;
  }
  /** Cuts both inputs into windows by `assigner` (event-time assigners need timestamps). */
  window<W extends Window>(
    assigner: WindowAssigner<TaggedUnion<T1, T2>, W>,
  ): CoGroupWithWindow<T1, T2, K, W> {
    return new CoGroupWithWindow<T1, T2, K, W>(this.#spec, assigner);
  }
}

/** `a.join(b)`: give the key of the first input. */
export class JoinedStreams<T1, T2> {
  readonly #first: DataStream<T1>;
  readonly #second: DataStream<T2>;
  constructor(first: DataStream<T1>, second: DataStream<T2>) {
    checkSameEnv(first, second, 'join');
    this.#first = first;
    this.#second = second;
  }
  /** The key of the first input. */
  where<K>(key1: KeySelector<T1, K>): { equalTo(key2: KeySelector<T2, K>): JoinEqualTo<T1, T2, K> } {
    return {
      equalTo: (key2) =>
        new JoinEqualTo<T1, T2, K>({ kind: 'join', first: this.#first, second: this.#second, key1, key2 }),
    };
  }
}

/** `a.coGroup(b)`: give the key of the first input. */
export class CoGroupedStreams<T1, T2> {
  readonly #first: DataStream<T1>;
  readonly #second: DataStream<T2>;
  constructor(first: DataStream<T1>, second: DataStream<T2>) {
    checkSameEnv(first, second, 'coGroup');
    this.#first = first;
    this.#second = second;
  }
  /** The key of the first input. */
  where<K>(key1: KeySelector<T1, K>): { equalTo(key2: KeySelector<T2, K>): CoGroupEqualTo<T1, T2, K> } {
    return {
      equalTo: (key2) =>
        new CoGroupEqualTo<T1, T2, K>({
          kind: 'coGroup',
          first: this.#first,
          second: this.#second,
          key1,
          key2,
        }),
    };
  }
}

function checkSameEnv(a: { readonly env: unknown }, b: { readonly env: unknown }, what: string): void {
  if (a.env !== b.env) throw new TypeError(`${what}: both streams must come from the same environment`);
}
