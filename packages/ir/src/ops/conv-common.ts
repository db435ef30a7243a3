import { checkShape, type Shape } from '../shape/shape.ts';
import type { Graph } from '../graph.ts';
import type { Node } from '../node.ts';
import { fmtValue } from '../errors.ts';
import { normalizeGroups, normalizePadding, normalizePair, type Padding, type Pair, type PairLike } from '../shape/conv.ts';

/** Strides, padding and dilations: the window options of every conv op. */
export interface WindowOptions {
  readonly strides?: PairLike | undefined;
  readonly padding?: Padding | undefined;
  readonly dilations?: PairLike | undefined;
}
export interface WindowAttrs {
  readonly strides: Pair;
  readonly padding: Padding;
  readonly dilations: Pair;
}

/**
 * Options shared by the conv2d family; strides and dilations default to 1, padding to
 * VALID, groups to 1 (`groups` > 1 splits the channels as TensorFlow's and XLA's
 * feature_group_count: see `ConvGeometry`).
 */
export interface ConvOptions extends WindowOptions {
  readonly groups?: number | undefined;
}
export interface ConvAttrs extends WindowAttrs {
  readonly groups: number;
}

export function normalizeWindow(op: string, opts: WindowOptions): WindowAttrs {
  return {
    strides: normalizePair(op, 'strides', opts.strides === undefined ? 1 : opts.strides),
    padding: normalizePadding(op, opts.padding === undefined ? 'VALID' : opts.padding),
    dilations: normalizePair(op, 'dilations', opts.dilations === undefined ? 1 : opts.dilations),
  };
}

export function normalizeConv(op: string, opts: ConvOptions): ConvAttrs {
  return { ...normalizeWindow(op, opts), groups: normalizeGroups(op, opts.groups === undefined ? 1 : opts.groups) };
}

/** The conv family's attrs as text, leaving out `groups=1` (the plain conv). */
export function formatConvAttrs(attrs: object): string {
  return Object.entries(attrs)
    .filter(([k, v]) => !(k === 'groups' && v === 1))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : fmtValue(v)}`)
    .join(' ');
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
  { name: 'x=[2,5,5,3] w=[3,3,3,2] s=1 d=1 p=same', x: [2, 5, 5, 3], w: [3, 3, 3, 2], attrs: { strides: [1, 1], padding: 'SAME', dilations: [1, 1], groups: 1 } },
  { name: 'x=[1,7,7,2] w=[4,4,2,2] s=2 d=1 p=same (asymmetric)', x: [1, 7, 7, 2], w: [4, 4, 2, 2], attrs: { strides: [2, 2], padding: 'SAME', dilations: [1, 1], groups: 1 } },
  { name: 'x=[1,7,6,1] w=[2,3,1,2] s=[3,2] d=1 p=valid (unread rows)', x: [1, 7, 6, 1], w: [2, 3, 1, 2], attrs: { strides: [3, 2], padding: 'VALID', dilations: [1, 1], groups: 1 } },
  { name: 'x=[2,6,7,2] w=[2,2,2,3] s=1 d=[2,3] p=explicit', x: [2, 6, 7, 2], w: [2, 2, 2, 3], attrs: { strides: [1, 1], padding: [[1, 0], [2, 1]], dilations: [2, 3], groups: 1 } },
  { name: 'x=[1,4,4,2] w=[1,1,2,3] s=3 d=1 p=valid (stride > kernel)', x: [1, 4, 4, 2], w: [1, 1, 2, 3], attrs: { strides: [3, 3], padding: 'VALID', dilations: [1, 1], groups: 1 } },
  { name: 'x=[1,3,3,1] w=[3,3,1,1] s=1 d=1 p=valid (1x1 output)', x: [1, 3, 3, 1], w: [3, 3, 1, 1], attrs: { strides: [1, 1], padding: 'VALID', dilations: [1, 1], groups: 1 } },
  { name: 'x=[2,5,6,4] w=[3,2,2,6] s=[2,1] d=1 p=same g=2', x: [2, 5, 6, 4], w: [3, 2, 2, 6], attrs: { strides: [2, 1], padding: 'SAME', dilations: [1, 1], groups: 2 } },
  { name: 'x=[1,6,6,3] w=[2,2,1,6] s=1 d=2 p=explicit g=3 (depthwise as groups = cin)', x: [1, 6, 6, 3], w: [2, 2, 1, 6], attrs: { strides: [1, 1], padding: [[0, 1], [1, 0]], dilations: [2, 2], groups: 3 } },
];

/** The forward conv's attrs, without the shape attr of a gradient op. */
export function convAttrs(a: ConvAttrs): ConvAttrs {
  return { strides: a.strides, padding: a.padding, dilations: a.dilations, groups: a.groups };
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

/*
 * With groups, each of the three maps is block-diagonal over the groups (group k of y reads
 * only group k of x, through its own filter columns), so the identities hold group by group
 * and the gradients are the same ops with the same groups.
 */

/** B(dy, w) for a forward conv of input shape `inputShape`. */
export function backpropInput(g: Graph, dy: Node, w: Node, inputShape: Shape, a: ConvAttrs): Node {
  return g.conv2dBackpropInput(dy, w, { ...convAttrs(a), inputShape });
}
/** F(x, dy) for a forward conv with filter shape `filterShape`. */
export function backpropFilter(g: Graph, x: Node, dy: Node, filterShape: Shape, a: ConvAttrs): Node {
  return g.conv2dBackpropFilter(x, dy, { ...convAttrs(a), filterShape });
}
