import { poolOp } from './pool-common.ts';

/** `y[n, i, j, c] = mean over the window's in-bounds elements` (padding is not counted, as TensorFlow). */
export const avgPool = poolOp('avgPool', 'y = mean of x over the in-bounds part of each window');
