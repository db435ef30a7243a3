import { groupGeometry, type ConvGeometry, type FloatArray } from '@graft/ir';
import type { Kernel } from '../kernel.ts';
import { gemm, type MatrixView } from './gemm.ts';
import { depthwiseBackpropFilter, depthwiseBackpropInput, depthwiseForward } from './depthwise.ts';
import { col2im, im2col } from './im2col.ts';
import { conv2dBackpropFilterF32, conv2dBackpropInputF32, conv2dF32 } from './wasm/conv.ts';
import { depthwiseBackpropFilterF32, depthwiseBackpropInputF32, depthwiseForwardF32 } from './wasm/depthwise.ts';
import { wasmKernelsEnabled } from './wasm/module.ts';
import { Slot, scratch } from './workspace.ts';

/*
 * With M = batch·outH·outW, K = kh·kw·cg (cg = cin / groups, the filter's in-channels),
 * ng = cout / groups, and for group k: cols_k the `[M, K]` patch matrix of x's channels
 * k·cg … (see im2col.ts), W_k the HWIO filter's columns k·ng … as a `[K, ng]` matrix and
 * Y_k the columns k·ng … of the output as `[M, ng]`:
 *
 *     conv2d:               Y_k[M, ng]  = cols_k · W_k
 *     conv2dBackpropInput:  dx_k        = col2im(dY_k · W_kᵀ)        (the adjoint of x ↦ cols · W)
 *     conv2dBackpropFilter: dW_k[K, ng] = cols_kᵀ · dY_k
 *
 * (one group, k = 0, for a plain conv). Every matrix is a strided view of the arrays, so a
 * group needs no copy. cols is built in chunks of rows so that scratch memory stays bounded;
 * each chunk is one GEMM per group.
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
 * A 1×1 filter at stride 1 with no padding reads each x pixel once, in order: cols_k is x's
 * channels k·cg … viewed as `[M, cg]`, and the conv is a plain GEMM (dilation is irrelevant for 1×1).
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

/** A `[rows, cols]` view of `data` whose rows are `ld` apart, starting at `offset`. */
const view = (data: FloatArray, offset: number, ld: number): MatrixView => ({ data, offset, rowStride: ld, colStride: 1 });
/** The transpose of such a view. */
const viewT = (data: FloatArray, offset: number, ld: number): MatrixView => ({ data, offset, rowStride: 1, colStride: ld });

/** `Y_k = cols_k · W_k` for every group, chunk by chunk; `out` is `[M, cout]` row-major. */
export function convForward(g: ConvGeometry, x: FloatArray, w: FloatArray, out: FloatArray): void {
  const { groups: G, groupInC: cg, groupOutC: ng, inC, outC } = g;
  const m = g.batch * g.outH * g.outW;
  const k = g.kh * g.kw * cg;
  if (isPointwise(g)) {
    for (let q = 0; q < G; q++) gemm(m, ng, k, view(x, q * cg, inC), view(w, q * ng, outC), out, q * ng, outC, false);
    return;
  }
  const chunk = chunkRows(k, m);
  const cols = scratch(Slot.cols, chunk * k);
  const colsMat = view(cols, 0, k);
  for (let r0 = 0; r0 < m; r0 += chunk) {
    const rows = Math.min(chunk, m - r0);
    for (let q = 0; q < G; q++) {
      im2col(x, g, r0, rows, cols, q * cg, cg);
      gemm(rows, ng, k, colsMat, view(w, q * ng, outC), out, r0 * outC + q * ng, outC, false);
    }
  }
}

/**
 * `dx_k = col2im(dY_k · W_kᵀ)`: the transpose of `convForward` as a linear map in x. Input
 * pixels that no patch reads (rows past the last window when `(in + pads − keff) mod s ≠ 0`,
 * or between windows when the stride exceeds the kernel) receive no term and stay zero.
 */
export function convBackpropInput(g: ConvGeometry, dy: FloatArray, w: FloatArray, out: FloatArray): void {
  const { groups: G, groupInC: cg, groupOutC: ng, inC, outC } = g;
  const m = g.batch * g.outH * g.outW;
  const k = g.kh * g.kw * cg;
  if (isPointwise(g)) {
    for (let q = 0; q < G; q++) gemm(m, k, ng, view(dy, q * ng, outC), viewT(w, q * ng, outC), out, q * cg, inC, false);
    return;
  }
  out.fill(0);
  const chunk = chunkRows(k, m);
  const dcols = scratch(Slot.cols, chunk * k);
  for (let r0 = 0; r0 < m; r0 += chunk) {
    const rows = Math.min(chunk, m - r0);
    for (let q = 0; q < G; q++) {
      gemm(rows, k, ng, view(dy, r0 * outC + q * ng, outC), viewT(w, q * ng, outC), dcols, 0, k, false);
      col2im(dcols, g, r0, rows, out, q * cg, cg);
    }
  }
}

/** `dW_k = cols_kᵀ · dY_k`, summed over chunks of rows in float64; `out` is `[K, cout]`. */
export function convBackpropFilter(g: ConvGeometry, x: FloatArray, dy: FloatArray, out: FloatArray): void {
  const { groups: G, groupInC: cg, groupOutC: ng, inC, outC } = g;
  const m = g.batch * g.outH * g.outW;
  const k = g.kh * g.kw * cg;
  if (isPointwise(g)) {
    for (let q = 0; q < G; q++) gemm(k, ng, m, viewT(x, q * cg, inC), view(dy, q * ng, outC), out, q * ng, outC, false);
    return;
  }
  const chunk = chunkRows(k, m);
  const cols = scratch(Slot.cols, chunk * k);
  const colsT = viewT(cols, 0, k);
  const acc = out instanceof Float64Array ? out : scratch(Slot.acc, k * outC);
  for (let r0 = 0; r0 < m; r0 += chunk) {
    const rows = Math.min(chunk, m - r0);
    for (let q = 0; q < G; q++) {
      im2col(x, g, r0, rows, cols, q * cg, cg);
      gemm(k, ng, rows, colsT, view(dy, r0 * outC + q * ng, outC), acc, q * ng, outC, r0 > 0);
    }
  }
  if (acc !== out) for (let i = 0; i < k * outC; i++) out[i] = acc[i]!;
}

/*
 * float32 on the WebAssembly kernels, which take one contiguous conv: a grouped conv runs
 * group by group on packed copies of its channels (`groupGeometry`), each copy gathered from
 * and scattered to the strided channels of the whole tensors.
 */

/** `dst[p, t] = src[p, c0 + t]` for t < cc: channels c0 … of a `[…, C]` array, packed. */
function gatherChannels(src: Float32Array, C: number, c0: number, cc: number, dst: Float32Array): Float32Array {
  for (let p = 0, s = c0, d = 0; d < dst.length; p++, s += C) for (let t = 0; t < cc; t++) dst[d++] = src[s + t]!;
  return dst;
}

/** `dst[p, c0 + t] = src[p, t]`: the inverse of `gatherChannels`. */
function scatterChannels(src: Float32Array, dst: Float32Array, C: number, c0: number, cc: number): void {
  for (let s = 0, d = c0; s < src.length; d += C) for (let t = 0; t < cc; t++) dst[d + t] = src[s++]!;
}

/** A tensor of a conv by the channels it carries: x (inC), y and the filter (outC, the last axis of both). */
type Role = 'x' | 'w' | 'y';

/** Per geometry, one packed single-group array per role (allocated once, reused every run). */
const packed = new WeakMap<ConvGeometry, Readonly<Record<Role, Float32Array>>>();

function packsOf(g: ConvGeometry, one: ConvGeometry): Readonly<Record<Role, Float32Array>> {
  let p = packed.get(g);
  if (p === undefined) {
    p = {
      x: new Float32Array(g.batch * g.inH * g.inW * one.inC),
      w: new Float32Array(g.kh * g.kw * one.inC * one.outC),
      y: new Float32Array(g.batch * g.outH * g.outW * one.outC),
    };
    packed.set(g, p);
  }
  return p;
}

/** Channels of `role` in the whole tensor and in one group. */
const channelsOf = (role: Role, g: ConvGeometry, one: ConvGeometry): readonly [number, number] =>
  role === 'x' ? [g.inC, one.inC] : [g.outC, one.outC];

/** Group q's channels of `src` (a tensor in `role`), packed into that role's array. */
function packGroup(src: Float32Array, role: Role, q: number, g: ConvGeometry, one: ConvGeometry, packs: Readonly<Record<Role, Float32Array>>): Float32Array {
  const [C, cc] = channelsOf(role, g, one);
  return gatherChannels(src, C, q * cc, cc, packs[role]);
}

/**
 * A grouped conv-family op on the WebAssembly kernels: `kernel` (one of the three single-group
 * ops) run group by group on packed operands `a`, `b`, its result scattered into `out`.
 */
function groupedF32(
  g: ConvGeometry,
  kernel: (one: ConvGeometry, a: Float32Array, b: Float32Array, out: Float32Array) => void,
  a: Float32Array, aRole: Role, b: Float32Array, bRole: Role, out: Float32Array, outRole: Role,
): void {
  const one = groupGeometry(g);
  const packs = packsOf(g, one);
  const [C, cc] = channelsOf(outRole, g, one);
  for (let q = 0; q < g.groups; q++) {
    kernel(one, packGroup(a, aRole, q, g, one, packs), packGroup(b, bRole, q, g, one, packs), packs[outRole]);
    scatterChannels(packs[outRole], out, C, q * cc, cc);
  }
}

/** One input channel per group (depthwise): no GEMM, see depthwise.ts and wasm/depthwise.ts. */
const oneChannelGroups = (g: ConvGeometry) => g.groups > 1 && g.groupInC === 1;

/** Whether a float32 result runs on the WebAssembly kernels (float64, or with them off: TypeScript). */
const onWasm = (out: FloatArray): out is Float32Array => out instanceof Float32Array && wasmKernelsEnabled();

/** `y = conv2d(x, w)` of any geometry (plain, grouped, depthwise). */
function forward(g: ConvGeometry, x: FloatArray, w: FloatArray, out: FloatArray): void {
  if (!onWasm(out)) (oneChannelGroups(g) ? depthwiseForward : convForward)(g, x, w, out);
  else if (oneChannelGroups(g)) depthwiseForwardF32(g, x as Float32Array, w as Float32Array, out);
  else if (g.groups === 1) conv2dF32(g, x as Float32Array, w as Float32Array, out);
  else groupedF32(g, conv2dF32, x as Float32Array, 'x', w as Float32Array, 'w', out, 'y');
}

/** `dx = conv2dBackpropInput(dy, w)` of any geometry. */
function backpropInput(g: ConvGeometry, dy: FloatArray, w: FloatArray, out: FloatArray): void {
  if (!onWasm(out)) (oneChannelGroups(g) ? depthwiseBackpropInput : convBackpropInput)(g, dy, w, out);
  else if (oneChannelGroups(g)) depthwiseBackpropInputF32(g, dy as Float32Array, w as Float32Array, out);
  else if (g.groups === 1) conv2dBackpropInputF32(g, dy as Float32Array, w as Float32Array, out);
  else groupedF32(g, conv2dBackpropInputF32, dy as Float32Array, 'y', w as Float32Array, 'w', out, 'x');
}

/** `dw = conv2dBackpropFilter(x, dy)` of any geometry. */
function backpropFilter(g: ConvGeometry, x: FloatArray, dy: FloatArray, out: FloatArray): void {
  if (!onWasm(out)) (oneChannelGroups(g) ? depthwiseBackpropFilter : convBackpropFilter)(g, x, dy, out);
  else if (oneChannelGroups(g)) depthwiseBackpropFilterF32(g, x as Float32Array, dy as Float32Array, out);
  else if (g.groups === 1) conv2dBackpropFilterF32(g, x as Float32Array, dy as Float32Array, out);
  else groupedF32(g, conv2dBackpropFilterF32, x as Float32Array, 'x', dy as Float32Array, 'y', out, 'w');
}

// Every kernel reads the geometry record its node was built with. A depthwise node's is the
// grouped conv's with groups = c, and its filter [kh, kw, c, m] holds the grouped filter
// [kh, kw, 1, c·m] element for element, so the depthwise ops are the same kernels.

/** `tf.nn.conv2d`. */
export const conv2d: Kernel<'conv2d'> = (node, [x, w], out) => forward(node.geometry, x!, w!, out);

/** `tf.nn.conv2d_backprop_input`. */
export const conv2dBackpropInput: Kernel<'conv2dBackpropInput'> = (node, [dy, w], out) => backpropInput(node.geometry, dy!, w!, out);

/** `tf.nn.conv2d_transpose`: the same computation as `conv2dBackpropInput` with `inputShape = outputShape`. */
export const conv2dTranspose: Kernel<'conv2dTranspose'> = (node, [v, w], out) => backpropInput(node.geometry, v!, w!, out);

/** `tf.nn.conv2d_backprop_filter`. */
export const conv2dBackpropFilter: Kernel<'conv2dBackpropFilter'> = (node, [x, dy], out) => backpropFilter(node.geometry, x!, dy!, out);

/** `tf.nn.depthwise_conv2d`. */
export const depthwiseConv2d: Kernel<'depthwiseConv2d'> = (node, [x, w], out) => forward(node.geometry, x!, w!, out);

/** `tf.nn.depthwise_conv2d_backprop_input`. */
export const depthwiseConv2dBackpropInput: Kernel<'depthwiseConv2dBackpropInput'> = (node, [dy, w], out) =>
  backpropInput(node.geometry, dy!, w!, out);

/** `tf.nn.depthwise_conv2d_backprop_filter`. */
export const depthwiseConv2dBackpropFilter: Kernel<'depthwiseConv2dBackpropFilter'> = (node, [x, dy], out) =>
  backpropFilter(node.geometry, x!, dy!, out);
