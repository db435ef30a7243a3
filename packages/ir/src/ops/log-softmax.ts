import { axisOp } from './softmax-common.ts';

/** y = x − log Σ eˣ along axis (computed with the max subtracted for stability). */
export const logSoftmax = axisOp('logSoftmax', 'y = x − log Σ exp(x) along axis');
