import { bilinearJvp } from './record.ts';
import { binaryOp } from './elementwise.ts';
import { S } from './scalar.ts';

/** y = a · b (broadcasting);  ∂/∂a = b, ∂/∂b = a. */
export const mul = binaryOp(
  'mul',
  'y = a · b (broadcasting)',
  (a, b) => S.mul(a, b),
  { a: ({ g, inputs: [, b], dy }) => g.mul(dy, b!), b: ({ g, inputs: [a], dy }) => g.mul(dy, a!) },
  bilinearJvp((g, [a, b]) => g.mul(a!, b!)),
);
