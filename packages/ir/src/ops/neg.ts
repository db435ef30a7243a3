import { unaryOp } from './elementwise.ts';
import { S } from './scalar.ts';

/** y = −x;  dy/dx = −1. */
export const neg = unaryOp('neg', 'y = −x', (x) => S.neg(x), (g, _x, _y, t) => g.neg(t));
