import { axisOp } from './softmax-common.ts';

/** y = eˣ / Σ eˣ along axis (computed as e^(x − max x) for stability). */
export const softmax = axisOp('softmax', 'y = exp(x) / Σ exp(x) along axis');
