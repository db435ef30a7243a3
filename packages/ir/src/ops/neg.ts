import { unaryOp } from './elementwise.ts';

/** y = −x */
export const neg = unaryOp('neg', 'y = −x');
