import { unaryOp } from './elementwise.ts';
import { S } from './scalar.ts';

/**
 * Heaviside step: y = 1 where x > 0, else 0;  dy/dx = 0 almost everywhere.
 * A primitive because relu's derivative needs a comparison, which no composition of
 * arithmetic ops gives without dividing by zero at x = 0.
 */
export const step = unaryOp('step', 'y = 1 if x > 0 else 0', (x) => S.gt(x, 0), () => undefined);
