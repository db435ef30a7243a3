import { unaryOp } from './elementwise.ts';

/** y = 1 / (1 + e⁻ˣ) */
export const sigmoid = unaryOp('sigmoid', 'y = 1 / (1 + e⁻ˣ)');
