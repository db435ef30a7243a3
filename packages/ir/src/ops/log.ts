import { unaryOp } from './elementwise.ts';

/** y = ln x (−∞ at 0, NaN below, as TensorFlow) */
export const log = unaryOp('log', 'y = ln x (−∞ at 0, NaN below, as TensorFlow)');
