import { unaryOp } from './elementwise.ts';
import { S } from './scalar.ts';

/** y = eˣ;  dy/dx = y. */
export const exp = unaryOp('exp', 'y = eˣ', (x) => S.exp(x), (g, _x, y, t) => g.mul(t, y));
