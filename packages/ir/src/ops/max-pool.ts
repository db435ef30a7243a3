import { poolOp } from './pool-common.ts';

/**
 * `y[n, i, j, c] = max over the window of x` (padding is −∞ and never wins).
 * dx = maxPoolGrad(x, dy) routes each dy to its window's argmax; the tangent is the
 * gather of tx at the argmax, maxPoolGradGrad(x, tx).
 */
export const maxPool = poolOp(
  'maxPool',
  'y = max of x over each window',
  ({ g, inputs: [x], attrs, dy }) => g.maxPoolGrad(x!, dy, attrs),
  ({ g, inputs: [x], attrs, tangents: [t] }) => (t === undefined ? undefined : g.maxPoolGradGrad(x!, t, attrs)),
);
