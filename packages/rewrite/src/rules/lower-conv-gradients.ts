import { depthwiseAsGroupedFilter, type AxisGeometry, type ConvGeometry, type Graph, type Node } from '@graft/ir';
import { any, op } from '../pattern.ts';
import { rule, type RuleSet } from '../rule.ts';

// Notation, per spatial axis (height and width are independent and alike): input size
// `in`, kernel `k`, stride `s`, dilation `d`, padding `pt` before and `pb` after (the pads
// the geometry record applies, SAME resolved), `keff = (k − 1)·d + 1`, output size `out`
// and `r = (in + pt + pb − keff) mod s` input rows the forward pass never reads, so that
//
//     in + pt + pb − keff = (out − 1)·s + r.                                        (★)
//
// The forward conv, on one axis with channels and batch left out:
//
//     y[i] = Σ_a x[i·s + a·d − pt] · w[a].

/**
 * `conv2dBackpropInput` as a plain `conv2d`:
 * `conv2d(pad(dilate(dy, s), [keff − 1 − pt, keff − 1 − pb + r]), reverse(transpose(w, [0,1,3,2]), [0,1]), strides 1, dilations d, VALID)`,
 * from the node's geometry record. `dilate` is left out for stride 1, `pad` when every amount
 * is zero, `reverse` of axes of size 1. With groups, the conv is grouped the same way and the
 * in/out swap happens within each group.
 */
export function backpropInputAsConv(g: Graph, dy: Node, w: Node, geo: ConvGeometry): Node {
  // dx[p] = Σ_{i, a : i·s + a·d − pt = p} dy[i] · w[a].
  // Let z = dilate(dy, s), so z[i·s] = dy[i] and z is zero between; Z = pad(z, [P0, P1]),
  // Z[q] = z[q − P0]; and w'[a] = w[k − 1 − a]. The stride-1 VALID conv with dilation d is
  //   out[p] = Σ_a Z[p + a·d] · w'[a] = Σ_a z[p + a·d − P0] · w[k − 1 − a]
  //          = Σ_b z[p − b·d + (keff − 1) − P0] · w[b]          (b = k − 1 − a)
  // which is dx[p] exactly when the z index is p − b·d + pt, i.e. P0 = keff − 1 − pt.
  // Its length is len(Z) − keff + 1 = (out − 1)·s + 1 + P0 + P1 − keff + 1, which by (★)
  // equals `in` exactly when P1 = keff − 1 − pb + r. A negative P0 or P1 crops: the conv
  // reads Z only inside its bounds, and Z[q] = z[q − P0] still holds there.
  // Channels: the conv maps dy's cout channels to cin, so the kernel is w with its in/out
  // axes swapped (transpose [0,1,3,2]) and both spatial axes reversed (rot180). With G groups
  // w is [kh, kw, cg, G·ng] with out-channel k·ng + o; the grouped kernel must be
  // [kh, kw, ng, G·cg] with out-channel k·cg + i, so the swap is of (i, o) within each group k:
  // reshape to [kh, kw, cg, G, ng], transpose [0,1,4,3,2], reshape to [kh, kw, ng, G·cg].
  const [sh, sw] = geo.strides;
  const dilated = sh === 1 && sw === 1 ? dy : g.dilate(dy, [sh, sw]);
  const pads = [[0, 0], fullPads(geo.h), fullPads(geo.w), [0, 0]] as const;
  const padded = pads.every(([b, a]) => b === 0 && a === 0) ? dilated : g.pad(dilated, pads);
  const { kh, kw, groups: G, groupInC: cg, groupOutC: ng } = geo;
  const swapped =
    G === 1 ? g.transpose(w, [0, 1, 3, 2]) : g.reshape(g.transpose(g.reshape(w, [kh, kw, cg, G, ng]), [0, 1, 4, 3, 2]), [kh, kw, ng, G * cg]);
  const flipAxes = [0, 1].filter((axis) => w.shape[axis]! > 1);
  const kernel = flipAxes.length === 0 ? swapped : g.reverse(swapped, flipAxes);
  return g.conv2d(padded, kernel, { strides: 1, dilations: geo.dilations, padding: 'VALID', groups: G });
}

/** `[keff − 1 − pt, keff − 1 − pb + r]`: the "full" padding of the dilated dy along one axis. */
function fullPads(a: AxisGeometry): readonly [number, number] {
  return [a.keff - 1 - a.before, a.keff - 1 - a.after + a.unread];
}

/**
 * `conv2dBackpropFilter` as a plain `conv2d` in which batch plays the role of channels
 * and strides and dilations swap roles:
 * `transpose(conv2d(transpose(x, [3,1,2,0]), transpose(dy, [1,2,0,3]), strides d, dilations s, padding [pt, max(pb − r, 0)]), [1,2,0,3])`
 * cropped to `[kh, kw]` (a negative `pad`, left out when nothing is cropped), from the node's
 * geometry record. With groups the conv is grouped over (group, batch) channels.
 */
export function backpropFilterAsConv(g: Graph, x: Node, dy: Node, geo: ConvGeometry): Node {
  // dw[a, ci, co] = Σ_{n, i} x[n, i·s + a·d − pt, ci] · dy[n, i, co].
  // Read x as an image X[ci, ·, n] (batch ci, channels n) and dy as a kernel D[i, n, co]
  // (in-channels n, out-channels co). A conv with stride d, dilation s and padding pt
  // before gives
  //   out[ci, a, co] = Σ_{i, n} X[ci, a·d + i·s − pt, n] · D[i, n, co] = dw[a, ci, co]
  // for every row a it has, so dw = transpose(out, [1,2,0,3]) restricted to a < k. D is
  // `out` rows long with dilation s, i.e. (out − 1)·s + 1 rows effective, so with P rows
  // padded after, the conv has
  //   floor((in + pt + P − (out − 1)·s − 1) / d) + 1 = floor((keff − 1 + P − (pb − r)) / d) + 1   (by ★)
  // rows: exactly k for P = pb − r. Explicit conv padding must be non-negative, so when
  // pb − r < 0 take P = 0: the conv is still valid (its row count is then ≥ k ≥ 1) and the
  // extra rows a ≥ k, which dw does not have, are cropped. (Cropping the r − pb unread rows
  // off x instead would empty x when the forward pass reads none of its rows, e.g. in = 1,
  // k = 1, s = 2, pt = 1.)
  // Groups: dw[a, i, k·ng + o] = Σ_{n, t} x[n, t·s + a·d − pt, k·cg + i] · dy[n, t, k·ng + o] pairs
  // group k of x only with group k of dy. Read x as X[i, ·, k·N + n] (x reshaped to
  // [N, H, W, G, cg], transposed [4,1,2,3,0]): the conv grouped G ways then pairs the channels
  // (k, n) of X with the out-channels k·ng + o of D, as wanted.
  const { batch: N, inH: H, inW: W, groups: G, groupInC: cg } = geo;
  const image = G === 1 ? g.transpose(x, [3, 1, 2, 0]) : g.reshape(g.transpose(g.reshape(x, [N, H, W, G, cg]), [4, 1, 2, 3, 0]), [cg, H, W, G * N]);
  const after = (a: AxisGeometry) => Math.max(a.after - a.unread, 0);
  const out = g.conv2d(image, g.transpose(dy, [1, 2, 0, 3]), {
    strides: geo.dilations,
    dilations: geo.strides,
    padding: [
      [geo.h.before, after(geo.h)],
      [geo.w.before, after(geo.w)],
    ],
    groups: G,
  });
  const dw = g.transpose(out, [1, 2, 0, 3]);
  const [rows, cols] = dw.shape as [number, number];
  if (rows === geo.kh && cols === geo.kw) return dw;
  return g.pad(dw, [[0, geo.kh - rows], [0, geo.kw - cols], [0, 0], [0, 0]]);
}

/** Lowers `conv2dBackpropInput` to `conv2d` of the dilated, padded dy with the rot180, in/out-swapped filter. */
export const lowerConv2dBackpropInput = rule({
  name: 'lower.conv2dBackpropInput',
  identity:
    'conv2dBackpropInput(dy, w) → conv2d(pad(dilate(dy, s), [keff−1−pt, keff−1−pb+r]), reverse(transpose(w, [0,1,3,2]), [0,1]), strides 1, dilations d, VALID)',
  pattern: op('conv2dBackpropInput', [any('dy'), any('w')]),
  rewrite: ({ dy, w }, node, g) => backpropInputAsConv(g, dy, w, node.geometry),
});

/** Lowers `conv2dBackpropFilter` to `conv2d` with batch as channels and strides and dilations swapped. */
export const lowerConv2dBackpropFilter = rule({
  name: 'lower.conv2dBackpropFilter',
  identity:
    'conv2dBackpropFilter(x, dy) → crop(transpose(conv2d(transpose(x, [3,1,2,0]), transpose(dy, [1,2,0,3]), strides d, dilations s, padding [pt, max(pb−r, 0)]), [1,2,0,3]), [kh, kw])',
  pattern: op('conv2dBackpropFilter', [any('x'), any('dy')]),
  rewrite: ({ x, dy }, node, g) => backpropFilterAsConv(g, x, dy, node.geometry),
});

// conv2dTranspose is, by definition (tf.nn.conv2d_transpose), the transpose of conv2d as
// a linear map in x evaluated at v, which is what conv2dBackpropInput computes from dy = v;
// its outputShape is the forward conv's inputShape.
/** Rewrites `conv2dTranspose` as `conv2dBackpropInput` (which `lowerConv2dBackpropInput` then lowers). */
export const lowerConv2dTranspose = rule({
  name: 'lower.conv2dTranspose',
  identity: 'conv2dTranspose(v, w; outputShape) → conv2dBackpropInput(v, w; inputShape = outputShape)',
  pattern: op('conv2dTranspose', [any('v'), any('w')]),
  rewrite: ({ v, w }, { attrs: { outputShape, strides, padding, dilations, groups } }, g) =>
    g.conv2dBackpropInput(v, w, { inputShape: outputShape, strides, padding, dilations, groups }),
});

// A depthwise filter [kh, kw, c, m] holds the same elements in the same order as the grouped
// filter [kh, kw, 1, c·m] of the conv with groups = c (output channel c·m + k either way), so
// each depthwise op is its conv2d-family op over a reshape of the filter.

/** `depthwiseConv2d(x, w) → conv2d(x, reshape(w, [kh, kw, 1, c·m]), groups c)`. */
export const lowerDepthwiseConv2d = rule({
  name: 'lower.depthwiseConv2d',
  identity: 'depthwiseConv2d(x, w) → conv2d(x, reshape(w, [kh, kw, 1, c·m]), groups = c)',
  pattern: op('depthwiseConv2d', [any('x'), any('w')]),
  rewrite: ({ x, w }, { attrs, geometry }, g) => g.conv2d(x, g.reshape(w, depthwiseAsGroupedFilter(w.shape)), { ...attrs, groups: geometry.groups }),
});

/** `depthwiseConv2dBackpropInput(dy, w) → conv2dBackpropInput(dy, reshape(w, [kh, kw, 1, c·m]), groups c)`. */
export const lowerDepthwiseConv2dBackpropInput = rule({
  name: 'lower.depthwiseConv2dBackpropInput',
  identity: 'depthwiseConv2dBackpropInput(dy, w) → conv2dBackpropInput(dy, reshape(w, [kh, kw, 1, c·m]), groups = c)',
  pattern: op('depthwiseConv2dBackpropInput', [any('dy'), any('w')]),
  rewrite: ({ dy, w }, { attrs, geometry }, g) =>
    g.conv2dBackpropInput(dy, g.reshape(w, depthwiseAsGroupedFilter(w.shape)), { ...attrs, groups: geometry.groups }),
});

/** `depthwiseConv2dBackpropFilter(x, dy) → reshape(conv2dBackpropFilter(x, dy, [kh, kw, 1, c·m], groups c), [kh, kw, c, m])`. */
export const lowerDepthwiseConv2dBackpropFilter = rule({
  name: 'lower.depthwiseConv2dBackpropFilter',
  identity: 'depthwiseConv2dBackpropFilter(x, dy) → reshape(conv2dBackpropFilter(x, dy, filterShape [kh, kw, 1, c·m], groups = c), [kh, kw, c, m])',
  pattern: op('depthwiseConv2dBackpropFilter', [any('x'), any('dy')]),
  rewrite: ({ x, dy }, { attrs, geometry }, g) =>
    g.reshape(
      g.conv2dBackpropFilter(x, dy, { ...attrs, filterShape: depthwiseAsGroupedFilter(attrs.filterShape), groups: geometry.groups }),
      attrs.filterShape,
    ),
});

/** Lowers the depthwise ops to the grouped conv2d family (same numbers, same kernels). */
export const lowerDepthwise: RuleSet = Object.freeze([lowerDepthwiseConv2d, lowerDepthwiseConv2dBackpropInput, lowerDepthwiseConv2dBackpropFilter]);

/**
 * Lowers the conv gradient family (the depthwise gradients included) to primitives
 * (`conv2d`, `pad`, `dilate`, `reverse`, `transpose`, `reshape`) for every stride, dilation,
 * padding and grouping; the result computes the same numbers as the dedicated ops.
 */
export const lowerConvGradients: RuleSet = Object.freeze([
  lowerDepthwiseConv2dBackpropInput,
  lowerDepthwiseConv2dBackpropFilter,
  lowerConv2dTranspose,
  lowerConv2dBackpropInput,
  lowerConv2dBackpropFilter,
]);
