import { GraftError, Graph, GraphError, Node, fmtShape, ops, shapesEqual, type Shape } from '@graft/ir';
import type { Pass, Stage } from '../stage.ts';
import { topologicalOrder } from '../traverse.ts';

/**
 * Checks that a stage is well formed and throws a `GraphError` naming `pass` and the node
 * otherwise: outputs are nodes; the graph they need is acyclic; every node belongs to the
 * stage's graph (it is the graph's own node at its id, not one of another graph or a
 * hand-built object); its op exists, has the right number of inputs and re-infers to the
 * node's shape and dtype (a fused node's expression is checked by its op's own rule).
 */
export function verifyStage(stage: Stage, pass: string): void {
  if (stage === null || typeof stage !== 'object') throw new GraphError(pass, 'must return a stage', { stage });
  const { graph, outputs } = stage;
  if (!(graph instanceof Graph)) throw new GraphError(pass, 'the stage must hold a Graph', { graph: String(graph) });
  if (outputs === null || typeof outputs !== 'object') throw new GraphError(pass, 'outputs must be a record of named nodes', { outputs });
  const entries = Object.entries(outputs as Record<string, unknown>);
  if (entries.length === 0) throw new GraphError(pass, 'outputs must name at least one node', { outputs: 0 });
  for (const [name, n] of entries) {
    if (!(n instanceof Node)) throw new GraphError(pass, `output "${name}" must be a Node`, { [name]: n });
  }
  const nodes = topologicalOrder(Object.values(outputs), pass);
  for (const n of nodes) verifyNode(n, graph, pass);
}

function verifyNode(n: Node, graph: Graph, pass: string): void {
  if (n.graph !== graph) throw new GraphError(pass, `every node must belong to the stage's graph; ${n} belongs to another`, { node: String(n) });
  if (graph.nodes[n.id] !== n) {
    throw new GraphError(pass, `every node must be its graph's own node; ${n} is not the graph's node #${n.id} (hand-built?)`, { node: String(n), id: n.id });
  }
  const record = n.record as (typeof n)['record'] | undefined;
  const known = Object.hasOwn(ops, n.op) ? (ops as Readonly<Record<string, unknown>>)[n.op] : undefined;
  // An op of the IR's table carries its table record; any other is an elementwise op given by its record (g.apply).
  const valid = record !== undefined && record !== null && typeof record === 'object' && record.name === n.op && (known === undefined ? record.arithmetic !== undefined : known === record);
  if (!valid) throw new GraphError(pass, `${n}: op "${String(n.op)}" is not an op of the IR or an elementwise record`, { node: String(n), op: String(n.op) });
  const arity = record.operands.length;
  if (record.variadic === true ? n.inputs.length < arity : n.inputs.length !== arity) {
    throw new GraphError(pass, `${n} must have ${record.variadic === true ? 'at least ' : ''}${arity} inputs, has ${n.inputs.length}`, { node: String(n), expected: arity, inputs: n.inputs.length });
  }
  if (n.op === 'input') {
    if (graph.inputs.get((n as Node<'input'>).attrs.name) !== n) throw new GraphError(pass, `${n} must be the graph's input of its name`, { node: String(n), name: (n as Node<'input'>).attrs.name });
    return;
  }
  if (n.op === 'constant') {
    if ((n as Node<'constant'>).attrs.values.length !== n.size) throw new GraphError(pass, `${n} must hold one value per element`, { node: String(n), values: (n as Node<'constant'>).attrs.values.length, elements: n.size });
    return;
  }
  for (const i of n.inputs) {
    if (i.dtype !== n.dtype) throw new GraphError(pass, `${n} (${n.dtype}) must have operands of its dtype; ${i} is ${i.dtype}`, { node: String(n), dtype: n.dtype, operand: String(i), operandDtype: i.dtype });
  }
  let shape: Shape;
  try {
    shape = record.infer(n.inputs, n.attrs).shape as Shape;
  } catch (e) {
    if (!(e instanceof GraftError)) throw e;
    throw new GraphError(pass, `${n} must be a valid node; its op rejects it: ${e.message}`, { node: String(n), ...e.values });
  }
  if (!shapesEqual(shape, n.shape)) {
    throw new GraphError(pass, `${n} must have the shape its op infers: has ${fmtShape(n.shape)}, infers ${fmtShape(shape)}`, { node: String(n), shape: n.shape, inferred: shape });
  }
}

/** Checks the graph the outputs need (see `verifyStage`); changes nothing. */
export const verifyPass: Pass = Object.freeze({
  name: 'verify',
  doc: 'checks the graph: acyclic, one graph, valid nodes; changes nothing',
  run(stage: Stage) {
    verifyStage(stage, 'verify');
    return { stage };
  },
});
