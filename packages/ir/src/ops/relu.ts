import { unaryOp } from './elementwise.ts';

/** y = max(x, 0) */
export const relu = unaryOp('relu', 'y = max(x, 0)');
