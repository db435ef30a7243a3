import { addTangents } from './record.ts';
import { binaryOp } from './elementwise.ts';
import { S } from './scalar.ts';

/** y = a + b (broadcasting);  ∂/∂a = 1, ∂/∂b = 1. */
export const add = binaryOp(
  'add',
  'y = a + b (broadcasting)',
  (a, b) => S.add(a, b),
  { a: ({ dy }) => dy, b: ({ dy }) => dy },
  ({ g, tangents: [ta, tb] }) => addTangents(g, ta, tb),
);
