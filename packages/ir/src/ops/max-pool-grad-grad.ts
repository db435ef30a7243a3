import { poolGradOp } from './pool-common.ts';

/**
 * `maxPoolGradGrad(x, ddx)[n, i, j, c] = ddx at the argmax of x in window (i, j)`: the
 * adjoint of maxPoolGrad in its second operand (TensorFlow's MaxPoolGradGrad).
 */
export const maxPoolGradGrad = poolGradOp(
  'maxPoolGradGrad',
  'gathers ddx at each window’s argmax of x',
  'ddx',
  ({ g, inputs: [x], attrs, dy: ct }) => g.maxPoolGrad(x!, ct, attrs),
  ({ g, inputs: [x], attrs, tangents: [, t] }) => (t === undefined ? undefined : g.maxPoolGradGrad(x!, t, attrs)),
);
