import { unaryOp } from './elementwise.ts';
import { S } from './scalar.ts';

/** y = max(x, 0);  dy/dx = step(x) (0 at x = 0, as TensorFlow). */
export const relu = unaryOp('relu', 'y = max(x, 0)', (x) => S.select(S.lt(x, 0), 0, x), (g, x, _y, t) => g.mul(t, g.step(x)));
