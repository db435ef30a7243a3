import { unaryOp } from './elementwise.ts';

/** y = √x;  dy/dx = 1 / (2y). */
export const sqrt = unaryOp('sqrt', 'y = √x', (g, _x, y, t) => g.div(t, g.mul(y, 2)));
