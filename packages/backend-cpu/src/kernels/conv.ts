import { convGeometry, transposeGeometry, type ConvGeometry, type FloatArray, type Node } from '@graft/ir';
import type { Kernel } from '../kernel.ts';
import { gemm, rowMajor, transposed } from './gemm.ts';
import { col2im, im2col } from './im2col.ts';
import { conv2dBackpropFilterF32, conv2dBackpropInputF32, conv2dF32 } from './wasm/conv.ts';
import { wasmKernelsEnabled } from './wasm/module.ts';
import { Slot, scratch } from './workspace.ts';

/*
 * With M = batch·outH·outW, K = kh·kw·cin, N = cout, cols the `[M, K]` patch matrix of x
 * (see im2col.ts) and W the HWIO filter as a `[K, N]` matrix:
 *
 *     conv2d:               Y[M, N]  = cols · W
 *     conv2dBackpropInput:  dx       = col2im(dY · Wᵀ)        (the adjoint of x ↦ cols · W)
 *     conv2dBackpropFilter: dW[K, N] = colsᵀ · dY
 *
 * cols is built in chunks of rows so that scratch memory stays bounded; each chunk is one GEMM.
 */

/** Scratch budget for one chunk of patch rows, in float64 elements (4 MiB). */
const CHUNK_ELEMENTS = 1 << 19;

/**
 * Rows of the patch matrix per chunk. A multiple of 256 (the GEMM's K block) when possible,
 * so that the filter gradient's GEMM, whose inner dimension is the chunk, runs full blocks.
 */
export function chunkRows(k: number, m: number): number {
  const rows = Math.max(1, Math.floor(CHUNK_ELEMENTS / Math.max(1, k)));
  const aligned = rows >= 256 ? rows - (rows % 256) : rows;
  return Math.min(aligned, m);
}

/**
 * A 1×1 filter at stride 1 with no padding reads each x pixel once, in order: cols is x
 * itself viewed as `[M, cin]`, and the conv is a plain GEMM (dilation is irrelevant for 1×1).
 */
function isPointwise(g: ConvGeometry): boolean {
  return (
    g.kh === 1 &&
    g.kw === 1 &&
    g.strides[0] === 1 &&
    g.strides[1] === 1 &&
    g.pads[0] === 0 &&
    g.pads[1] === 0 &&
    g.pads[2] === 0 &&
    g.pads[3] === 0
  );
}

// Geometry is a pure function of a node's shapes and attrs; nodes are immutable, so it is
// computed once per node rather than once per run.
const geometries = new WeakMap<Node, ConvGeometry>();

function cached(node: Node, make: () => ConvGeometry): ConvGeometry {
  let g = geometries.get(node);
  if (g === undefined) {
    g = make();
    geometries.set(node, g);
  }
  return g;
}

/** `y = cols · W`, chunk by chunk; `out` is `[M, N]` row-major. */
export function convForward(g: ConvGeometry, x: FloatArray, w: FloatArray, out: FloatArray): void {
  const m = g.batch * g.outH * g.outW;
  const k = g.kh * g.kw * g.inC;
  const n = g.outC;
  const wMat = rowMajor(w, 0, n);
  if (isPointwise(g)) {
    gemm(m, n, k, rowMajor(x, 0, k), wMat, out, 0, n, false);
    return;
  }
  const chunk = chunkRows(k, m);
  const cols = scratch(Slot.cols, chunk * k);
  const colsMat = rowMajor(cols, 0, k);
  for (let r0 = 0; r0 < m; r0 += chunk) {
    const rows = Math.min(chunk, m - r0);
    im2col(x, g, r0, rows, cols);
    gemm(rows, n, k, colsMat, wMat, out, r0 * n, n, false);
  }
}

/**
 * `dx = col2im(dY · Wᵀ)`: the transpose of `convForward` as a linear map in x. Input pixels
 * that no patch reads (rows past the last window when `(in + pads − keff) mod s ≠ 0`, or
 * between windows when the stride exceeds the kernel) receive no term and stay zero.
 */
export function convBackpropInput(g: ConvGeometry, dy: FloatArray, w: FloatArray, out: FloatArray): void {
  const m = g.batch * g.outH * g.outW;
  const k = g.kh * g.kw * g.inC;
  const n = g.outC;
  const wT = transposed(w, 0, n);
  if (isPointwise(g)) {
    gemm(m, k, n, rowMajor(dy, 0, n), wT, out, 0, k, false);
    return;
  }
  out.fill(0);
  const chunk = chunkRows(k, m);
  const dcols = scratch(Slot.cols, chunk * k);
  for (let r0 = 0; r0 < m; r0 += chunk) {
    const rows = Math.min(chunk, m - r0);
    gemm(rows, k, n, rowMajor(dy, r0 * n, n), wT, dcols, 0, k, false);
    col2im(dcols, g, r0, rows, out);
  }
}

/** `dW = colsᵀ · dY`, summed over chunks of rows in float64. */
export function convBackpropFilter(g: ConvGeometry, x: FloatArray, dy: FloatArray, out: FloatArray): void {
  const m = g.batch * g.outH * g.outW;
  const k = g.kh * g.kw * g.inC;
  const n = g.outC;
  if (isPointwise(g)) {
    gemm(k, n, m, transposed(x, 0, k), rowMajor(dy, 0, n), out, 0, n, false);
    return;
  }
  const chunk = chunkRows(k, m);
  const cols = scratch(Slot.cols, chunk * k);
  const colsT = transposed(cols, 0, k);
  const acc = out instanceof Float64Array ? out : scratch(Slot.acc, k * n);
  for (let r0 = 0; r0 < m; r0 += chunk) {
    const rows = Math.min(chunk, m - r0);
    im2col(x, g, r0, rows, cols);
    gemm(k, n, rows, colsT, rowMajor(dy, r0 * n, n), acc, 0, n, r0 > 0);
  }
  if (acc !== out) for (let i = 0; i < k * n; i++) out[i] = acc[i]!;
}

/** `tf.nn.conv2d`. */
export const conv2d: Kernel<'conv2d'> = (node, [x, w], out) => {
  const { strides, padding, dilations } = node.attrs;
  const g = cached(node, () =>
    convGeometry('conv2d', node.inputs[0]!.shape, node.inputs[1]!.shape, strides, padding, dilations),
  );
  if (out instanceof Float32Array && wasmKernelsEnabled()) conv2dF32(g, x as Float32Array, w as Float32Array, out);
  else convForward(g, x!, w!, out);
};

/** `tf.nn.conv2d_backprop_input`. */
export const conv2dBackpropInput: Kernel<'conv2dBackpropInput'> = (node, [dy, w], out) => {
  const { strides, padding, dilations, inputShape } = node.attrs;
  const g = cached(node, () =>
    transposeGeometry(
      'conv2dBackpropInput',
      node.inputs[0]!.shape,
      node.inputs[1]!.shape,
      inputShape,
      strides,
      padding,
      dilations,
    ),
  );
  if (out instanceof Float32Array && wasmKernelsEnabled()) conv2dBackpropInputF32(g, dy as Float32Array, w as Float32Array, out);
  else convBackpropInput(g, dy!, w!, out);
};

/** `tf.nn.conv2d_transpose`: the same computation as `conv2dBackpropInput` with `inputShape = outputShape`. */
export const conv2dTranspose: Kernel<'conv2dTranspose'> = (node, [v, w], out) => {
  const { strides, padding, dilations, outputShape } = node.attrs;
  const g = cached(node, () =>
    transposeGeometry('conv2dTranspose', node.inputs[0]!.shape, node.inputs[1]!.shape, outputShape, strides, padding, dilations, {
      dy: 'v',
      shape: 'outputShape',
    }),
  );
  if (out instanceof Float32Array && wasmKernelsEnabled()) conv2dBackpropInputF32(g, v as Float32Array, w as Float32Array, out);
  else convBackpropInput(g, v!, w!, out);
};

/** `tf.nn.conv2d_backprop_filter`. */
export const conv2dBackpropFilter: Kernel<'conv2dBackpropFilter'> = (node, [x, dy], out) => {
  const { strides, padding, dilations, filterShape } = node.attrs;
  const g = cached(node, () =>
    convGeometry('conv2dBackpropFilter', node.inputs[0]!.shape, filterShape, strides, padding, dilations, {
      x: 'x',
      w: 'filterShape',
    }),
  );
  if (out instanceof Float32Array && wasmKernelsEnabled()) conv2dBackpropFilterF32(g, x as Float32Array, dy as Float32Array, out);
  else convBackpropFilter(g, x!, dy!, out);
};
