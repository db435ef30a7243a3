import { unaryOp } from './elementwise.ts';
import { S } from './scalar.ts';

/** y = ln x (−∞ at 0, NaN below, as TensorFlow);  dy/dx = 1/x. */
export const log = unaryOp('log', 'y = ln x', (x) => S.log(x), (g, x, _y, t) => g.div(t, x));
