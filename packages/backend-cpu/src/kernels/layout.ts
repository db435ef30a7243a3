import { stridesOf, type FloatArray, type Shape } from '@graft/ir';
import type { Kernel } from '../kernel.ts';

/*
 * Data movement. Transpose, reverse, pad and dilate are all one strided copy
 *
 *     dst[dOff + Σ_d i_d · dStr_d] = src[sOff + Σ_d i_d · sStr_d]   for every index i < shape,
 *
 * with the strides chosen per op (negative source strides reverse an axis).
 */

/** The strided copy above; the last axis is the inner run, the leading axes are counted. */
export function copyStrided(
  shape: Shape,
  src: FloatArray,
  sOff: number,
  sStr: readonly number[],
  dst: FloatArray,
  dOff: number,
  dStr: readonly number[],
): void {
  const rank = shape.length;
  if (rank === 0) {
    dst[dOff] = src[sOff]!;
    return;
  }
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  const len = shape[rank - 1]!;
  const ss = sStr[rank - 1]!;
  const ds = dStr[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  for (let run = 0; run < total; run += len) {
    if (ss === 1 && ds === 1) {
      for (let t = 0; t < len; t++) dst[dOff + t] = src[sOff + t]!;
    } else {
      for (let t = 0, s = sOff, d = dOff; t < len; t++, s += ss, d += ds) dst[d] = src[s]!;
    }
    for (let d = rank - 2; d >= 0; d--) {
      sOff += sStr[d]!;
      dOff += dStr[d]!;
      if (++index[d]! < shape[d]!) break;
      sOff -= sStr[d]! * shape[d]!;
      dOff -= dStr[d]! * shape[d]!;
      index[d] = 0;
    }
  }
}

/** Copies `values` (float64) into `out`, rounding to float32 when `out` is float32. */
export const constant: Kernel<'constant'> = (node, _inputs, out) => {
  out.set(node.attrs.values);
};

/** Row-major order is unchanged by a reshape. */
export const reshape: Kernel<'reshape'> = (_node, [x], out) => {
  out.set(x!);
};

/** `y[i₀ … i_r] = x[j]` with `j[perm[k]] = i_k`, i.e. y's axis k walks x's axis perm[k]. */
export const transpose: Kernel<'transpose'> = (node, [x], out) => {
  const xStr = stridesOf(node.inputs[0]!.shape);
  const perm = node.attrs.perm;
  copyStrided(node.shape, x!, 0, perm.map((p) => xStr[p]!), out, 0, stridesOf(node.shape));
};

/** `y[… i_d …] = x[… size_d − 1 − i_d …]` on each reversed axis d. */
export const reverse: Kernel<'reverse'> = (node, [x], out) => {
  const shape = node.shape;
  const sStr = stridesOf(shape);
  let sOff = 0;
  for (const a of node.attrs.axes) {
    sOff += (shape[a]! - 1) * sStr[a]!;
    sStr[a] = -sStr[a]!;
  }
  copyStrided(shape, x!, sOff, sStr, out, 0, stridesOf(shape));
};

/**
 * `y[i + before] = x[i]` per axis, zero elsewhere; a negative `before` or `after` crops,
 * so the copied block along axis d is x's `[max(0, −before), size − max(0, −after))`.
 */
export const pad: Kernel<'pad'> = (node, [x], out) => {
  const xShape = node.inputs[0]!.shape;
  const pads = node.attrs.pads;
  const block: number[] = [];
  let sOff = 0;
  let dOff = 0;
  let padded = false;
  const sStr = stridesOf(xShape);
  const dStr = stridesOf(node.shape);
  for (let d = 0; d < xShape.length; d++) {
    const [before, after] = pads[d]!;
    if (before > 0 || after > 0) padded = true;
    const lo = Math.max(0, -before);
    const hi = xShape[d]! - Math.max(0, -after);
    block.push(Math.max(0, hi - lo));
    sOff += lo * sStr[d]!;
    dOff += Math.max(0, before) * dStr[d]!;
  }
  const empty = block.some((b) => b === 0);
  if (padded || empty) out.fill(0);
  if (!empty) copyStrided(block, x!, sOff, sStr, out, dOff, dStr);
};

/** `y[n, i·rh, j·rw, c] = x[n, i, j, c]`, zero elsewhere. */
export const dilate: Kernel<'dilate'> = (node, [x], out) => {
  const [rh, rw] = node.attrs.rates;
  const dStr = stridesOf(node.shape);
  out.fill(0);
  copyStrided(
    node.inputs[0]!.shape,
    x!,
    0,
    stridesOf(node.inputs[0]!.shape),
    out,
    0,
    [dStr[0]!, dStr[1]! * rh, dStr[2]! * rw, dStr[3]!],
  );
};

/** `y[…, offsets[k] + t, …] = xs[k][…, t, …]`: each operand copied into its slab along the axis. */
export const concat: Kernel<'concat'> = (node, xs, out) => {
  const { axis, offsets } = node.geometry;
  const dStr = stridesOf(node.shape);
  node.inputs.forEach((x, k) => copyStrided(x.shape, xs[k]!, 0, stridesOf(x.shape), out, offsets[k]! * dStr[axis]!, dStr));
};
