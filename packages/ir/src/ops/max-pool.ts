import { poolOp } from './pool-common.ts';

/** `y[n, i, j, c] = max over the window of x` (padding never wins: it is −∞). */
export const maxPool = poolOp('maxPool', 'y = max of x over each window');
