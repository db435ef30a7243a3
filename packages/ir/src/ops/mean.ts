import { keepDimsOf, reduceOp, reducedCount } from './reduce.ts';

/** y = (Σ x over axes) / n;  dx = dy / n broadcast back over the reduced axes. */
export const mean = reduceOp(
  'mean',
  'y = (Σ x over axes) / count',
  ({ g, inputs: [x], attrs, dy }) =>
    g.broadcastTo(g.div(keepDimsOf(g, dy, x!, attrs.axes), reducedCount(x!, attrs.axes)), x!.shape),
  ({ g, attrs, tangents: [t] }) => (t === undefined ? undefined : g.mean(t, attrs.axes, attrs.keepDims)),
);
