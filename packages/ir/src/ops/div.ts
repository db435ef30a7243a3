import { binaryOp } from './elementwise.ts';

/** y = a / b (broadcasting) */
export const div = binaryOp('div', 'y = a / b (broadcasting)');
