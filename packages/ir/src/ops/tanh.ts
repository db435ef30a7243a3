import { unaryOp } from './elementwise.ts';
import { S } from './scalar.ts';

/** y = tanh x;  dy/dx = 1 − y². */
export const tanh = unaryOp('tanh', 'y = tanh x', (x) => S.tanh(x), (g, _x, y, t) => g.mul(t, g.sub(1, g.square(y))));
