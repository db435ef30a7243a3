import type { Kernel } from '../kernel.ts';
import { broadcastStrides } from '@graft/ir';
import { gemm, rowMajor } from './gemm.ts';
import { matmulF32 } from './wasm/conv.ts';
import { wasmKernelsEnabled } from './wasm/module.ts';

/**
 * `c[…, i, j] = Σ_k a[…, i, k] · b[…, k, j]`: one GEMM per output batch index, the batch
 * axes broadcast as `tf.linalg.matmul` (a batch axis of size 1 or missing repeats, i.e. has
 * matrix stride 0).
 */
export const matmul: Kernel<'matmul'> = (node, [a, b], out) => {
  const as = node.inputs[0]!.shape;
  const bs = node.inputs[1]!.shape;
  const m = as[as.length - 2]!;
  const k = as[as.length - 1]!;
  const n = bs[bs.length - 1]!;
  const batchShape = node.shape.slice(0, -2);
  // Strides in units of whole matrices.
  const sa = broadcastStrides(as.slice(0, -2), batchShape);
  const sb = broadcastStrides(bs.slice(0, -2), batchShape);
  let batches = 1;
  for (const d of batchShape) batches *= d;
  const index = new Array<number>(batchShape.length).fill(0);
  const pairs: [number, number][] = [];
  let ia = 0;
  let ib = 0;
  for (let t = 0; t < batches; t++) {
    pairs.push([ia, ib]);
    for (let d = batchShape.length - 1; d >= 0; d--) {
      ia += sa[d]!;
      ib += sb[d]!;
      if (++index[d]! < batchShape[d]!) break;
      ia -= sa[d]! * batchShape[d]!;
      ib -= sb[d]! * batchShape[d]!;
      index[d] = 0;
    }
  }
  if (out instanceof Float32Array && wasmKernelsEnabled()) {
    matmulF32(m, n, k, a as Float32Array, b as Float32Array, out, pairs);
    return;
  }
  pairs.forEach(([pa, pb], t) => gemm(m, n, k, rowMajor(a!, pa * m * k, k), rowMajor(b!, pb * k * n, n), out, t * m * n, n, false));
};
