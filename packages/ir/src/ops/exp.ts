import { unaryOp } from './elementwise.ts';

/** y = eˣ;  dy/dx = y. */
export const exp = unaryOp('exp', 'y = eˣ', (g, _x, y, t) => g.mul(t, y));
