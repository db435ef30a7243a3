import { unaryOp } from './elementwise.ts';

/** y = eˣ */
export const exp = unaryOp('exp', 'y = eˣ');
