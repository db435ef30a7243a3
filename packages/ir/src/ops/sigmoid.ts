import { unaryOp } from './elementwise.ts';

/** y = 1 / (1 + e⁻ˣ);  dy/dx = y·(1 − y). */
export const sigmoid = unaryOp('sigmoid', 'y = 1 / (1 + e⁻ˣ)', (g, _x, y, t) => g.mul(t, g.mul(y, g.sub(1, y))));
