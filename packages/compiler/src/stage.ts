import { GraphError, Node, type Graph } from '@graft/ir';
import type { TraceEntry } from '@graft/rewrite';
import type { Backend } from './program.ts';

/** Elementwise nodes evaluated by one step: `root` is the only one whose value is stored. */
export interface FusionGroup {
  readonly root: Node;
  /** Every node of the group, in topological order, the root last. */
  readonly nodes: readonly Node[];
}

/**
 * What flows through the pipeline: a graph and the named outputs in it, plus the fused
 * groups once the fusion pass has run. Stages are immutable; a pass returns a new one.
 */
export interface Stage {
  readonly graph: Graph;
  readonly outputs: Readonly<Record<string, Node>>;
  /** Fused groups (every node not in a group is a step of its own); empty before fusion. */
  readonly fusion: readonly FusionGroup[];
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
export function createStage(outputs: Readonly<Record<string, Node>>, fusion: readonly FusionGroup[] = []): Stage {
  const values = Object.values(outputs);
  const first = values[0];
  if (!(first instanceof Node)) throw new GraphError('createStage', 'outputs must be a record of at least one node', {});
  return Object.freeze({ graph: first.graph, outputs: Object.freeze({ ...outputs }), fusion: Object.freeze([...fusion]) });
}

/** A stage with new outputs in `graph` (and no fused groups). */
export function stageOf(graph: Graph, outputs: Readonly<Record<string, Node>>): Stage {
  return Object.freeze({ graph, outputs: Object.freeze({ ...outputs }), fusion: Object.freeze([]) });
}
