import { Graph, GraphError, shapesEqual, type ElementwiseRecord, type FusedExpr, type FusedValue, type Node } from '@graft/ir';
import { liveNodes } from '../schedule.ts';
import type { Pass, Stage } from '../stage.ts';
import { mapOutputs, usersOf } from '../traverse.ts';

/**
 * Whether a node is elementwise in the sense fusion needs (its record's trait): each output
 * element is a function of the operands' elements at the same (broadcast) index.
 */
export function isFusible(n: Node): boolean {
  return n.record.traits.elementwise;
}

/** Most groups a cheap node (its record's `cheap` trait) is recomputed in. */
const MAX_COPIES = 3;

/** A group of elementwise nodes that becomes one `fused` node: `root` is the only one whose value is stored. */
interface Group {
  readonly root: Node;
  /** Every node of the group, in topological order, the root last. */
  readonly nodes: readonly Node[];
}

/**
 * Groups elementwise nodes into loops. Visiting nodes from the outputs back, an elementwise
 * node that is not an output and whose users are all in groups of its shape and dtype joins
 * them: the one group they share, or — for a cheap op read by at most `MAX_COPIES` groups —
 * each of them (it is then recomputed in each, which saves writing and reading a whole
 * tensor, e.g. a bias add read by a relu and by the step of the relu's gradient). Otherwise
 * it roots a group of its own. So a group is an expression of one shape whose inner values
 * nothing else reads. Operands from outside a group (other shapes included, through
 * broadcasting) are read where they are.
 */
export function fusionGroups(stage: Stage): Group[] {
  const nodes = liveNodes(stage.outputs, 'fuse');
  const users = usersOf(nodes);
  const outputs = new Set(Object.values(stage.outputs));
  const groupsOf = new Map<Node, Node[][]>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (!isFusible(n)) continue;
    const us = users.get(n)!;
    const joined = new Set<Node[]>();
    let possible = !outputs.has(n) && us.length > 0;
    for (const u of us) {
      const groups = groupsOf.get(u);
      if (groups === undefined) possible = false;
      else for (const group of groups) joined.add(group);
    }
    possible &&= [...joined].every((group) => shapesEqual(n.shape, group[0]!.shape) && n.dtype === group[0]!.dtype);
    possible &&= joined.size === 1 || (joined.size <= MAX_COPIES && n.record.traits.cheap);
    if (possible) {
      for (const group of joined) group.push(n);
      groupsOf.set(n, [...joined]);
    } else {
      groupsOf.set(n, [[n]]);
    }
  }
  const groups = [...new Set([...groupsOf.values()].flat())].map((members) => ({
    root: members[0]!,
    nodes: [...members].sort((a, b) => a.id - b.id),
  }));
  return groups.sort((a, b) => a.root.id - b.root.id);
}

/**
 * The expression of a group over its operands (nodes outside the group, in order of first
 * use): each member an `apply` of its record, a `broadcastTo` its operand (the loop reads
 * operands broadcast anyway), a fused member its own expression inlined, and a scalar
 * constant a literal.
 */
function groupExpr(group: Group): { expr: FusedExpr; operands: Node[] } {
  const members = new Set(group.nodes);
  const values: FusedValue[] = [];
  const valueOf = new Map<Node, number>();
  const operands: Node[] = [];
  const push = (v: FusedValue) => values.push(Object.freeze(v)) - 1;
  const operand = (n: Node): number => {
    const inner = valueOf.get(n);
    if (inner !== undefined) return inner;
    if (members.has(n)) throw new GraphError('fuse', `${n} must come before its users in the group of ${group.root}`, { node: String(n), root: String(group.root) });
    let v: number;
    if (n.is('constant') && n.size === 1) v = push({ kind: 'literal', value: n.attrs.values[0]! });
    else v = push({ kind: 'load', input: operands.push(n) - 1 });
    valueOf.set(n, v);
    return v;
  };
  for (const n of group.nodes) {
    let v: number;
    if (n.is('broadcastTo')) v = operand(n.inputs[0]!);
    else if (n.is('fused')) {
      const at: number[] = [];
      for (const inner of n.attrs.expr.values) {
        if (inner.kind === 'load') at.push(operand(n.inputs[inner.input]!));
        else if (inner.kind === 'literal') at.push(push(inner));
        else at.push(push({ kind: 'apply', op: inner.op, args: inner.args.map((a) => at[a]!) }));
      }
      v = at[n.attrs.expr.result]!;
    } else if (n.record.arithmetic !== undefined) {
      v = push({ kind: 'apply', op: n.record as ElementwiseRecord, args: n.inputs.map(operand) });
    } else throw new GraphError('fuse', `${n} cannot be fused (its record has no arithmetic)`, { node: String(n) });
    valueOf.set(n, v);
  }
  return { expr: { values: values, result: valueOf.get(group.root)! }, operands };
}

/**
 * Elementwise fusion: a new graph in which each group of two or more elementwise nodes is
 * one `fused` node (single elementwise nodes stay as they are: every executor generates
 * their kernels from their record's arithmetic as well). The fused node keeps its root's
 * provenance.
 */
export function fuseElementwise(stage: Stage): { stage: Stage; groups: Group[] } {
  const groups = fusionGroups(stage).filter((g) => g.nodes.length > 1);
  const rootOf = new Map(groups.map((g) => [g.root, g]));
  const inner = new Set(groups.flatMap((g) => g.nodes.filter((n) => n !== g.root)));
  const graph = new Graph({ dtype: stage.graph.dtype });
  const map = new Map<Node, Node>();
  const forward = (f: Node) => map.get(f);
  for (const n of liveNodes(stage.outputs, 'fuse')) {
    const group = rootOf.get(n);
    if (group !== undefined) {
      const { expr, operands } = groupExpr(group);
      const build = () => graph.node('fused', operands.map((o) => map.get(o)!), { shape: n.shape, expr });
      const provenance = n.provenance;
      map.set(n, provenance === undefined ? build() : graph.withProvenance({ ...provenance, forward: forward(provenance.forward) ?? provenance.forward }, build));
    } else if (!inner.has(n)) {
      map.set(n, graph.rebuild(n, n.inputs.map((i) => map.get(i)!), forward));
    }
  }
  return { stage: Object.freeze({ graph, outputs: Object.freeze(mapOutputs(stage.outputs, map)) }), groups };
}

/** Elementwise fusion: each group of elementwise nodes becomes one `fused` node, one loop. */
export const fusePass: Pass = Object.freeze({
  name: 'fuse',
  doc: 'elementwise fusion: chains of elementwise ops (unary, binary, biasAdd, broadcasts) become one fused node',
  run(stage: Stage) {
    const { stage: out, groups } = fuseElementwise(stage);
    const nodes = groups.reduce((s, g) => s + g.nodes.length, 0);
    const copies = nodes - new Set(groups.flatMap((g) => g.nodes)).size;
    const notes = [`${groups.length} fused nodes of ${nodes} elementwise nodes (${copies} recomputed in a second group)`];
    return { stage: out, notes };
  },
});
