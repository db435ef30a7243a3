/**
 * The origin question, answered in code: what does `conv2d_transpose` compute, and how is
 * the gradient of a convolution another convolution?
 *
 * For y = conv2d(x, w) and a loss L = ⟨y, dy⟩ (so dy = ∂L/∂y), d_x is computed four ways:
 *   1. autodiff: grad(L, [x]);
 *   2. by hand: conv2d(pad(dilate(dy, s), [keff − 1 − pt, keff − 1 − pb + r]), rot180(transposeIO(w)),
 *      strides 1, dilations d, VALID) — r counts input rows the forward pass never read;
 *   3. conv2dBackpropInput(dy, w);
 *   4. conv2dTranspose(dy, w, outputShape = x's shape);
 * and d_w three ways:
 *   1. autodiff;
 *   2. by hand: transpose(conv2d(transpose(x, [3,1,2,0]), transpose(dy, [1,2,0,3]),
 *      strides d, dilations s, padding (pt, pb, pl, pr)), [1,2,0,3]) cropped to [kh, kw]
 *      — batch plays the role of channels, and strides and dilations swap roles;
 *   3. conv2dBackpropFilter(x, dy).
 */
import {
  Graph,
  compile,
  convGeometry,
  cpu,
  formatTrace,
  grad,
  lowerConvGradients,
  normalizePadding,
  printGraph,
  rewrite,
  normalizePair,
  type FloatArray,
  type Node,
  type Padding,
} from '../index.ts';
import { seeded } from './util.ts';

export interface Setting {
  readonly x: readonly [number, number, number, number];
  readonly w: readonly [number, number, number, number];
  readonly strides: number | readonly [number, number];
  readonly dilations: number | readonly [number, number];
  readonly padding: Padding;
}

export const settings: readonly Setting[] = [
  { x: [1, 5, 5, 1], w: [3, 3, 1, 1], strides: 1, dilations: 1, padding: 'SAME' },
  { x: [2, 7, 7, 3], w: [3, 3, 3, 4], strides: 2, dilations: 1, padding: 'SAME' },
  { x: [2, 8, 8, 3], w: [4, 4, 3, 2], strides: 2, dilations: 1, padding: 'SAME' },
  { x: [1, 9, 8, 2], w: [3, 2, 2, 3], strides: [3, 2], dilations: 1, padding: 'VALID' },
  { x: [2, 9, 9, 2], w: [3, 3, 2, 2], strides: 1, dilations: 2, padding: 'SAME' },
  { x: [1, 10, 9, 2], w: [2, 3, 2, 3], strides: [2, 3], dilations: [2, 1], padding: [[1, 2], [0, 1]] },
  { x: [1, 6, 6, 1], w: [1, 1, 1, 2], strides: 3, dilations: 1, padding: 'VALID' },
];

export interface SettingResult {
  readonly label: string;
  /** max |difference| between the four d_x and between the three d_w. */
  readonly maxDxDiff: number;
  readonly maxDwDiff: number;
}

/** The hand-written d_x and d_w, and the intermediate tensors of each (to draw every step). */
export interface ByHand {
  readonly dx: Node;
  readonly dw: Node;
  /** d_x's steps: `dilate(dy, s)` (dy itself for stride 1), then padded by `keff − 1 − pad` (+ r after), and the rotated, in/out-swapped filter. */
  readonly dilated: Node;
  readonly padded: Node;
  readonly rotated: Node;
  /** d_w's steps: x as `[cin, H, W, n]`, dy as a filter `[oh, ow, n, cout]`, their conv before the crop to `[kh, kw]`. */
  readonly xT: Node;
  readonly dyT: Node;
  readonly dwConv: Node;
}

/** Builds the hand-written d_x and d_w of the identities above. */
export function byHand(g: Graph, x: Node, w: Node, dy: Node, s: Setting): ByHand {
  const strides = normalizePair('example', 'strides', s.strides);
  const dilations = normalizePair('example', 'dilations', s.dilations);
  const padding = normalizePadding('example', s.padding);
  const geo = convGeometry('example', x.shape, w.shape, strides, padding, dilations);
  const [pt, pb, pl, pr] = geo.pads;
  const [kh, kw] = [geo.kh, geo.kw];

  // d_x: dilate dy by the strides, pad by keff − 1 − pad (negative = crop), convolve with
  // the 180°-rotated, in/out-swapped filter at the forward dilation.
  const spread = strides[0] > 1 || strides[1] > 1 ? g.dilate(dy, strides) : dy;
  const padded = g.pad(spread, [
    [0, 0],
    [geo.h.keff - 1 - pt, geo.h.keff - 1 - pb + geo.h.unread],
    [geo.w.keff - 1 - pl, geo.w.keff - 1 - pr + geo.w.unread],
    [0, 0],
  ]);
  const rotated = g.reverse(g.transpose(w, [0, 1, 3, 2]), [0, 1]);
  const dx = g.conv2d(padded, rotated, { strides: 1, dilations, padding: 'VALID' });

  // d_w: treat batch as channels: x → [cin, H, W, n], dy → [oh, ow, n, cout] as a filter;
  // strides and dilations swap roles; rows past kh (⌊r / d⌋ of them) are cropped.
  const xt = g.transpose(x, [3, 1, 2, 0]);
  const dyt = g.transpose(dy, [1, 2, 0, 3]);
  const c = g.conv2d(xt, dyt, {
    strides: dilations,
    dilations: strides,
    padding: [
      [pt, pb],
      [pl, pr],
    ],
  });
  const cropped = g.pad(c, [
    [0, 0],
    [0, kh - c.shape[1]!],
    [0, kw - c.shape[2]!],
    [0, 0],
  ]);
  const dw = g.transpose(cropped, [1, 2, 0, 3]);
  return { dx, dw, dilated: spread, padded, rotated, xT: xt, dyT: dyt, dwConv: c };
}

function maxDiff(arrays: readonly FloatArray[]): number {
  let m = 0;
  const [first, ...rest] = arrays;
  for (const a of rest) for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - first![i]!));
  return m;
}

export async function fourWays(s: Setting): Promise<SettingResult> {
  const g = new Graph({ dtype: 'float64' });
  const x = g.input('x', s.x);
  const w = g.input('w', s.w);
  const attrs = { strides: s.strides, padding: s.padding, dilations: s.dilations };
  const y = g.conv2d(x, w, attrs);
  const dy = g.input('dy', y.shape);
  const loss = g.sum(g.mul(y, dy));
  const [dxAuto, dwAuto] = grad(loss, [x, w]);
  const hand = byHand(g, x, w, dy, s);
  const dxBackprop = g.conv2dBackpropInput(dy, w, { ...attrs, inputShape: x.shape });
  const dxTranspose = g.conv2dTranspose(dy, w, { ...attrs, outputShape: x.shape });
  const dwBackprop = g.conv2dBackpropFilter(x, dy, { ...attrs, filterShape: w.shape });
  const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const out = await compile(
    { dxAuto: dxAuto!, dxHand: hand.dx, dxBackprop, dxTranspose, dwAuto: dwAuto!, dwHand: hand.dw, dwBackprop },
    { backend: cpu() },
  ).run({ x: seeded(size(s.x), 11), w: seeded(size(s.w), 12), dy: seeded(size(y.shape), 13) });
  const label =
    `x=${JSON.stringify(s.x)} w=${JSON.stringify(s.w)} s=${JSON.stringify(s.strides)} ` +
    `d=${JSON.stringify(s.dilations)} p=${typeof s.padding === 'string' ? s.padding.toLowerCase() : JSON.stringify(s.padding)}`;
  return {
    label,
    maxDxDiff: maxDiff([out.dxAuto, out.dxHand, out.dxBackprop, out.dxTranspose]),
    maxDwDiff: maxDiff([out.dwAuto, out.dwHand, out.dwBackprop]),
  };
}

/** The lowering rewrite applied to the dedicated gradient ops of one setting, printed. */
export function loweredListing(s: Setting): string[] {
  const g = new Graph({ dtype: 'float64' });
  const x = g.input('x', s.x);
  const w = g.input('w', s.w);
  const attrs = { strides: s.strides, padding: s.padding, dilations: s.dilations };
  const dy = g.input('dy', g.conv2d(x, w, attrs).shape);
  const dx = g.conv2dBackpropInput(dy, w, { ...attrs, inputShape: x.shape });
  const dw = g.conv2dBackpropFilter(x, dy, { ...attrs, filterShape: w.shape });
  const lowered = rewrite({ dx, dw }, lowerConvGradients);
  const names = new Map([
    [lowered.outputs.dx, 'dx'],
    [lowered.outputs.dw, 'dw'],
  ]);
  return [
    printGraph(g.nodes),
    '',
    'lowered by:',
    formatTrace(lowered.trace),
    '',
    printGraph(lowered.graph.nodes, { names }),
  ];
}

export async function fourWaysTable(): Promise<{ lines: string[]; results: SettingResult[] }> {
  const results: SettingResult[] = [];
  for (const s of settings) results.push(await fourWays(s));
  const shown = settings[5]!;
  const lines = [
    'd_x four ways (autodiff, by hand, conv2dBackpropInput, conv2dTranspose); d_w three ways (autodiff, by hand, conv2dBackpropFilter)',
    '',
    `${'setting'.padEnd(62)} max|Δ d_x|   max|Δ d_w|`,
    ...results.map((r) => `${r.label.padEnd(62)} ${r.maxDxDiff.toExponential(2).padStart(9)}   ${r.maxDwDiff.toExponential(2).padStart(9)}`),
    '',
    `The dedicated gradient ops of ${results[5]!.label}, and their lowering to conv2d:`,
    '',
    ...loweredListing(shown),
  ];
  return { lines, results };
}
