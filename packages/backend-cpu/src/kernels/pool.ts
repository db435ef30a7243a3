import type { ConvGeometry, FloatArray } from '@graft/ir';
import type { Kernel } from '../kernel.ts';
import { poolF32, throughArgmaxF32 } from './wasm/pool.ts';
import { wasmKernelsEnabled } from './wasm/module.ts';
import { Slot, scratch } from './workspace.ts';

/*
 * Pooling windows follow conv geometry with a `[kh, kw]` window and no dilation:
 *
 *     window(n, i, j) = { x[n, i·sh + a − pt, j·sw + b − pl, c] : 0 ≤ a < kh, 0 ≤ b < kw, in bounds }
 *
 * Out-of-bounds positions are skipped, which is max pooling with −∞ padding and TensorFlow's
 * average over the in-bounds count. Channels are innermost, so each window position is one
 * contiguous run of `c` values, accumulated into a float64 row of partial results.
 *
 * The argmax of a window is its first maximum in row-major (a, b) order, as TensorFlow's CPU
 * kernels; a NaN counts as larger than any number (so maxPool returns x at its argmax).
 */

function pool(g: ConvGeometry, x: FloatArray, out: FloatArray, isMax: boolean): void {
  const { batch, inH, inW, inC: c, kh, kw, outH, outW } = g;
  const [sh, sw] = g.strides;
  const pt = g.pads[0];
  const pl = g.pads[2];
  const acc = scratch(Slot.acc, c);
  let o = 0;
  for (let n = 0; n < batch; n++) {
    const xn = n * inH * inW * c;
    for (let i = 0; i < outH; i++) {
      const h0 = i * sh - pt;
      const aLo = Math.max(0, -h0);
      const aHi = Math.min(kh, inH - h0);
      for (let j = 0; j < outW; j++) {
        const w0 = j * sw - pl;
        const bLo = Math.max(0, -w0);
        const bHi = Math.min(kw, inW - w0);
        acc.fill(isMax ? -Infinity : 0, 0, c);
        for (let a = aLo; a < aHi; a++) {
          const xRow = xn + (h0 + a) * inW * c;
          for (let b = bLo; b < bHi; b++) {
            let s = xRow + (w0 + b) * c;
            if (isMax) {
              for (let t = 0; t < c; t++, s++) {
                const v = x[s]!;
                if (v > acc[t]! || v !== v) acc[t] = v;
              }
            } else {
              for (let t = 0; t < c; t++, s++) acc[t]! += x[s]!;
            }
          }
        }
        if (isMax) {
          for (let t = 0; t < c; t++) out[o++] = acc[t]!;
        } else {
          const count = Math.max(0, aHi - aLo) * Math.max(0, bHi - bLo);
          for (let t = 0; t < c; t++) out[o++] = acc[t]! / count;
        }
      }
    }
  }
}

/**
 * Routes values through each window's argmax: with `scatter`, `dst[argmax] += src[window]`
 * (dst has x's shape, cleared first: maxPoolGrad); otherwise `dst[window] = src[argmax]`
 * (src has x's shape: maxPoolGradGrad).
 */
function throughArgmax(g: ConvGeometry, x: FloatArray, src: FloatArray, dst: FloatArray, scatter: boolean): void {
  const { batch, inH, inW, inC: c, kh, kw, outH, outW } = g;
  const [sh, sw] = g.strides;
  const pt = g.pads[0];
  const pl = g.pads[2];
  const best = scratch(Slot.acc, c);
  const arg = scratch(Slot.index, c);
  if (scatter) dst.fill(0);
  let o = 0;
  for (let n = 0; n < batch; n++) {
    const xn = n * inH * inW * c;
    for (let i = 0; i < outH; i++) {
      const h0 = i * sh - pt;
      const aLo = Math.max(0, -h0);
      const aHi = Math.min(kh, inH - h0);
      for (let j = 0; j < outW; j++) {
        const w0 = j * sw - pl;
        const bLo = Math.max(0, -w0);
        const bHi = Math.min(kw, inW - w0);
        // Every window has an in-bounds element (explicit padding < window, SAME ≤ window − 1),
        // so the first one seeds the argmax.
        const first = xn + ((h0 + aLo) * inW + (w0 + bLo)) * c;
        for (let t = 0; t < c; t++) {
          best[t] = x[first + t]!;
          arg[t] = first + t;
        }
        for (let a = aLo; a < aHi; a++) {
          const xRow = xn + (h0 + a) * inW * c;
          for (let b = bLo; b < bHi; b++) {
            let s = xRow + (w0 + b) * c;
            for (let t = 0; t < c; t++, s++) {
              const v = x[s]!;
              const m = best[t]!;
              if (v > m || (v !== v && m === m)) {
                best[t] = v;
                arg[t] = s;
              }
            }
          }
        }
        if (scatter) {
          for (let t = 0; t < c; t++) dst[arg[t]!]! += src[o++]!;
        } else {
          for (let t = 0; t < c; t++) dst[o++] = src[arg[t]!]!;
        }
      }
    }
  }
}

/** `tf.nn.max_pool2d`: padding never wins (it is −∞). */
export const maxPool: Kernel<'maxPool'> = (node, [x], out) => {
  if (out instanceof Float32Array && wasmKernelsEnabled()) poolF32(node.geometry, x as Float32Array, out, true);
  else pool(node.geometry, x!, out, true);
};

/** `tf.nn.avg_pool2d`: the mean over each window's in-bounds elements. */
export const avgPool: Kernel<'avgPool'> = (node, [x], out) => {
  if (out instanceof Float32Array && wasmKernelsEnabled()) poolF32(node.geometry, x as Float32Array, out, false);
  else pool(node.geometry, x!, out, false);
};

/** `dx[argmax of window (n, i, j, c)] += dy[n, i, j, c]`: the VJP of maxPool in x. */
export const maxPoolGrad: Kernel<'maxPoolGrad'> = (node, [x, dy], out) => {
  if (out instanceof Float32Array && wasmKernelsEnabled()) throughArgmaxF32(node.geometry, x as Float32Array, dy as Float32Array, out, true);
  else throughArgmax(node.geometry, x!, dy!, out, true);
};

/** `y[n, i, j, c] = ddx[argmax of window (n, i, j, c)]`: the adjoint of maxPoolGrad in dy. */
export const maxPoolGradGrad: Kernel<'maxPoolGradGrad'> = (node, [x, ddx], out) => {
  if (out instanceof Float32Array && wasmKernelsEnabled()) throughArgmaxF32(node.geometry, x as Float32Array, ddx as Float32Array, out, false);
  else throughArgmax(node.geometry, x!, ddx!, out, false);
};
