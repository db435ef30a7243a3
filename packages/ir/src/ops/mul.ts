import { binaryOp } from './elementwise.ts';

/** y = a · b (broadcasting) */
export const mul = binaryOp('mul', 'y = a · b (broadcasting)');
