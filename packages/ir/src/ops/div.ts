import { addTangents } from './record.ts';
import { binaryOp } from './elementwise.ts';
import { S } from './scalar.ts';

/** y = a / b (broadcasting);  ∂/∂a = 1/b, ∂/∂b = −a/b² = −y/b. */
export const div = binaryOp(
  'div',
  'y = a / b (broadcasting)',
  (a, b) => S.div(a, b),
  {
    a: ({ g, inputs: [, b], dy }) => g.div(dy, b!),
    b: ({ g, inputs: [, b], y, dy }) => g.neg(g.div(g.mul(dy, y), b!)),
  },
  ({ g, inputs: [, b], y, tangents: [ta, tb] }) =>
    addTangents(g, ta === undefined ? undefined : g.div(ta, b!), tb === undefined ? undefined : g.neg(g.div(g.mul(tb, y), b!))),
);
