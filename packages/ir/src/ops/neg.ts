import { unaryOp } from './elementwise.ts';

/** y = −x;  dy/dx = −1. */
export const neg = unaryOp('neg', 'y = −x', (g, _x, _y, t) => g.neg(t));
