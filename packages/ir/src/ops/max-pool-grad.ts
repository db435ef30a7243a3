import { poolGradOp } from './pool-common.ts';

/**
 * `dx = maxPoolGrad(x, dy)`: adds each dy[n, i, j, c] into x's position of its window's
 * argmax. A primitive because the argmax of overlapping windows is not expressible by
 * composing the other ops. Linear in dy with adjoint maxPoolGradGrad, so the pair is
 * closed under differentiation.
 */
export const maxPoolGrad = poolGradOp(
  'maxPoolGrad',
  'dx: scatters dy to each window’s argmax of x',
  'dy',
  ({ g, inputs: [x], attrs, dy: ct }) => g.maxPoolGradGrad(x!, ct, attrs),
  ({ g, inputs: [x], attrs, tangents: [, t] }) => (t === undefined ? undefined : g.maxPoolGrad(x!, t, attrs)),
);
