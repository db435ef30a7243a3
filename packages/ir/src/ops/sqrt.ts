import { unaryOp } from './elementwise.ts';
import { S } from './scalar.ts';

/** y = √x;  dy/dx = 1 / (2y). */
export const sqrt = unaryOp('sqrt', 'y = √x', (x) => S.sqrt(x), (g, _x, y, t) => g.div(t, g.mul(y, 2)));
