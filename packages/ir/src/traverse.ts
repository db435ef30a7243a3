import { GraphError } from './errors.ts';
import type { DType } from './dtype.ts';
import { Graph } from './graph.ts';
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
    if (n.graph !== graph) throw new GraphError('ancestors', `all nodes must belong to one graph; ${n} does not`, { node: String(n) });
    seen.add(n);
    for (const i of n.inputs) stack.push(i);
  }
  return [...seen].sort((a, b) => a.id - b.id);
}

/**
 * Copies the nodes `outputs` need into a new graph of another dtype (inputs and constants
 * re-declared in `dtype`), e.g. to check a float32 model's gradients in float64.
 * Returns the new graph and the map from old nodes to new ones.
 */
export function castGraph(outputs: readonly Node[], dtype: DType): { graph: Graph; map: Map<Node, Node> } {
  const graph = new Graph({ dtype });
  const map = new Map<Node, Node>();
  for (const n of ancestors(outputs)) {
    let copy: Node;
    if (n.op === 'input') copy = graph.input((n as Node<'input'>).attrs.name, n.shape, dtype);
    else if (n.op === 'constant') copy = graph.constant((n as Node<'constant'>).attrs.values, n.shape, dtype);
    else copy = graph.rebuild(n, n.inputs.map((i) => map.get(i)!), (f) => map.get(f));
    map.set(n, copy);
  }
  return { graph, map };
}
