import { binaryOps, shapesEqual, unaryOps, type Node } from '@graft/ir';
import { liveNodes } from '../schedule.ts';
import type { FusionGroup, Pass, Stage } from '../stage.ts';
import { usersOf } from '../traverse.ts';

const fusibleOps: ReadonlySet<string> = new Set([...unaryOps, ...binaryOps, 'biasAdd', 'broadcastTo']);

/**
 * Whether a node is elementwise in the sense fusion needs: each output element is a
 * function of the operands' elements at the same (broadcast) index — unary and binary ops,
 * `step`, `biasAdd` and `broadcastTo`.
 */
export function isFusible(n: Node): boolean {
  return fusibleOps.has(n.op);
}

/**
 * Cheap ops (one arithmetic instruction or a comparison) that fusion may evaluate in more
 * than one group rather than store: recomputing `biasAdd` in the two groups that read it
 * (relu forward, step of the relu gradient) saves writing and reading a whole tensor.
 */
const cheapOps: ReadonlySet<string> = new Set(['neg', 'relu', 'step', 'square', 'add', 'sub', 'mul', 'biasAdd', 'broadcastTo']);

/** Most groups a cheap node is recomputed in. */
const MAX_COPIES = 3;

/**
 * Groups elementwise nodes into loops. Visiting nodes from the outputs back, an elementwise
 * node that is not an output and whose users are all in groups of its shape and dtype joins
 * them: the one group they share, or — for a cheap op read by at most `MAX_COPIES` groups —
 * each of them (it is then recomputed in each). Otherwise it roots a group of its own. So a
 * group is an expression of one shape whose inner values no step stores: its step stores
 * only the root. Operands from outside a group (other shapes included, through
 * broadcasting) are read where they are.
 */
export function fuseElementwise(stage: Stage): Stage {
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
    possible &&= joined.size === 1 || (joined.size <= MAX_COPIES && cheapOps.has(n.op));
    if (possible) {
      for (const group of joined) group.push(n);
      groupsOf.set(n, [...joined]);
    } else {
      groupsOf.set(n, [[n]]);
    }
  }
  const groups = new Set([...groupsOf.values()].flat());
  const fusion: FusionGroup[] = [...groups].map((members) => {
    const sorted = [...members].sort((a, b) => a.id - b.id);
    return Object.freeze({ root: members[0]!, nodes: Object.freeze(sorted) });
  });
  fusion.sort((a, b) => a.root.id - b.root.id);
  return Object.freeze({ graph: stage.graph, outputs: stage.outputs, fusion: Object.freeze(fusion) });
}

/** Elementwise fusion: each group of elementwise nodes becomes one step. */
export const fusePass: Pass = Object.freeze({
  name: 'fuse',
  doc: 'elementwise fusion: chains of unary/binary ops, step, biasAdd and broadcasts become one loop',
  run(stage: Stage) {
    const out = fuseElementwise(stage);
    const fused = out.fusion.filter((g) => g.nodes.length > 1);
    const inner = fused.reduce((s, g) => s + g.nodes.length, 0);
    const copies = inner - new Set(fused.flatMap((g) => g.nodes)).size;
    const notes = [`${fused.length} fused groups of ${inner} nodes (${copies} recomputed in a second group); ${out.fusion.length - fused.length} single elementwise steps`];
    return { stage: out, notes };
  },
});
