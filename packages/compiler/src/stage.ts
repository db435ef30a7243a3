import { GraphError, Node, type Graph } from '@graft/ir';
import type { TraceEntry } from '@graft/rewrite';
import type { Backend } from './program.ts';

/**
 * What flows through the pipeline: a graph and the named outputs in it. Everything a pass
 * decides is in the graph (fusion makes `fused` nodes), so passes compose in any order.
 * Stages are immutable; a pass returns a new one.
 */
export interface Stage {
  readonly graph: Graph;
  readonly outputs: Readonly<Record<string, Node>>;
}

/** What a pass may use besides the stage. */
export interface PassContext {
  /** The backend the program is compiled for (constant folding evaluates on it). */
  readonly backend: Backend;
}

/** What a pass returns. */
export interface PassResult {
  readonly stage: Stage;
  /** Rewrite firings, for passes that are rewrites. */
  readonly trace?: readonly TraceEntry[];
  /** Remarks, e.g. why the pass did nothing. */
  readonly notes?: readonly string[];
}

/**
 * A named pass: a pure function from a stage to a new stage (a graph → graph function, in
 * practice outputs in one graph → outputs in a new graph).
 */
export interface Pass {
  /** Shown in `program.passes`, traces and errors. */
  readonly name: string;
  /** One line: what the pass does. */
  readonly doc: string;
  run(stage: Stage, context: PassContext): PassResult;
}

/** The stage for named outputs of one graph, before any pass. */
export function createStage(outputs: Readonly<Record<string, Node>>): Stage {
  const values = Object.values(outputs);
  const first = values[0];
  if (!(first instanceof Node)) throw new GraphError('createStage', 'outputs must be a record of at least one node', { outputs: values.length, first: String(first) });
  return Object.freeze({ graph: first.graph, outputs: Object.freeze({ ...outputs }) });
}

/** A stage with new outputs in `graph`. */
export function stageOf(graph: Graph, outputs: Readonly<Record<string, Node>>): Stage {
  return Object.freeze({ graph, outputs: Object.freeze({ ...outputs }) });
}
