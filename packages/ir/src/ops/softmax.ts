import { axisOp } from './softmax-common.ts';

/**
 * y = eˣ / Σ eˣ along axis (computed as e^(x − max x) for stability).
 * Jacobian diag(y) − y yᵀ is symmetric: dx = y ⊙ (t − Σ t ⊙ y) serves VJP and JVP.
 */
export const softmax = axisOp(
  'softmax',
  'y = exp(x) / Σ exp(x) along axis',
  ({ g, y, attrs, dy }) => g.mul(y, g.sub(dy, g.sum(g.mul(dy, y), [attrs.axis], true))),
  ({ g, y, attrs, tangents: [t] }) =>
    t === undefined ? undefined : g.mul(y, g.sub(t, g.sum(g.mul(t, y), [attrs.axis], true))),
);
