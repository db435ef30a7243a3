import { unaryOp } from './elementwise.ts';

/** y = x² */
export const square = unaryOp('square', 'y = x²');
