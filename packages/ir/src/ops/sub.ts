import { binaryOp } from './elementwise.ts';

/** y = a − b (broadcasting) */
export const sub = binaryOp('sub', 'y = a − b (broadcasting)');
