import {
  convGeometry,
  transposeGeometry,
  type AxisGeometry,
  type BackpropFilterAttrs,
  type BackpropInputAttrs,
  type Graph,
  type Node,
} from '@graft/ir';
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
 * `conv2d(pad(dilate(dy, s), [keff − 1 − pt, keff − 1 − pb + r]), reverse(transpose(w, [0,1,3,2]), [0,1]), strides 1, dilations d, VALID)`.
 * `dilate` is left out for stride 1, `pad` when every amount is zero, `reverse` of axes of size 1.
 */
export function backpropInputAsConv(g: Graph, dy: Node, w: Node, attrs: BackpropInputAttrs): Node {
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
  // axes swapped (transpose [0,1,3,2]) and both spatial axes reversed (rot180).
  const geo = transposeGeometry(
    'conv2dBackpropInput',
    dy.shape,
    w.shape,
    attrs.inputShape,
    attrs.strides,
    attrs.padding,
    attrs.dilations,
  );
  const [sh, sw] = attrs.strides;
  const dilated = sh === 1 && sw === 1 ? dy : g.dilate(dy, [sh, sw]);
  const pads = [[0, 0], fullPads(geo.h), fullPads(geo.w), [0, 0]] as const;
  const padded = pads.every(([b, a]) => b === 0 && a === 0) ? dilated : g.pad(dilated, pads);
  const swapped = g.transpose(w, [0, 1, 3, 2]);
  const flipAxes = [0, 1].filter((axis) => w.shape[axis]! > 1);
  const kernel = flipAxes.length === 0 ? swapped : g.reverse(swapped, flipAxes);
  return g.conv2d(padded, kernel, { strides: 1, dilations: attrs.dilations, padding: 'VALID' });
}

/** `[keff − 1 − pt, keff − 1 − pb + r]`: the "full" padding of the dilated dy along one axis. */
function fullPads(a: AxisGeometry): readonly [number, number] {
  return [a.keff - 1 - a.before, a.keff - 1 - a.after + a.unread];
}

/**
 * `conv2dBackpropFilter` as a plain `conv2d` in which batch plays the role of channels
 * and strides and dilations swap roles:
 * `transpose(conv2d(transpose(x, [3,1,2,0]), transpose(dy, [1,2,0,3]), strides d, dilations s, padding [pt, max(pb − r, 0)]), [1,2,0,3])`
 * cropped to `[kh, kw]` (a negative `pad`, left out when nothing is cropped).
 */
export function backpropFilterAsConv(g: Graph, x: Node, dy: Node, attrs: BackpropFilterAttrs): Node {
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
  const geo = convGeometry('conv2dBackpropFilter', x.shape, attrs.filterShape, attrs.strides, attrs.padding, attrs.dilations, {
    x: 'x',
    w: 'filterShape',
  });
  const after = (a: AxisGeometry) => Math.max(a.after - a.unread, 0);
  const out = g.conv2d(g.transpose(x, [3, 1, 2, 0]), g.transpose(dy, [1, 2, 0, 3]), {
    strides: attrs.dilations,
    dilations: attrs.strides,
    padding: [
      [geo.h.before, after(geo.h)],
      [geo.w.before, after(geo.w)],
    ],
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
  rewrite: ({ dy, w }, node, g) => backpropInputAsConv(g, dy, w, node.attrs),
});

/** Lowers `conv2dBackpropFilter` to `conv2d` with batch as channels and strides and dilations swapped. */
export const lowerConv2dBackpropFilter = rule({
  name: 'lower.conv2dBackpropFilter',
  identity:
    'conv2dBackpropFilter(x, dy) → crop(transpose(conv2d(transpose(x, [3,1,2,0]), transpose(dy, [1,2,0,3]), strides d, dilations s, padding [pt, max(pb−r, 0)]), [1,2,0,3]), [kh, kw])',
  pattern: op('conv2dBackpropFilter', [any('x'), any('dy')]),
  rewrite: ({ x, dy }, node, g) => backpropFilterAsConv(g, x, dy, node.attrs),
});

// conv2dTranspose is, by definition (tf.nn.conv2d_transpose), the transpose of conv2d as
// a linear map in x evaluated at v, which is what conv2dBackpropInput computes from dy = v;
// its outputShape is the forward conv's inputShape.
/** Rewrites `conv2dTranspose` as `conv2dBackpropInput` (which `lowerConv2dBackpropInput` then lowers). */
export const lowerConv2dTranspose = rule({
  name: 'lower.conv2dTranspose',
  identity: 'conv2dTranspose(v, w; outputShape) → conv2dBackpropInput(v, w; inputShape = outputShape)',
  pattern: op('conv2dTranspose', [any('v'), any('w')]),
  rewrite: ({ v, w }, { attrs: { outputShape, strides, padding, dilations } }, g) =>
    g.conv2dBackpropInput(v, w, { inputShape: outputShape, strides, padding, dilations }),
});

/**
 * Lowers the conv gradient family to primitives (`conv2d`, `pad`, `dilate`, `reverse`,
 * `transpose`) for every stride, dilation and padding; the result computes the same
 * numbers as the dedicated ops.
 */
export const lowerConvGradients: RuleSet = Object.freeze([lowerConv2dTranspose, lowerConv2dBackpropInput, lowerConv2dBackpropFilter]);
