import { reduceOp } from './reduce.ts';

/** y = (Σ x over axes) / count */
export const mean = reduceOp('mean', 'y = (Σ x over axes) / count');
