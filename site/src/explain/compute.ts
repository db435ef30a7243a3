/**
 * Every number the explainer shows, computed by graft (float64, cpu()): the forward conv, d_x
 * four ways and d_w three ways with the intermediate tensors of the hand-written identities,
 * the stride ambiguity, which input cells an output cell reads, the gradient graph with its
 * provenance and its lowering. No DOM here: the view draws what this returns.
 */
import {
  Graph,
  compile,
  convGeometry,
  cpu,
  formatTrace,
  grad,
  lowerConvGradients,
  printGraph,
  rewrite,
  validInputSizes,
  type ConvGeometry,
  type FloatArray,
  type Node,
  type Padding,
} from 'graft';
import { byHand, seeded, sizeOf } from 'graft/programs/browser';

/** What the user picks. x is NHWC; the filter is `[kernel[0], kernel[1], x channels, cout]` (HWIO). */
export interface ExplainSetting {
  readonly x: readonly [number, number, number, number];
  readonly kernel: readonly [number, number];
  readonly cout: number;
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  readonly padding: Padding;
}

/** The seeds of x, w and dy (uniform in [−1, 1), mulberry32): the same in Node and in the page. */
export const SEEDS = { x: 11, w: 12, dy: 13 } as const;

export interface Tensor {
  readonly shape: readonly number[];
  readonly values: Float64Array;
}

/** The tensors the explainer draws, by name. */
export type TensorName =
  | 'x'
  | 'w'
  | 'y'
  | 'dy'
  | 'dx.autodiff'
  | 'dx.hand.dilated'
  | 'dx.hand.padded'
  | 'dx.hand.rotated'
  | 'dx.hand'
  | 'dx.backpropInput'
  | 'dx.transpose'
  | 'dw.autodiff'
  | 'dw.hand.xT'
  | 'dw.hand.dyT'
  | 'dw.hand.conv'
  | 'dw.hand'
  | 'dw.backpropFilter';

/** One pad amount of the hand-written d_x: its formula, with this case's numbers plugged in. */
export interface PadTerm {
  readonly side: 'top' | 'bottom' | 'left' | 'right';
  /** `keff − 1 − pt` or `keff − 1 − pb + r` (…`pl`, `pr`). */
  readonly formula: string;
  /** The formula with the numbers: `7 − 1 − 3 = 3`. */
  readonly plugged: string;
  /** Negative: that many rows (columns) are cropped. */
  readonly value: number;
}

export interface Explanation {
  readonly setting: ExplainSetting;
  readonly geometry: ConvGeometry;
  readonly tensors: Readonly<Record<TensorName, Tensor>>;
  readonly pads: readonly PadTerm[];
  /** Largest |method − autodiff| over all elements. */
  readonly maxDiff: {
    readonly dx: { readonly hand: number; readonly backpropInput: number; readonly transpose: number };
    readonly dw: { readonly hand: number; readonly backpropFilter: number };
  };
  /** Every input height (width) that conv2d maps to the output height (width). */
  readonly validHeights: readonly number[];
  readonly validWidths: readonly number[];
  /** The forward and gradient graph (`loss`, `dx`, `dw`), each gradient node with its provenance. */
  readonly gradientGraph: Readonly<Record<string, Node>>;
  readonly gradientListing: string;
  /** The gradient graph after the lowerConvGradients rewrite, and the rewrite's trace. */
  readonly loweredGraph: Readonly<Record<string, Node>>;
  readonly loweredListing: string;
  readonly loweringTrace: string;
  /** Milliseconds spent building, compiling and running. */
  readonly ms: number;
}

const axisPadding = (p: Padding, axis: 0 | 1) => (p === 'SAME' || p === 'VALID' ? p : p[axis]);

/** The filter shape of a setting. */
export function filterShape(s: ExplainSetting): [number, number, number, number] {
  return [s.kernel[0], s.kernel[1], s.x[3], s.cout];
}

/** The seeded feeds of a setting (dy has y's shape). */
export function feedsOf(s: ExplainSetting, yShape: readonly number[]): { x: Float64Array; w: Float64Array; dy: Float64Array } {
  return { x: seeded(sizeOf(s.x), SEEDS.x), w: seeded(sizeOf(filterShape(s)), SEEDS.w), dy: seeded(sizeOf(yShape), SEEDS.dy) };
}

/** Runs `outputs` as one program on cpu() and returns them as tensors. */
async function run<K extends string>(outputs: Record<K, Node>, feeds: Record<string, FloatArray>): Promise<Record<K, Tensor>> {
  const program = compile(outputs, { backend: cpu() });
  try {
    const out = await program.run(feeds);
    const result = {} as Record<K, Tensor>;
    for (const k of Object.keys(outputs) as K[]) result[k] = { shape: outputs[k].shape, values: Float64Array.from(out[k]!) };
    return result;
  } finally {
    program.dispose();
  }
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  let m = 0;
  for (let i = 0; i < a.values.length; i++) m = Math.max(m, Math.abs(a.values[i]! - b.values[i]!));
  return m;
}

const minus = (n: number) => (n < 0 ? `(−${-n})` : String(n));

/**
 * Computes everything for one setting. Each way of computing d_x and d_w is its own graph and
 * its own compiled program, so that no compiler pass can merge two of them into one.
 * Throws graft's typed error when the setting is invalid (e.g. a kernel larger than the input).
 */
export async function explain(s: ExplainSetting): Promise<Explanation> {
  const t0 = performance.now();
  const attrs = { strides: s.strides, padding: s.padding, dilations: s.dilations };
  const wShape = filterShape(s);
  const geometry = convGeometry('conv2d', s.x, wShape, s.strides, s.padding, s.dilations);
  const feeds = feedsOf(s, geometry.outShape);
  const setting = { x: s.x, w: wShape, strides: s.strides, dilations: s.dilations, padding: s.padding };

  // 1. Autodiff: L = ⟨conv2d(x, w), dy⟩, so ∂L/∂y = dy and grad gives d_x and d_w.
  const ga = new Graph({ dtype: 'float64' });
  const xa = ga.input('x', s.x);
  const wa = ga.input('w', wShape);
  const y = ga.conv2d(xa, wa, attrs);
  const dya = ga.input('dy', y.shape);
  const loss = ga.sum(ga.mul(y, dya));
  const [dxAuto, dwAuto] = grad(loss, [xa, wa]);
  const auto = await run({ y, dx: dxAuto!, dw: dwAuto! }, feeds);

  // 2. By hand: the identities of docs/semantics.md, step by step (graft/programs' byHand).
  const gh = new Graph({ dtype: 'float64' });
  const xh = gh.input('x', s.x);
  const wh = gh.input('w', wShape);
  const hand = byHand(gh, xh, wh, gh.input('dy', y.shape), setting);
  const handOut = await run(
    { dilated: hand.dilated, padded: hand.padded, rotated: hand.rotated, dx: hand.dx, xT: hand.xT, dyT: hand.dyT, conv: hand.dwConv, dw: hand.dw },
    feeds,
  );

  // 3. The dedicated gradient ops; 4. conv2dTranspose with outputShape = x's shape.
  const gb = new Graph({ dtype: 'float64' });
  const xb = gb.input('x', s.x);
  const wb = gb.input('w', wShape);
  const dyb = gb.input('dy', y.shape);
  const backprop = await run(
    {
      dx: gb.conv2dBackpropInput(dyb, wb, { ...attrs, inputShape: s.x }),
      dw: gb.conv2dBackpropFilter(xb, dyb, { ...attrs, filterShape: wShape }),
    },
    feeds,
  );
  const gt = new Graph({ dtype: 'float64' });
  const transposed = await run({ dx: gt.conv2dTranspose(gt.input('dy', y.shape), gt.input('w', wShape), { ...attrs, outputShape: s.x }) }, { dy: feeds.dy, w: feeds.w });

  const [pt, pb, pl, pr] = geometry.pads;
  const term = (side: PadTerm['side'], keff: number, pad: number, r: number | undefined): PadTerm => {
    const padName = { top: 'pt', bottom: 'pb', left: 'pl', right: 'pr' }[side];
    const value = keff - 1 - pad + (r ?? 0);
    return {
      side,
      formula: r === undefined ? `keff − 1 − ${padName}` : `keff − 1 − ${padName} + r`,
      plugged: `${keff} − 1 − ${pad}${r === undefined ? '' : ` + ${r}`} = ${minus(value)}`,
      value,
    };
  };
  const pads = [
    term('top', geometry.h.keff, pt, undefined),
    term('bottom', geometry.h.keff, pb, geometry.h.unread),
    term('left', geometry.w.keff, pl, undefined),
    term('right', geometry.w.keff, pr, geometry.w.unread),
  ];

  const lowered = rewrite({ dx: dxAuto!, dw: dwAuto! }, lowerConvGradients);
  const loweredNames = new Map<Node, string>([
    [lowered.outputs.dx!, 'dx'],
    [lowered.outputs.dw!, 'dw'],
  ]);

  const tensors: Record<TensorName, Tensor> = {
    x: { shape: s.x, values: feeds.x },
    w: { shape: wShape, values: feeds.w },
    y: auto.y,
    dy: { shape: y.shape, values: feeds.dy },
    'dx.autodiff': auto.dx,
    'dx.hand.dilated': handOut.dilated,
    'dx.hand.padded': handOut.padded,
    'dx.hand.rotated': handOut.rotated,
    'dx.hand': handOut.dx,
    'dx.backpropInput': backprop.dx,
    'dx.transpose': transposed.dx,
    'dw.autodiff': auto.dw,
    'dw.hand.xT': handOut.xT,
    'dw.hand.dyT': handOut.dyT,
    'dw.hand.conv': handOut.conv,
    'dw.hand': handOut.dw,
    'dw.backpropFilter': backprop.dw,
  };
  return {
    setting: s,
    geometry,
    tensors,
    pads,
    maxDiff: {
      dx: { hand: maxAbsDiff(handOut.dx, auto.dx), backpropInput: maxAbsDiff(backprop.dx, auto.dx), transpose: maxAbsDiff(transposed.dx, auto.dx) },
      dw: { hand: maxAbsDiff(handOut.dw, auto.dw), backpropFilter: maxAbsDiff(backprop.dw, auto.dw) },
    },
    validHeights: validInputSizes(geometry.outH, s.kernel[0], s.strides[0], s.dilations[0], axisPadding(s.padding, 0)),
    validWidths: validInputSizes(geometry.outW, s.kernel[1], s.strides[1], s.dilations[1], axisPadding(s.padding, 1)),
    gradientGraph: { loss, dx: dxAuto!, dw: dwAuto! },
    gradientListing: printGraph(ga.nodes),
    loweredGraph: lowered.outputs,
    loweredListing: printGraph(lowered.graph.nodes, { names: loweredNames }),
    loweringTrace: formatTrace(lowered.trace),
    ms: performance.now() - t0,
  };
}

/** conv2dTranspose(dy, w) for one output size, or graft's error for a size no conv2d maps to dy. */
export type TransposeResult =
  | { readonly ok: true; readonly outputShape: readonly number[]; readonly values: Tensor; readonly maxDiffVsBackpropInput: number }
  | { readonly ok: false; readonly outputShape: readonly number[]; readonly error: string; readonly errorName: string };

/**
 * The stride ambiguity made concrete: conv2dTranspose of this setting's dy to an output of
 * `height × width` (x's batch and channels), next to conv2dBackpropInput with that input shape.
 */
export async function transposeTo(s: ExplainSetting, height: number, width: number): Promise<TransposeResult> {
  const attrs = { strides: s.strides, padding: s.padding, dilations: s.dilations };
  const wShape = filterShape(s);
  const geometry = convGeometry('conv2d', s.x, wShape, s.strides, s.padding, s.dilations);
  const outputShape = [s.x[0], height, width, s.x[3]] as const;
  const g = new Graph({ dtype: 'float64' });
  const dy = g.input('dy', geometry.outShape);
  const w = g.input('w', wShape);
  let t: Node;
  try {
    t = g.conv2dTranspose(dy, w, { ...attrs, outputShape });
  } catch (e) {
    return { ok: false, outputShape, error: (e as Error).message, errorName: (e as Error).name };
  }
  const { dy: dyValues, w: wValues } = feedsOf(s, geometry.outShape);
  const feeds = { dy: dyValues, w: wValues };
  const gb = new Graph({ dtype: 'float64' });
  const b = gb.conv2dBackpropInput(gb.input('dy', geometry.outShape), gb.input('w', wShape), { ...attrs, inputShape: outputShape });
  const [tOut, bOut] = [await run({ t }, feeds), await run({ b }, feeds)];
  return { ok: true, outputShape, values: tOut.t, maxDiffVsBackpropInput: maxAbsDiff(tOut.t, bOut.b) };
}

/**
 * Which cells of the zero-padded input an output cell reads, computed by graft: the gradient of
 * a one-hot output at `(i, j)` through a VALID conv of the padded input with a filter whose taps
 * are numbered 1 … kh·kw, i.e. `conv2dBackpropInput(onehot, taps)`. A padded cell holds the
 * number of the tap that reads it (distinct taps read distinct cells), 0 where no tap does.
 */
export function receptiveFields(s: ExplainSetting): (i: number, j: number) => Promise<Tensor> {
  const geometry = convGeometry('conv2d', s.x, filterShape(s), s.strides, s.padding, s.dilations);
  const [pt, pb, pl, pr] = geometry.pads;
  const padded = [1, s.x[1] + pt + pb, s.x[2] + pl + pr, 1];
  const g = new Graph({ dtype: 'float64' });
  const onehot = g.input('onehot', [1, geometry.outH, geometry.outW, 1]);
  const taps = g.input('taps', [s.kernel[0], s.kernel[1], 1, 1]);
  const reads = g.conv2dBackpropInput(onehot, taps, { strides: s.strides, dilations: s.dilations, padding: 'VALID', inputShape: padded });
  const program = compile({ reads }, { backend: cpu() });
  const feeds = { onehot: new Float64Array(geometry.outH * geometry.outW), taps: Float64Array.from({ length: s.kernel[0] * s.kernel[1] }, (_, k) => k + 1) };
  return async (i, j) => {
    feeds.onehot.fill(0);
    feeds.onehot[i * geometry.outW + j] = 1;
    const out = await program.run(feeds);
    return { shape: padded, values: Float64Array.from(out.reads!) };
  };
}
