import type { Graph } from '../graph.ts';
import type { Node } from '../node.ts';
import type { Shape } from '../shape/shape.ts';
import type { WindowAttrs } from './conv-common.ts';

/** Options of the depthwise ops: strides, padding, dilations (as `tf.nn.depthwise_conv2d`). */
export type { WindowOptions as DepthwiseOptions, WindowAttrs as DepthwiseAttrs } from './conv-common.ts';

/*
 * Depthwise conv D(x, w) (x `[n, h, w, c]`, w `[kh, kw, c, m]`, output channel c·m + k) is
 * bilinear like conv2d, with the adjoints B_d (w.r.t. x) and F_d (w.r.t. w):
 * ⟨D(x, w), dy⟩ = ⟨x, B_d(dy, w)⟩ = ⟨w, F_d(x, dy)⟩. So, as for conv2d's triangle,
 *   D:    dx = B_d(g, w),     dw = F_d(x, g)
 *   B_d:  ddy = D(g, w),      dw = F_d(g, dy)
 *   F_d:  dx = B_d(dy, g),    ddy = D(x, g)
 * and derivatives of any order need no new op. Each is the grouped conv2d-family op with
 * groups = c and the filter reshaped to `[kh, kw, 1, c·m]` (see `depthwiseGeometry`).
 */

/** The window attrs of a depthwise op (without its shape attr). */
export function windowAttrs(a: WindowAttrs): WindowAttrs {
  return { strides: a.strides, padding: a.padding, dilations: a.dilations };
}

export function depthwiseBackpropInput(g: Graph, dy: Node, w: Node, inputShape: Shape, a: WindowAttrs): Node {
  return g.depthwiseConv2dBackpropInput(dy, w, { ...windowAttrs(a), inputShape });
}

export function depthwiseBackpropFilter(g: Graph, x: Node, dy: Node, filterShape: Shape, a: WindowAttrs): Node {
  return g.depthwiseConv2dBackpropFilter(x, dy, { ...windowAttrs(a), filterShape });
}

/** Configurations the depthwise records' examples share: multiplier 1 and > 1, strides, dilations, paddings. */
export const depthwiseExampleConfigs: readonly { readonly name: string; readonly x: Shape; readonly w: Shape; readonly attrs: WindowAttrs }[] = [
  { name: 'x=[2,5,5,3] w=[3,3,3,1] s=1 d=1 p=same m=1', x: [2, 5, 5, 3], w: [3, 3, 3, 1], attrs: { strides: [1, 1], padding: 'SAME', dilations: [1, 1] } },
  { name: 'x=[1,7,6,2] w=[4,3,2,3] s=2 d=1 p=same (asymmetric) m=3', x: [1, 7, 6, 2], w: [4, 3, 2, 3], attrs: { strides: [2, 2], padding: 'SAME', dilations: [1, 1] } },
  { name: 'x=[1,7,7,2] w=[2,2,2,2] s=3 d=1 p=valid (unread rows) m=2', x: [1, 7, 7, 2], w: [2, 2, 2, 2], attrs: { strides: [3, 3], padding: 'VALID', dilations: [1, 1] } },
  { name: 'x=[2,6,7,1] w=[2,2,1,2] s=1 d=[2,3] p=explicit m=2', x: [2, 6, 7, 1], w: [2, 2, 1, 2], attrs: { strides: [1, 1], padding: [[1, 0], [2, 1]], dilations: [2, 3] } },
  { name: 'x=[1,3,3,4] w=[3,3,4,1] s=1 d=1 p=valid (1x1 output) m=1', x: [1, 3, 3, 4], w: [3, 3, 4, 1], attrs: { strides: [1, 1], padding: 'VALID', dilations: [1, 1] } },
];
