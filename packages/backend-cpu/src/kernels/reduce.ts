import type { FloatArray, Node, ReduceOp } from '@graft/ir';
import type { Kernel } from '../kernel.ts';
import { sumLeadingF32 } from './wasm/pool.ts';
import { wasmKernelsEnabled } from './wasm/module.ts';
import { Slot, scratch } from './workspace.ts';

/*
 * Reductions. The output, with or without keepDims, lists the kept axes' elements in
 * row-major order, so element `x[i₀ … i_r]` contributes to output offset `Σ_kept i_d · s_d`
 * where `s` are the row-major strides of the kept axes and reduced axes have stride 0.
 * Partial results are float64 for both dtypes. Max lets NaN win, as Math.max does.
 */

function reduce(op: ReduceOp, node: Node<ReduceOp>, x: FloatArray, out: FloatArray): void {
  const shape = node.inputs[0]!.shape;
  const axes = node.attrs.axes;
  const rank = shape.length;
  const isMax = op === 'max';
  const size = x.length;
  const outSize = out.length;
  const count = outSize === 0 ? 0 : size / outSize;
  const finish = (v: number) => (op === 'mean' ? v / count : v);

  // Reduced axes forming a suffix of the shape: each output is one contiguous block.
  let suffix = true;
  for (let i = 0; i < axes.length; i++) if (axes[i] !== rank - axes.length + i) suffix = false;
  if (suffix) {
    for (let o = 0, s = 0; o < outSize; o++) {
      let v = isMax ? -Infinity : 0;
      const end = s + count;
      if (isMax) {
        for (; s < end; s++) {
          const e = x[s]!;
          if (e > v || e !== e) v = e;
        }
      } else {
        for (; s < end; s++) v += x[s]!;
      }
      out[o] = finish(v);
    }
    return;
  }

  // Sum or mean over leading axes (a bias gradient, a batch norm's statistics) in float32:
  // the same float64 sums (divided by the count for a mean, then rounded once), vectorised.
  if (op !== 'max' && out instanceof Float32Array && wasmKernelsEnabled() && axes.every((a, i) => a === i) && outSize > 0) {
    sumLeadingF32(x as Float32Array, size / outSize, outSize, out, op === 'mean' ? count : 1);
    return;
  }

  // General case: walk x in order, with the output offset moving by the kept strides.
  const reduced = new Array<boolean>(rank).fill(false);
  for (const a of axes) reduced[a] = true;
  const ostr = new Array<number>(rank).fill(0);
  for (let d = rank - 1, s = 1; d >= 0; d--) {
    if (!reduced[d]) {
      ostr[d] = s;
      s *= shape[d]!;
    }
  }
  const acc = scratch(Slot.acc, outSize);
  acc.fill(isMax ? -Infinity : 0, 0, outSize);
  const len = shape[rank - 1]!;
  const lastReduced = reduced[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  let o = 0;
  for (let s = 0; s < size; s += len) {
    if (lastReduced) {
      let v = acc[o]!;
      if (isMax) {
        for (let t = 0; t < len; t++) {
          const e = x[s + t]!;
          if (e > v || e !== e) v = e;
        }
      } else {
        for (let t = 0; t < len; t++) v += x[s + t]!;
      }
      acc[o] = v;
    } else if (isMax) {
      for (let t = 0; t < len; t++) {
        const e = x[s + t]!;
        if (e > acc[o + t]! || e !== e) acc[o + t] = e;
      }
    } else {
      for (let t = 0; t < len; t++) acc[o + t]! += x[s + t]!;
    }
    for (let d = rank - 2; d >= 0; d--) {
      o += ostr[d]!;
      if (++index[d]! < shape[d]!) break;
      o -= ostr[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  for (let i = 0; i < outSize; i++) out[i] = finish(acc[i]!);
}

function reduceKernel<K extends ReduceOp>(op: K): Kernel<K> {
  return (node, [x], out) => reduce(op, node as Node<ReduceOp>, x!, out);
}

/** `tf.reduce_sum`. */
export const sum = reduceKernel('sum');
/** `tf.reduce_mean`. */
export const mean = reduceKernel('mean');
/** `tf.reduce_max`. */
export const max = reduceKernel('max');

/**
 * Softmax and logSoftmax along one axis. With the shape split as `[outer, len, inner]`,
 * each `(outer, inner)` pair is one strided run of `len` elements, and
 *
 *     softmax(x)    = e^(x − m) / Σ e^(x − m)
 *     logSoftmax(x) = x − m − log Σ e^(x − m)      with m = max x (so no e^(x − m) exceeds 1).
 */
function softmaxAlong(node: Node<'softmax' | 'logSoftmax'>, x: FloatArray, out: FloatArray, isLog: boolean): void {
  const shape = node.shape;
  const axis = node.attrs.axis;
  const len = shape[axis] ?? 1;
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  const outer = out.length / (len * inner);
  for (let p = 0; p < outer; p++) {
    for (let q = 0; q < inner; q++) {
      const base = p * len * inner + q;
      const end = base + len * inner;
      let m = -Infinity;
      for (let s = base; s < end; s += inner) {
        const e = x[s]!;
        if (e > m || e !== e) m = e;
      }
      // An all −∞ run has m = −∞; shifting by 0 keeps e^(−∞) = 0 instead of NaN.
      if (m === -Infinity) m = 0;
      let z = 0;
      if (isLog) {
        for (let s = base; s < end; s += inner) z += Math.exp(x[s]! - m);
        const shift = m + Math.log(z);
        for (let s = base; s < end; s += inner) out[s] = x[s]! - shift;
      } else {
        for (let s = base; s < end; s += inner) {
          const e = Math.exp(x[s]! - m);
          out[s] = e;
          z += e;
        }
        for (let s = base; s < end; s += inner) out[s] = out[s]! / z;
      }
    }
  }
}

/** `tf.nn.softmax`. */
export const softmax: Kernel<'softmax'> = (node, [x], out) => softmaxAlong(node, x!, out, false);
/** `tf.nn.log_softmax`. */
export const logSoftmax: Kernel<'logSoftmax'> = (node, [x], out) => softmaxAlong(node, x!, out, true);
