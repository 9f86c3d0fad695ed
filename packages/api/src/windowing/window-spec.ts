// What a window transformation carries to the runtime's WindowOperator (in OneInputTransformation.fn,
// kind 'window'), and its deterministic JSON description (OneInputTransformation.config, hashed with
// the job graph). Built by WindowedStream/AllWindowedStream; read by the operator factory.
import type { ReduceFunction } from '../functions.ts';
import type { OutputTag } from '../output-tag.ts';
import type { AggregateFunction } from '../state.ts';
import { describeEvictor, type Evictor } from './evictor.ts';
import { describeTrigger, type Trigger } from './trigger.ts';
import type { WindowAssigner } from './window-assigner.ts';
import type { ProcessAllWindowFunction, ProcessWindowFunction } from './window-function.ts';
import type { Window } from './window.ts';

/** A process function of either shape: keyed (with the key first) or all-window. */
export type AnyProcessWindowFunction =
  | ProcessWindowFunction<unknown, unknown, unknown, Window>
  | ProcessAllWindowFunction<unknown, unknown, Window>;

/** How a window is evaluated. */
export type WindowFunctionSpec =
  | {
      readonly kind: 'reduce';
      readonly reduce: ReduceFunction<unknown>;
      readonly process: AnyProcessWindowFunction | undefined;
    }
  | {
      readonly kind: 'aggregate';
      readonly aggregate: AggregateFunction<unknown, unknown, unknown>;
      readonly process: AnyProcessWindowFunction | undefined;
    }
  | { readonly kind: 'process'; readonly process: AnyProcessWindowFunction };

/** Everything the WindowOperator needs. */
export interface WindowSpec {
  readonly assigner: WindowAssigner<unknown, Window>;
  readonly trigger: Trigger<unknown, Window>;
  /** Whether `trigger` is the assigner's default (the operator may then slice sliding windows). */
  readonly defaultTrigger: boolean;
  readonly evictor: Evictor<unknown, Window> | undefined;
  /** ms after the window end during which late elements still update it (event time only). */
  readonly allowedLateness: number;
  /** Where elements dropped as late go; dropped silently when undefined. */
  readonly lateDataTag: OutputTag<unknown> | undefined;
  readonly function: WindowFunctionSpec;
  /** False for windowAll: process functions are ProcessAllWindowFunctions (no key argument). */
  readonly keyed: boolean;
}

/** Deterministic JSON of a window spec, for the graph hash and the UI. */
export function describeWindowSpec(spec: WindowSpec): unknown {
  return {
    assigner: spec.assigner.describe(),
    trigger: spec.defaultTrigger ? 'default' : describeTrigger(spec.trigger),
    evictor: spec.evictor === undefined ? null : describeEvictor(spec.evictor),
    allowedLateness: spec.allowedLateness,
    lateDataTag: spec.lateDataTag?.id ?? null,
    function: spec.function.kind,
    process: spec.function.process !== undefined,
    keyed: spec.keyed,
  };
}
