import { keepDimsOf, reduceOp } from './reduce.ts';

/** y = Σ x over axes;  ∂y/∂x = 1, so dx = dy broadcast back over the reduced axes. */
export const sum = reduceOp(
  'sum',
  'y = Σ x over axes',
  ({ g, inputs: [x], attrs, dy }) => g.broadcastTo(keepDimsOf(g, dy, x!, attrs.axes), x!.shape),
  ({ g, attrs, tangents: [t] }) => (t === undefined ? undefined : g.sum(t, attrs.axes, attrs.keepDims)),
);
