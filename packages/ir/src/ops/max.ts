import { reduceOp } from './reduce.ts';

/** y = max of x over axes */
export const max = reduceOp('max', 'y = max of x over axes');
