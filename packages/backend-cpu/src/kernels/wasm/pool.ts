import type { ConvGeometry } from '@graft/ir';
import { beginFrame, endFrame, frameAlloc, stage, target } from './heap.ts';
import { wasmKernels, type ChunkFunction } from './module.ts';
import { geometryFields, record } from './records.ts';
import { parallel, readyThreads } from './threads.ts';

/* float32 pooling on the WebAssembly kernels (wasm/assembly/pool.ts), bit-identical to the reference. */

/** Window taps below which a pooling call stays on one thread. */
const PARALLEL_WORK = 1 << 19;

function threadsFor(work: number): number {
  return work < PARALLEL_WORK ? 1 : readyThreads();
}

/** maxPool or avgPool of x into `out`, in chunks of output pixels. */
export function poolF32(g: ConvGeometry, x: Float32Array, out: Float32Array, isMax: boolean): void {
  beginFrame();
  const m = g.batch * g.outH * g.outW;
  const threads = threadsFor(out.length * g.kh * g.kw);
  const per = threads === 1 ? m : Math.max(64, Math.ceil(m / (8 * threads)));
  const args = record([...geometryFields(g), stage(x), 0, target(out), per]);
  if (m > 0) parallel(isMax ? 'maxPool' : 'avgPool', args, Math.ceil(m / per), threads);
  endFrame();
}

/**
 * maxPoolGrad (`scatter`: dst has x's shape) or maxPoolGradGrad (dst has the pooled shape),
 * one batch image per chunk.
 */
export function throughArgmaxF32(g: ConvGeometry, x: Float32Array, src: Float32Array, out: Float32Array, scatter: boolean): void {
  beginFrame();
  const fn: ChunkFunction = scatter ? 'maxPoolGrad' : 'maxPoolGradGrad';
  const threads = threadsFor(g.batch * g.outH * g.outW * g.outC * g.kh * g.kw);
  const args = record([...geometryFields(g), stage(x), stage(src), target(out), 0]);
  parallel(fn, args, g.batch, threads);
  endFrame();
}

/** `out[j] = (Σ_r x[r·cols + j]) / divisor` (a sum over leading axes, or a mean with divisor = rows), accumulated in float64. */
export function sumLeadingF32(x: Float32Array, rows: number, cols: number, out: Float32Array, divisor = 1): void {
  const e = wasmKernels().exports;
  beginFrame();
  const acc = frameAlloc(cols * 8);
  e.sumLeading(stage(x), rows, cols, acc, target(out), divisor);
  endFrame();
}
