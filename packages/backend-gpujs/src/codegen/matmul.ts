import { broadcastStrides, type Node } from '@graft/ir';
import { dot, float, int, Source } from './source.ts';
import { kernel, type StepCode } from './spec.ts';

/**
 * `c[…, i, j] = Σ_k a[…, i, k] · b[…, k, j]`, one thread per element of c; the batch axes
 * broadcast as `tf.linalg.matmul` (a batch axis of size 1 or missing has matrix stride 0).
 */
export function matmul(node: Node<'matmul'>): StepCode {
  const [a, b] = node.inputs as [Node, Node];
  const as = a.shape;
  const bs = b.shape;
  const m = as[as.length - 2]!;
  const k = as[as.length - 1]!;
  const n = bs[bs.length - 1]!;
  const batch = node.shape.slice(0, -2);
  const src = new Source();
  const c = src.unravel('o', node.shape);
  const [i, j] = c.slice(-2) as [string, string];
  const bc = c.slice(0, -2);
  const aBatch = broadcastStrides(as.slice(0, -2), batch).map((s) => s * m * k);
  const bBatch = broadcastStrides(bs.slice(0, -2), batch).map((s) => s * k * n);
  const aRow = src.let('ar', [dot(bc, aBatch), i === '0.0' ? '0.0' : `${i} * ${float(k)}`].filter((t) => t !== '0.0').join(' + ') || '0.0');
  const bCol = src.let('bc', [dot(bc, bBatch), j].filter((t) => t !== '0.0').join(' + ') || '0.0');
  const s = src.let('s', '0.0');
  src.emit(`for (var t = 0; t < ${int(k)}; t++) { ${s} = ${s} + x0[${aRow} + t] * x1[${bCol} + t * ${float(n)}]; }`);
  return kernel(src.function(2, s), node.size, 2);
}
