import type { ConvGeometry } from '@graft/ir';
import { beginFrame, endFrame, stage, target } from './heap.ts';
import type { ChunkFunction } from './module.ts';
import { geometryFields, record } from './records.ts';
import { parallel, readyThreads } from './threads.ts';

/*
 * float32 depthwise convs (one input channel per group) on the WebAssembly kernels
 * (wasm/assembly/depthwise.ts): multiply-adds along the channels, no GEMM. The forward conv and
 * the input gradient split their output pixels into chunks; the filter gradient is one chunk per
 * filter tap.
 */

/** Multiply-adds below which a call stays on one thread. */
const PARALLEL_WORK = 1 << 19;

function run(fn: ChunkFunction, g: ConvGeometry, a: Float32Array, b: Float32Array, out: Float32Array, pixels: number): void {
  beginFrame();
  const work = g.batch * g.outH * g.outW * g.outC * g.kh * g.kw;
  const threads = work < PARALLEL_WORK ? 1 : readyThreads();
  const per = threads === 1 ? Math.max(1, pixels) : Math.max(16, Math.ceil(pixels / (8 * threads)));
  const args = record([...geometryFields(g), stage(a), stage(b), target(out), per]);
  const chunks = fn === 'depthwiseBackpropFilter' ? g.kh * g.kw : Math.ceil(pixels / per);
  if (chunks > 0) parallel(fn, args, chunks, threads);
  endFrame();
}

/** `y = depthwiseConv2d(x, w)` (the grouped conv2d with one input channel per group). */
export function depthwiseForwardF32(g: ConvGeometry, x: Float32Array, w: Float32Array, out: Float32Array): void {
  run('depthwiseForward', g, x, w, out, g.batch * g.outH * g.outW);
}

/** `dx = depthwiseConv2dBackpropInput(dy, w)`. */
export function depthwiseBackpropInputF32(g: ConvGeometry, dy: Float32Array, w: Float32Array, out: Float32Array): void {
  run('depthwiseBackpropInput', g, dy, w, out, g.batch * g.inH * g.inW);
}

/** `dw = depthwiseConv2dBackpropFilter(x, dy)`. */
export function depthwiseBackpropFilterF32(g: ConvGeometry, x: Float32Array, dy: Float32Array, out: Float32Array): void {
  run('depthwiseBackpropFilter', g, x, dy, out, 0);
}
