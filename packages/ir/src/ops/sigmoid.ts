import { unaryOp } from './elementwise.ts';
import { S } from './scalar.ts';

/** y = 1 / (1 + e⁻ˣ);  dy/dx = y·(1 − y). */
export const sigmoid = unaryOp('sigmoid', 'y = 1 / (1 + e⁻ˣ)', (x) => S.div(1, S.add(1, S.exp(S.neg(x)))), (g, _x, y, t) => g.mul(t, g.mul(y, g.sub(1, y))));
