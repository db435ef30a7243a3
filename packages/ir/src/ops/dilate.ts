import { checkRank } from '../shape/shape.ts';
import { normalizePair, type Pair, type PairLike } from '../shape/conv.ts';
import { defineOp, linearJvp } from './record.ts';
import type { Graph } from '../graph.ts';
import type { Node } from '../node.ts';

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
export const dilate = defineOp<'dilate', DilateOptions, DilateAttrs, 'x'>({
  name: 'dilate',
  operands: ['x'],
  doc: 'inserts rate − 1 zeros between rows and columns of an NHWC tensor',
  infer([x], opts) {
    checkRank('dilate', 'x', x!.shape, 4);
    const rates = normalizePair('dilate', 'rates', opts.rates);
    const [n, h, w, c] = x!.shape as [number, number, number, number];
    return { attrs: { rates }, shape: [n, (h - 1) * rates[0] + 1, (w - 1) * rates[1] + 1, c] };
  },
  vjp: { x: ({ g, attrs: { rates }, dy }) => undilate(g, dy, rates) },
  jvp: linearJvp((g, t, { rates }) => g.dilate(t, rates)),
  examples: [
    { name: 'stride 2', inputs: [[1, 3, 3, 2]], attrs: { rates: 2 } },
    { name: 'per axis', inputs: [[2, 2, 4, 1]], attrs: { rates: [3, 1] } },
    { name: '1x1 input', inputs: [[1, 1, 1, 3]], attrs: { rates: [2, 3] } },
  ],
});

/**
 * The adjoint of dilate: keep every rate-th row and column, `dx[n, i, j, c] = dy[n, i·rh, j·rw, c]`.
 * Composed from pad/reshape: pad the axis from (h − 1)·r + 1 to h·r, split it into
 * [h, r], keep index 0 of the r axis by cropping r − 1, and merge back.
 */
export function undilate(g: Graph, dy: Node, rates: Pair): Node {
  let t = dy;
  for (const axis of [1, 2] as const) {
    const r = rates[axis - 1]!;
    if (r === 1) continue;
    const s = t.shape;
    const h = (s[axis]! - 1) / r + 1;
    const padAxis = (before: number, after: number, rank: number, at: number) =>
      Array.from({ length: rank }, (_, i) => (i === at ? ([before, after] as const) : ([0, 0] as const)));
    const padded = g.pad(t, padAxis(0, r - 1, 4, axis));
    const split = g.reshape(padded, [...s.slice(0, axis), h, r, ...s.slice(axis + 1)]);
    const kept = g.pad(split, padAxis(0, -(r - 1), 5, axis + 1));
    t = g.reshape(kept, [...s.slice(0, axis), h, ...s.slice(axis + 1)]);
  }
  return t;
}
