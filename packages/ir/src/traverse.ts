import { GraphError } from './errors.ts';
import type { Node } from './node.ts';

/**
 * The nodes `outputs` depend on, in topological order (inputs before users). Node ids
 * increase in creation order and a node only refers to earlier nodes, so sorting by id
 * is a topological order.
 */
export function ancestors(outputs: readonly Node[]): Node[] {
  const seen = new Set<Node>();
  const stack = [...outputs];
  const graph = outputs[0]?.graph;
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    if (n.graph !== graph) throw new GraphError('ancestors', `all nodes must belong to one graph; ${n} does not`, {});
    seen.add(n);
    for (const i of n.inputs) stack.push(i);
  }
  return [...seen].sort((a, b) => a.id - b.id);
}
