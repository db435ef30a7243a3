import { AttrError } from '../errors.ts';
import { defineOp, linearJvp } from './record.ts';

export interface TransposeOptions {
  /** `y.shape[i] = x.shape[perm[i]]`; default reverses the axes. */
  readonly perm?: readonly number[] | undefined;
}
export interface TransposeAttrs extends TransposeOptions {
  readonly perm: readonly number[];
}

/** Permutes axes: `y[i₀…] = x[…]` with `y.shape[k] = x.shape[perm[k]]` (`tf.transpose`). */
export const transpose = defineOp<'transpose', TransposeOptions, TransposeAttrs, 'x'>({
  name: 'transpose',
  operands: ['x'],
  doc: 'permutes axes: y.shape[k] = x.shape[perm[k]]',
  infer([x], opts) {
    const rank = x!.shape.length;
    const perm = opts.perm === undefined ? [...Array(rank).keys()].reverse() : opts.perm;
    const sorted = Array.isArray(perm) ? [...perm].sort((a, b) => a - b) : [];
    if (!Array.isArray(perm) || perm.length !== rank || !sorted.every((p, i) => p === i)) {
      throw new AttrError('transpose', `perm must be a permutation of 0..${rank - 1}`, { perm, rank });
    }
    return { attrs: { perm: Object.freeze([...perm]) }, shape: perm.map((p) => x!.shape[p]!) };
  },
  // The adjoint of a permutation is its inverse: dx = transpose(dy, perm⁻¹).
  vjp: { x: ({ g, attrs: { perm }, dy }) => g.transpose(dy, inversePermutation(perm)) },
  jvp: linearJvp((g, t, { perm }) => g.transpose(t, perm)),
  examples: [
    { name: 'matrix', inputs: [[2, 3]], attrs: {} },
    { name: 'NHWC to HWNC', inputs: [[2, 3, 4, 2]], attrs: { perm: [1, 2, 0, 3] } },
    { name: 'HWIO swap IO', inputs: [[3, 2, 2, 4]], attrs: { perm: [0, 1, 3, 2] } },
  ],
});

/** `q` with `q[perm[i]] = i`. */
export function inversePermutation(perm: readonly number[]): number[] {
  const q = new Array<number>(perm.length);
  perm.forEach((p, i) => (q[p] = i));
  return q;
}
