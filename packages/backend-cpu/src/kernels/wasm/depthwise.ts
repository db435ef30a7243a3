import type { ConvGeometry } from '@graft/ir';
import { beginFrame, endFrame, stage, target } from './heap.ts';
import type { ChunkFunction } from './module.ts';
import { geometryFields, record } from './records.ts';
import { parallel, readyThreads } from './threads.ts';

/*
 * float32 depthwise convs (one input channel per group) on the WebAssembly kernels
 * (wasm/assembly/depthwise.ts): multiply-adds along the channels, no GEMM. Each op splits the
 * rows it writes into chunks: the forward conv its y pixels, the input gradient its dx pixels,
 * the filter gradient its filter taps.
 */

/** Multiply-adds below which a call stays on one thread. */
const PARALLEL_WORK = 1 << 19;

/** Runs `fn` over its `rows` result rows, at least `minimum` to a chunk when threaded (about 8 chunks per thread). */
function run(fn: ChunkFunction, g: ConvGeometry, a: Float32Array, b: Float32Array, out: Float32Array, rows: number, minimum: number): void {
  if (rows === 0) return;
  beginFrame();
  const work = g.batch * g.outH * g.outW * g.outC * g.kh * g.kw;
  const threads = work < PARALLEL_WORK ? 1 : readyThreads();
  const per = threads === 1 ? rows : Math.max(minimum, Math.ceil(rows / (8 * threads)));
  const args = record([...geometryFields(g), stage(a), stage(b), target(out), per]);
  parallel(fn, args, Math.ceil(rows / per), threads);
  endFrame();
}

/** `y = depthwiseConv2d(x, w)` (the grouped conv2d with one input channel per group). */
export function depthwiseForwardF32(g: ConvGeometry, x: Float32Array, w: Float32Array, out: Float32Array): void {
  run('depthwiseForward', g, x, w, out, g.batch * g.outH * g.outW, 16);
}

/** `dx = depthwiseConv2dBackpropInput(dy, w)`. */
export function depthwiseBackpropInputF32(g: ConvGeometry, dy: Float32Array, w: Float32Array, out: Float32Array): void {
  run('depthwiseBackpropInput', g, dy, w, out, g.batch * g.inH * g.inW, 16);
}

/** `dw = depthwiseConv2dBackpropFilter(x, dy)`. */
export function depthwiseBackpropFilterF32(g: ConvGeometry, x: Float32Array, dy: Float32Array, out: Float32Array): void {
  run('depthwiseBackpropFilter', g, x, dy, out, g.kh * g.kw, 1);
}
