import { checkShape, type Shape } from '../shape/shape.ts';
import type { Graph } from '../graph.ts';
import type { Node } from '../node.ts';
import { normalizePadding, normalizePair, type Padding, type Pair, type PairLike } from '../shape/conv.ts';

/** Options shared by the conv family; strides and dilations default to 1, padding to VALID. */
export interface ConvOptions {
  readonly strides?: PairLike | undefined;
  readonly padding?: Padding | undefined;
  readonly dilations?: PairLike | undefined;
}
export interface ConvAttrs {
  readonly strides: Pair;
  readonly padding: Padding;
  readonly dilations: Pair;
}

export function normalizeConv(op: string, opts: ConvOptions): ConvAttrs {
  return {
    strides: normalizePair(op, 'strides', opts.strides === undefined ? 1 : opts.strides),
    padding: normalizePadding(op, opts.padding === undefined ? 'VALID' : opts.padding),
    dilations: normalizePair(op, 'dilations', opts.dilations === undefined ? 1 : opts.dilations),
  };
}

export function normalizeShapeAttr(op: string, name: string, shape: unknown): Shape {
  return checkShape(op, name, shape);
}

/**
 * Configurations shared by the conv family's records, named by geometry:
 * x shape, w shape, strides, dilations, padding.
 */
export const convExampleConfigs: readonly {
  readonly name: string;
  readonly x: Shape;
  readonly w: Shape;
  readonly attrs: ConvAttrs;
}[] = [
  { name: 'x=[2,5,5,3] w=[3,3,3,2] s=1 d=1 p=same', x: [2, 5, 5, 3], w: [3, 3, 3, 2], attrs: { strides: [1, 1], padding: 'SAME', dilations: [1, 1] } },
  { name: 'x=[1,7,7,2] w=[4,4,2,2] s=2 d=1 p=same (asymmetric)', x: [1, 7, 7, 2], w: [4, 4, 2, 2], attrs: { strides: [2, 2], padding: 'SAME', dilations: [1, 1] } },
  { name: 'x=[1,7,6,1] w=[2,3,1,2] s=[3,2] d=1 p=valid (unread rows)', x: [1, 7, 6, 1], w: [2, 3, 1, 2], attrs: { strides: [3, 2], padding: 'VALID', dilations: [1, 1] } },
  { name: 'x=[2,6,7,2] w=[2,2,2,3] s=1 d=[2,3] p=explicit', x: [2, 6, 7, 2], w: [2, 2, 2, 3], attrs: { strides: [1, 1], padding: [[1, 0], [2, 1]], dilations: [2, 3] } },
  { name: 'x=[1,4,4,2] w=[1,1,2,3] s=3 d=1 p=valid (stride > kernel)', x: [1, 4, 4, 2], w: [1, 1, 2, 3], attrs: { strides: [3, 3], padding: 'VALID', dilations: [1, 1] } },
  { name: 'x=[1,3,3,1] w=[3,3,1,1] s=1 d=1 p=valid (1x1 output)', x: [1, 3, 3, 1], w: [3, 3, 1, 1], attrs: { strides: [1, 1], padding: 'VALID', dilations: [1, 1] } },
];

/** The forward conv's attrs, without the shape attr of a gradient op. */
export function convAttrs(a: ConvAttrs): ConvAttrs {
  return { strides: a.strides, padding: a.padding, dilations: a.dilations };
}

/*
 * The conv family is closed under differentiation (TensorFlow's triangle). Write
 * C(x, w) = conv2d, B(dy, w) = conv2dBackpropInput, F(x, dy) = conv2dBackpropFilter.
 * All three are bilinear and ⟨C(x, w), dy⟩ = ⟨x, B(dy, w)⟩ = ⟨w, F(x, dy)⟩. Hence, for a
 * cotangent g of each output:
 *   C:  dx = B(g, w),            dw = F(x, g)
 *   B:  ddy = C(g, w),           dw = F(g, dy)      since ⟨g, B(dy, w)⟩ = ⟨C(g, w), dy⟩
 *   F:  dx = B(dy, g),           ddy = C(x, g)      since ⟨g, F(x, dy)⟩ = ⟨C(x, g), dy⟩
 * so derivatives of any order need no new op.
 */

/** B(dy, w) for a forward conv of input shape `inputShape`. */
export function backpropInput(g: Graph, dy: Node, w: Node, inputShape: Shape, a: ConvAttrs): Node {
  return g.conv2dBackpropInput(dy, w, { ...convAttrs(a), inputShape });
}
/** F(x, dy) for a forward conv with filter shape `filterShape`. */
export function backpropFilter(g: Graph, x: Node, dy: Node, filterShape: Shape, a: ConvAttrs): Node {
  return g.conv2dBackpropFilter(x, dy, { ...convAttrs(a), filterShape });
}
