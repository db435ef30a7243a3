import { checkRank } from '../shape/shape.ts';
import { normalizePair, type Pair, type PairLike } from '../shape/conv.ts';
import { defineOp } from './record.ts';

export interface DilateOptions {
  /** Rates `[h, w]` (or one number): `rate − 1` zeros go between neighbouring rows/columns. */
  readonly rates: PairLike;
}
export interface DilateAttrs extends DilateOptions {
  readonly rates: Pair;
}

/**
 * Zero insertion along the spatial axes of an NHWC tensor:
 * `y[n, i·rh, j·rw, c] = x[n, i, j, c]`, zero elsewhere; `y` is `[n, (h − 1)·rh + 1, (w − 1)·rw + 1, c]`.
 * A primitive because no composition of pad/reshape/transpose expresses it without a
 * concat (interleaving) op.
 */
export const dilate = defineOp<'dilate', DilateOptions, DilateAttrs>({
  name: 'dilate',
  operands: ['x'],
  doc: 'inserts rate − 1 zeros between rows and columns of an NHWC tensor',
  infer([x], opts) {
    checkRank('dilate', 'x', x!.shape, 4);
    const rates = normalizePair('dilate', 'rates', opts.rates);
    const [n, h, w, c] = x!.shape as [number, number, number, number];
    return { attrs: { rates }, shape: [n, (h - 1) * rates[0] + 1, (w - 1) * rates[1] + 1, c] };
  },
  examples: [
    { name: 'stride 2', inputs: [[1, 3, 3, 2]], attrs: { rates: 2 } },
    { name: 'per axis', inputs: [[2, 2, 4, 1]], attrs: { rates: [3, 1] } },
    { name: '1x1 input', inputs: [[1, 1, 1, 3]], attrs: { rates: [2, 3] } },
  ],
});
