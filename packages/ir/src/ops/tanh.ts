import { unaryOp } from './elementwise.ts';

/** y = tanh x */
export const tanh = unaryOp('tanh', 'y = tanh x');
