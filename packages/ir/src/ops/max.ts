import type { Graph } from '../graph.ts';
import type { Node } from '../node.ts';
import { keepDimsOf, reduceOp, type ReduceAttrs } from './reduce.ts';

/**
 * Where x attains its maximum, divided by the number of ties, so the gradient is shared
 * equally among tied maxima (as TensorFlow): x ≤ m everywhere, hence
 * `mask = 1 − step(m − x)` is 1 exactly where x = m.
 */
function tieShare(g: Graph, x: Node, y: Node, attrs: ReduceAttrs): Node {
  const mask = g.sub(1, g.step(g.sub(keepDimsOf(g, y, x, attrs.axes), x)));
  return g.div(mask, g.sum(mask, attrs.axes, true));
}

/** y = max of x over axes;  ∂y/∂x = the (tie-shared) indicator of the argmax. */
export const max = reduceOp(
  'max',
  'y = max of x over axes',
  ({ g, inputs: [x], y, attrs, dy }) => g.mul(tieShare(g, x!, y, attrs), keepDimsOf(g, dy, x!, attrs.axes)),
  ({ g, inputs: [x], y, attrs, tangents: [t] }) =>
    t === undefined ? undefined : g.sum(g.mul(t, tieShare(g, x!, y, attrs)), attrs.axes, attrs.keepDims),
);
