import { unaryOp } from './elementwise.ts';

/** y = x²;  dy/dx = 2x. */
export const square = unaryOp('square', 'y = x²', (g, x, _y, t) => g.mul(t, g.mul(x, 2)));
