import { axisOp } from './softmax-common.ts';

/**
 * y = x − log Σ eˣ along axis (computed with the max subtracted for stability).
 * Jacobian I − 1·softmax(x)ᵀ: dx = dy − softmax(x) Σ dy;  ty = tx − Σ softmax(x) ⊙ tx.
 */
export const logSoftmax = axisOp(
  'logSoftmax',
  'y = x − log Σ exp(x) along axis',
  ({ g, y, attrs, dy }) => g.sub(dy, g.mul(g.exp(y), g.sum(dy, [attrs.axis], true))),
  ({ g, y, attrs, tangents: [t] }) =>
    t === undefined ? undefined : g.sub(t, g.sum(g.mul(g.exp(y), t), [attrs.axis], true)),
);
