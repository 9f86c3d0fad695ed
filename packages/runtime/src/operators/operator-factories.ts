// Which StreamOperator runs a transformation of a given kind. One table, so that adding an operator
// kind (windows, joins, connected streams) is one entry here and nothing in the chain.
import type { JobGraph, OneInputTransformation, TwoInputTransformation, WindowSpec } from '@eddy/api';
import { FilterOperator, FlatMapOperator, MapOperator, ProcessOperator } from './basic-operators.ts';
import { KeyedReduceOperator } from './keyed-reduce-operator.ts';
import type { StreamOperator } from './stream-operator.ts';
import type { BroadcastProcessSpec, IntervalJoinSpec } from '@eddy/api';
import { CoFlatMapOperator, CoMapOperator } from './co-map-operators.ts';
import { CoProcessOperator } from './co-process-operator.ts';
import { BroadcastProcessOperator } from './broadcast-process-operator.ts';
import { IntervalJoinOperator } from './interval-join-operator.ts';
import { TimestampsAndWatermarksOperator } from './timestamps-and-watermarks-operator.ts';
import { WindowOperator } from '../windowing/window-operator.ts';

/** What a factory gets. */
export interface OperatorFactoryContext {
  readonly graph: JobGraph;
}

/** Makes the operator of a one-input transformation. */
export type OneInputOperatorFactory = (
  t: OneInputTransformation,
  ctx: OperatorFactoryContext,
) => StreamOperator;
/** Makes the operator of a two-input transformation. */
export type TwoInputOperatorFactory = (
  t: TwoInputTransformation,
  ctx: OperatorFactoryContext,
) => StreamOperator;

/** One-input operator kinds. */
export const ONE_INPUT_OPERATORS: Readonly<Record<string, OneInputOperatorFactory>> = {
  map: (t) => new MapOperator(t.fn),
  filter: (t) => new FilterOperator(t.fn),
  'flat-map': (t) => new FlatMapOperator(t.fn),
  process: (t) => new ProcessOperator(t.fn),
  reduce: (t, ctx) => new KeyedReduceOperator(t.fn, ctx.graph.runtimeMode),
  'timestamps-watermarks': (t, ctx) =>
    new TimestampsAndWatermarksOperator(t.fn as never, ctx.graph.autoWatermarkInterval ?? 200),
  window: (t) => new WindowOperator(t.fn as WindowSpec),
};

/** Two-input operator kinds. */
export const TWO_INPUT_OPERATORS: Readonly<Record<string, TwoInputOperatorFactory>> = {
  'co-map': (t) => new CoMapOperator(t.fn),
  'co-flat-map': (t) => new CoFlatMapOperator(t.fn),
  'co-process': (t) => new CoProcessOperator(t.fn),
  'broadcast-process': (t) => new BroadcastProcessOperator(t.fn as BroadcastProcessSpec),
  'keyed-broadcast-process': (t) => new BroadcastProcessOperator(t.fn as BroadcastProcessSpec),
  'interval-join': (t) => new IntervalJoinOperator(t.fn as IntervalJoinSpec),
};
