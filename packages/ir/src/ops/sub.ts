import { addTangents } from './record.ts';
import { binaryOp } from './elementwise.ts';
import { S } from './scalar.ts';

/** y = a − b (broadcasting);  ∂/∂a = 1, ∂/∂b = −1. */
export const sub = binaryOp(
  'sub',
  'y = a − b (broadcasting)',
  (a, b) => S.sub(a, b),
  { a: ({ dy }) => dy, b: ({ g, dy }) => g.neg(dy) },
  ({ g, tangents: [ta, tb] }) => (tb === undefined ? ta : ta === undefined ? g.neg(tb) : g.sub(ta, tb)),
);
