import { ShapeError, fmtShape } from '../errors.ts';
import { broadcastShapes } from '../shape/shape.ts';
import { bilinearJvp, defineOp } from './record.ts';
import type { Graph } from '../graph.ts';
import type { Node } from '../node.ts';

import type { NoAttrs } from './op-types.ts';

/**
 * Matrix product over the last two axes, `c[…, i, j] = Σ_k a[…, i, k] · b[…, k, j]`,
 * with the leading (batch) axes broadcast as `tf.linalg.matmul`.
 */
export const matmul = defineOp<'matmul', NoAttrs, NoAttrs, 'a' | 'b'>({
  name: 'matmul',
  operands: ['a', 'b'],
  doc: 'c[…, i, j] = Σ_k a[…, i, k] · b[…, k, j], batch axes broadcast',
  infer([a, b]) {
    const as = a!.shape;
    const bs = b!.shape;
    if (as.length < 2 || bs.length < 2) {
      throw new ShapeError('matmul', 'a and b must have rank ≥ 2', { a: as, b: bs, minRank: 2 }, `a ${fmtShape(as)}, b ${fmtShape(bs)}`);
    }
    const [m, k] = as.slice(-2) as [number, number];
    const [k2, n] = bs.slice(-2) as [number, number];
    if (k !== k2) {
      throw new ShapeError(
        'matmul',
        `inner sizes must match: a columns (${k}) must equal b rows (${k2})`,
        { a: as, b: bs },
        `a ${fmtShape(as)}, b ${fmtShape(bs)}`,
      );
    }
    let batch: readonly number[];
    try {
      batch = broadcastShapes('matmul', as.slice(0, -2), bs.slice(0, -2));
    } catch (e) {
      throw new ShapeError(
        'matmul',
        `batch axes must broadcast: ${(e as ShapeError).rule.replace('shapes must broadcast: ', '')}`,
        { ...(e as ShapeError).values, a: as, b: bs },
        `a ${fmtShape(as)}, b ${fmtShape(bs)}`,
      );
    }
    return { attrs: {}, shape: [...batch, m, n] };
  },
  // c = a b:  da = dc bᵀ,  db = aᵀ dc (batch axes un-broadcast by autodiff).
  vjp: {
    a: ({ g, inputs: [, b], dy }) => g.matmul(dy, swapLast(g, b!)),
    b: ({ g, inputs: [a], dy }) => g.matmul(swapLast(g, a!), dy),
  },
  jvp: bilinearJvp((g, [a, b]) => g.matmul(a!, b!)),
  examples: [
    { name: 'matrix', inputs: [[3, 4], [4, 2]], attrs: {} },
    { name: 'dense layer', inputs: [[5, 12], [12, 3]], attrs: {} },
    { name: 'batched broadcast', inputs: [[2, 1, 3, 4], [3, 4, 2]], attrs: {} },
  ],
});

/** Transposes the last two axes. */
export function swapLast(g: Graph, x: Node): Node {
  const r = x.shape.length;
  return g.transpose(x, [...Array(r - 2).keys(), r - 1, r - 2]);
}
