import { reduceOp } from './reduce.ts';

/** y = Σ x over axes */
export const sum = reduceOp('sum', 'y = Σ x over axes');
