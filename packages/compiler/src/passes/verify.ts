import { GraftError, Graph, GraphError, Node, fmtShape, ops, shapesEqual, type OpName, type Shape } from '@graft/ir';
import type { Pass, Stage } from '../stage.ts';
import { topologicalOrder, usersOf } from '../traverse.ts';
import { isFusible } from './fuse.ts';

/**
 * Checks that a stage is well formed and throws a `GraphError` naming `pass` and the node
 * otherwise: outputs are nodes; the graph they need is acyclic; every node belongs to the
 * stage's graph (it is the graph's own node at its id, not one of another graph or a
 * hand-built object); its op exists, has the right number of inputs and re-infers to the
 * node's shape and dtype; and fused groups are groups of fusible nodes of one shape whose
 * inner values no other node reads.
 */
export function verifyStage(stage: Stage, pass: string): void {
  if (stage === null || typeof stage !== 'object') throw new GraphError(pass, 'must return a stage', { stage });
  const { graph, outputs, fusion } = stage;
  if (!(graph instanceof Graph)) throw new GraphError(pass, 'the stage must hold a Graph', { graph: String(graph) });
  if (outputs === null || typeof outputs !== 'object') throw new GraphError(pass, 'outputs must be a record of named nodes', { outputs });
  const entries = Object.entries(outputs as Record<string, unknown>);
  if (entries.length === 0) throw new GraphError(pass, 'outputs must name at least one node', {});
  for (const [name, n] of entries) {
    if (!(n instanceof Node)) throw new GraphError(pass, `output "${name}" must be a Node`, { [name]: n });
  }
  const nodes = topologicalOrder(Object.values(outputs), pass);
  for (const n of nodes) verifyNode(n, graph, pass);
  if (!Array.isArray(fusion)) throw new GraphError(pass, 'fusion must be an array of groups', { fusion });
  if (fusion.length > 0) verifyFusion(stage, nodes, pass);
}

function verifyNode(n: Node, graph: Graph, pass: string): void {
  if (n.graph !== graph) throw new GraphError(pass, `every node must belong to the stage's graph; ${n} belongs to another`, {});
  if (graph.nodes[n.id] !== n) {
    throw new GraphError(pass, `every node must be its graph's own node; ${n} is not the graph's node #${n.id} (hand-built?)`, {});
  }
  const record = ops[n.op as OpName] as (typeof ops)[OpName] | undefined;
  if (record === undefined) throw new GraphError(pass, `${n}: op "${String(n.op)}" is not an op of the IR`, {});
  if (n.inputs.length !== record.operands.length) {
    throw new GraphError(pass, `${n} must have ${record.operands.length} inputs, has ${n.inputs.length}`, {});
  }
  if (n.op === 'input') {
    if (graph.inputs.get((n as Node<'input'>).attrs.name) !== n) throw new GraphError(pass, `${n} must be the graph's input of its name`, {});
    return;
  }
  if (n.op === 'constant') {
    if ((n as Node<'constant'>).attrs.values.length !== n.size) throw new GraphError(pass, `${n} must hold one value per element`, {});
    return;
  }
  for (const i of n.inputs) {
    if (i.dtype !== n.dtype) throw new GraphError(pass, `${n} (${n.dtype}) must have operands of its dtype; ${i} is ${i.dtype}`, {});
  }
  let shape: Shape;
  try {
    shape = (record.infer as (inputs: readonly Node[], attrs: unknown) => { shape: Shape })(n.inputs, n.attrs).shape;
  } catch (e) {
    if (!(e instanceof GraftError)) throw e;
    throw new GraphError(pass, `${n} must be a valid node; its op rejects it: ${e.message}`, {});
  }
  if (!shapesEqual(shape, n.shape)) {
    throw new GraphError(pass, `${n} must have the shape its op infers: has ${fmtShape(n.shape)}, infers ${fmtShape(shape)}`, {});
  }
}

function verifyFusion(stage: Stage, nodes: readonly Node[], pass: string): void {
  const live = new Set(nodes);
  const outputs = new Set(Object.values(stage.outputs));
  const users = usersOf(nodes);
  const rootOf = new Map<Node, number>();
  const groupsOf = new Map<Node, number[]>();
  stage.fusion.forEach((group, k) => {
    const { root, nodes: members } = group;
    if (members[members.length - 1] !== root) throw new GraphError(pass, `fused group ${k} must end with its root ${root}`, {});
    if (rootOf.has(root)) throw new GraphError(pass, `${root} must root one fused group, roots ${rootOf.get(root)} and ${k}`, {});
    rootOf.set(root, k);
    if (new Set(members).size !== members.length) throw new GraphError(pass, `fused group ${k} must list each node once`, {});
    for (const n of members) {
      if (!live.has(n)) throw new GraphError(pass, `fused group ${k}: ${n} must be a node the outputs need`, {});
      if (!isFusible(n)) throw new GraphError(pass, `fused group ${k}: ${n} must be an elementwise op`, {});
      if (!shapesEqual(n.shape, root.shape) || n.dtype !== root.dtype) {
        throw new GraphError(pass, `fused group ${k}: ${n} must have its root's shape ${fmtShape(root.shape)}`, {});
      }
      groupsOf.set(n, [...(groupsOf.get(n) ?? []), k]);
    }
  });
  // A node inside groups (not a root) has no stored value: each of its users must compute it too.
  for (const [n, groups] of groupsOf) {
    if (rootOf.has(n)) {
      if (groups.length > 1) throw new GraphError(pass, `${n} roots a fused group, so it must be in no other group`, {});
      continue;
    }
    if (outputs.has(n)) throw new GraphError(pass, `${n} is an output, so it must be a fused group's root`, {});
    const outside = users.get(n)!.find((u) => !(groupsOf.get(u) ?? []).some((k) => groups.includes(k)));
    if (outside !== undefined) {
      throw new GraphError(pass, `${n} is read by ${outside} outside its fused groups, so it must be a root`, {});
    }
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
