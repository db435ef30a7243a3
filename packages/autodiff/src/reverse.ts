import {
  GradientError,
  GraphError,
  Node,
  ancestors,
  broadcastAxes,
  fmtShape,
  operandName,
  shapesEqual,
  type Graph,
  type VjpRule,
} from '@graft/ir';

/**
 * Reverse mode: adds to the graph the nodes computing `Σᵢ ⟨cotangents[i], ∂ys[i]/∂x⟩` for
 * each x in `xs`, by applying each op's VJP rules from the outputs back. Fan-out is
 * accumulated (a node used twice receives the sum of both cotangents) and broadcasting
 * is undone (summed back to each operand's shape) here, once, for every op. Every node
 * added records its provenance: the forward node and the rule that produced it.
 */
export function vjp(ys: readonly Node[], xs: readonly Node[], cotangents: readonly Node[]): Node[] {
  if (ys.length === 0) throw new GradientError('vjp', 'ys must name at least one node', { ys: 0 });
  const g = graphOf('vjp', [...ys, ...xs, ...cotangents]);
  if (cotangents.length !== ys.length) {
    throw new GradientError('vjp', `one cotangent per output is required: ${ys.length} outputs, ${cotangents.length} cotangents`, { outputs: ys.length, cotangents: cotangents.length });
  }
  ys.forEach((y, i) => {
    const c = cotangents[i]!;
    if (!shapesEqual(c.shape, y.shape) || c.dtype !== y.dtype) {
      throw new GradientError(
        'vjp',
        `cotangent ${i} must have its output's shape and dtype: output ${y} is ${y.dtype}${fmtShape(y.shape)}, cotangent ${c} is ${c.dtype}${fmtShape(c.shape)}`,
        { index: i, output: String(y), shape: y.shape, dtype: y.dtype, cotangent: String(c), cotangentShape: c.shape, cotangentDtype: c.dtype },
      );
    }
  });

  // Only nodes on a path from some x to some y carry a gradient.
  const wanted = new Set(xs);
  const forward = ancestors(ys);
  const dependsOnX = new Set<Node>();
  for (const n of forward) {
    if (wanted.has(n) || n.inputs.some((i) => dependsOnX.has(i))) dependsOnX.add(n);
  }

  const contributions = new Map<Node, Node[]>();
  const contribute = (n: Node, c: Node) => {
    const list = contributions.get(n);
    if (list === undefined) contributions.set(n, [c]);
    else list.push(c);
  };
  ys.forEach((y, i) => contribute(y, cotangents[i]!));

  const total = new Map<Node, Node>();
  for (let k = forward.length - 1; k >= 0; k--) {
    const y = forward[k]!;
    if (!dependsOnX.has(y)) continue;
    const list = contributions.get(y);
    if (list === undefined) continue;
    const dy = accumulate(g, y, list);
    total.set(y, dy);
    if (y.inputs.length === 0) continue;
    const record = y.record;
    const rules = record.vjp as Readonly<Record<string, VjpRule<unknown, unknown>>>;
    y.inputs.forEach((x, i) => {
      if (!dependsOnX.has(x)) return;
      const operand = operandName(record, i);
      const rule = rules[operand];
      if (rule === undefined) {
        throw new GradientError(y.op, `operand ${operand} is not differentiable`, { node: String(y), operand, reaches: String(x) }, `${y} reaches ${x}`);
      }
      const ruleName = `${y.op}.vjp.${operand}`;
      const dx = g.withProvenance({ forward: y, rule: ruleName, mode: 'vjp' }, () => {
        const d = rule({ g, y, inputs: y.inputs, attrs: y.attrs, geometry: y.geometry, dy, index: i });
        return d === undefined ? undefined : unbroadcast(g, d, x, ruleName);
      });
      if (dx !== undefined) contribute(x, dx);
    });
  }
  return xs.map((x) => {
    const t = total.get(x) ?? (contributions.has(x) ? accumulate(g, x, contributions.get(x)!) : undefined);
    return t ?? zerosLike(g, x);
  });
}

/**
 * The gradient of a scalar `y` with respect to each of `xs`: new nodes in y's graph.
 * `grad(y, xs) = vjp([y], xs, [1])`.
 */
export function grad(y: Node, xs: readonly Node[]): Node[] {
  if (!(y instanceof Node)) throw new GradientError('grad', 'y must be a Node', { y });
  if (y.size !== 1) {
    throw new GradientError(
      'grad',
      `y must be a scalar (one element), got shape ${fmtShape(y.shape)}; use vjp(ys, xs, cotangents) for other outputs`,
      { y: String(y), shape: y.shape, elements: y.size },
    );
  }
  const g = y.graph;
  const seed = g.withProvenance({ forward: y, rule: 'seed', mode: 'vjp' }, () => g.constant(1, y.shape, y.dtype));
  return vjp([y], xs, [seed]);
}

function accumulate(g: Graph, n: Node, list: readonly Node[]): Node {
  if (list.length === 1) return list[0]!;
  return g.withProvenance({ forward: n, rule: 'accumulate', mode: 'vjp' }, () => list.reduce((a, b) => g.add(a, b)));
}

/** Sums a gradient of a broadcast shape back to the operand's shape. */
function unbroadcast(g: Graph, d: Node, x: Node, rule: string): Node {
  if (shapesEqual(d.shape, x.shape)) return d;
  const axes = broadcastAxes(x.shape, d.shape);
  const summed = g.sum(d, axes, true);
  if (summed.size !== x.size) {
    throw new GradientError(rule, `rule returned shape ${fmtShape(d.shape)}, which does not reduce to the operand's ${fmtShape(x.shape)}`, { returned: d.shape, operand: x.shape });
  }
  return shapesEqual(summed.shape, x.shape) ? summed : g.reshape(summed, x.shape);
}

/** A zero gradient for an x that y does not depend on. */
export function zerosLike(g: Graph, x: Node): Node {
  return g.broadcastTo(g.constant(0, [], x.dtype), x.shape);
}

export function graphOf(op: string, nodes: readonly unknown[]): Graph {
  let graph: Graph | undefined;
  for (const n of nodes) {
    if (!(n instanceof Node)) throw new GraphError(op, 'arguments must be nodes', { value: n });
    if (graph === undefined) graph = n.graph;
    else if (n.graph !== graph) throw new GraphError(op, `all nodes must belong to one graph; ${n} does not`, { node: String(n) });
  }
  return graph!;
}
