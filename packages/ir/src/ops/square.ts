import { unaryOp } from './elementwise.ts';
import { S } from './scalar.ts';

/** y = x²;  dy/dx = 2x. */
export const square = unaryOp('square', 'y = x²', (x) => S.mul(x, x), (g, x, _y, t) => g.mul(t, g.mul(x, 2)));
