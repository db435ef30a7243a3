import { Graph, GraphError, Node } from '@graft/ir';

/**
 * The nodes `roots` need, inputs before users, found by depth-first search so that it
 * needs no trust in node ids: a cycle (which only a broken pass or hand-built nodes can
 * make) or a value that is not a node is a `GraphError` naming `pass` and the node.
 */
export function topologicalOrder(roots: readonly Node[], pass: string): Node[] {
  const order: Node[] = [];
  const state = new Map<Node, 'open' | 'done'>();
  for (const root of roots) {
    if (state.get(root) === 'done') continue;
    // Each frame is a node and the index of the next input to visit.
    const stack: [Node, number][] = [[root, 0]];
    state.set(root, 'open');
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const [n, next] = frame;
      const inputs = n.inputs as readonly unknown[];
      if (!Array.isArray(inputs)) throw new GraphError(pass, `${n} must have an array of inputs`, { inputs });
      if (next === inputs.length) {
        stack.pop();
        state.set(n, 'done');
        order.push(n);
        continue;
      }
      frame[1] = next + 1;
      const input = inputs[next];
      if (!(input instanceof Node)) {
        throw new GraphError(pass, `every input must be a Node; input ${next} of ${n} is not`, { input });
      }
      const s = state.get(input);
      if (s === 'done') continue;
      if (s === 'open') {
        const from = stack.findIndex(([m]) => m === input);
        const cycle = [...stack.slice(from).map(([m]) => String(m)), String(input)];
        throw new GraphError(pass, `the graph must be acyclic; ${input} is its own ancestor (${cycle.join(' → ')})`, {
          cycle,
        });
      }
      state.set(input, 'open');
      stack.push([input, 0]);
    }
  }
  return order;
}

/** Users of each node among `nodes` (a node using another twice is listed once). */
export function usersOf(nodes: readonly Node[]): Map<Node, Node[]> {
  const users = new Map<Node, Node[]>(nodes.map((n) => [n, []]));
  for (const n of nodes) {
    for (const i of new Set(n.inputs)) users.get(i)?.push(n);
  }
  return users;
}

/**
 * Copies `nodes` (topologically ordered, of one graph) into a new graph of the same
 * dtype with `Graph.rebuild`: op, attrs and provenance kept, a provenance's forward node
 * translated where it was copied too. Returns the new graph and the map old → copy.
 */
export function copyNodes(source: Graph, nodes: readonly Node[]): { graph: Graph; map: Map<Node, Node> } {
  const graph = new Graph({ dtype: source.dtype });
  const map = new Map<Node, Node>();
  const forward = (f: Node) => map.get(f);
  for (const n of nodes) map.set(n, graph.rebuild(n, n.inputs.map((i) => map.get(i)!), forward));
  return { graph, map };
}

/** `outputs` with every node replaced through `map`. */
export function mapOutputs(outputs: Readonly<Record<string, Node>>, map: ReadonlyMap<Node, Node>): Record<string, Node> {
  return Object.fromEntries(Object.entries(outputs).map(([k, n]) => [k, map.get(n)!]));
}
