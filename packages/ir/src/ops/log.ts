import { unaryOp } from './elementwise.ts';

/** y = ln x (−∞ at 0, NaN below, as TensorFlow);  dy/dx = 1/x. */
export const log = unaryOp('log', 'y = ln x', (g, x, _y, t) => g.div(t, x));
