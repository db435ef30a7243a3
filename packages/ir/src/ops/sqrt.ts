import { unaryOp } from './elementwise.ts';

/** y = √x */
export const sqrt = unaryOp('sqrt', 'y = √x');
