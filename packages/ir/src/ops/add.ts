import { binaryOp } from './elementwise.ts';

/** y = a + b (broadcasting) */
export const add = binaryOp('add', 'y = a + b (broadcasting)');
