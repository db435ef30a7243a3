import type { Graph } from '../graph.ts';
import type { Node } from '../node.ts';
import type { ConvGeometry } from '../shape/conv.ts';
import { poolOp, type PoolAttrs } from './pool-common.ts';
import { linearJvp } from './record.ts';

/**
 * `y[n, i, j, c] = mean over the window's in-bounds elements` (padding is not counted, as
 * TensorFlow). Linear in x. Its VJP is composed, not a new primitive: each channel is an
 * independent single-channel conv with a ones filter, so with channels moved into the batch,
 * dx = B(dy / count, ones) — a conv2dBackpropInput, whose own derivatives the conv family has.
 */
export const avgPool = poolOp(
  'avgPool',
  'y = mean of x over the in-bounds part of each window',
  ({ g, inputs: [x], attrs, geometry, dy }) => avgPoolVjp(g, x!, dy, attrs, geometry),
  linearJvp((g, t, attrs) => g.avgPool(t, attrs)),
);

function avgPoolVjp(g: Graph, x: Node, dy: Node, attrs: PoolAttrs, geo: ConvGeometry): Node {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [pt, pb, pl, pr] = geo.pads;
  const inBounds = (i: number, s: number, before: number, k: number, size: number) => {
    const start = i * s - before;
    return Math.min(start + k, size) - Math.max(start, 0);
  };
  const counts = new Float64Array(geo.outH * geo.outW);
  for (let i = 0; i < geo.outH; i++) {
    for (let j = 0; j < geo.outW; j++) {
      counts[i * geo.outW + j] =
        inBounds(i, attrs.strides[0], pt, attrs.ksize[0], h) * inBounds(j, attrs.strides[1], pl, attrs.ksize[1], w);
    }
  }
  const scaled = g.div(dy, g.constant(counts, [1, geo.outH, geo.outW, 1], dy.dtype));
  const perChannel = g.reshape(g.transpose(scaled, [0, 3, 1, 2]), [n * c, geo.outH, geo.outW, 1]);
  const ones = g.constant(new Float64Array(attrs.ksize[0] * attrs.ksize[1]).fill(1), [attrs.ksize[0], attrs.ksize[1], 1, 1], dy.dtype);
  const dx = g.conv2dBackpropInput(perChannel, ones, {
    inputShape: [n * c, h, w, 1],
    strides: attrs.strides,
    padding: [
      [pt, pb],
      [pl, pr],
    ],
  });
  return g.transpose(g.reshape(dx, [n, c, h, w]), [0, 2, 3, 1]);
}
