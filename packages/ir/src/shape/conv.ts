import { AttrError, ShapeError, fmtShape } from '../errors.ts';
import { checkRank, type Shape } from './shape.ts';

/**
 * Conv geometry, computed once into one record that ops, kernels, rules and error
 * messages all read. Semantics are TensorFlow's `tf.nn.conv2d`:
 *
 *     y[n, i, j, co] = Σ_{a, b, ci} x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, ci] · w[a, b, ci, co]
 */

/** Explicit padding `[[top, bottom], [left, right]]`. */
export type ExplicitPadding = readonly [readonly [number, number], readonly [number, number]];
/** `'SAME'` (TensorFlow's asymmetric rule), `'VALID'`, or explicit amounts. */
export type Padding = 'SAME' | 'VALID' | ExplicitPadding;
/** A per-axis pair `[h, w]`, or one number for both. */
export type PairLike = number | readonly [number, number] | readonly number[];
export type Pair = readonly [number, number];

/** Normalises strides or dilations to a positive-integer pair. */
export function normalizePair(op: string, name: string, v: unknown): Pair {
  const pair = typeof v === 'number' ? [v, v] : v;
  if (
    !Array.isArray(pair) ||
    pair.length !== 2 ||
    !pair.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 1)
  ) {
    throw new AttrError(op, `${name} must be a positive integer or a pair of positive integers`, { [name]: v });
  }
  return Object.freeze([pair[0] as number, pair[1] as number]);
}

/** Validates a padding attr: `'SAME'`, `'VALID'` or `[[t, b], [l, r]]` of non-negative integers. */
export function normalizePadding(op: string, p: unknown): Padding {
  if (p === 'SAME' || p === 'VALID') return p;
  if (typeof p === 'string') {
    throw new AttrError(op, `padding must be 'SAME', 'VALID' or [[top, bottom], [left, right]]`, { padding: p });
  }
  const ok =
    Array.isArray(p) &&
    p.length === 2 &&
    p.every((q) => Array.isArray(q) && q.length === 2 && q.every((d) => typeof d === 'number' && Number.isSafeInteger(d)));
  if (!ok) {
    throw new AttrError(op, `padding must be 'SAME', 'VALID' or [[top, bottom], [left, right]] of integers`, {
      padding: p,
    });
  }
  const q = p as number[][];
  if (q.flat().some((d) => d < 0)) {
    throw new AttrError(op, 'explicit padding must be non-negative', { padding: p });
  }
  return Object.freeze([Object.freeze([q[0]![0]!, q[0]![1]!]), Object.freeze([q[1]![0]!, q[1]![1]!])]) as ExplicitPadding;
}

/** Effective extent of a dilated kernel: `(k − 1)·d + 1`. */
export function effectiveSize(k: number, d: number): number {
  return (k - 1) * d + 1;
}

/** Padding and output size along one spatial axis. */
export interface AxisGeometry {
  readonly in: number;
  readonly k: number;
  readonly stride: number;
  readonly dilation: number;
  /** `(k − 1)·d + 1` */
  readonly keff: number;
  readonly before: number;
  readonly after: number;
  readonly out: number;
  /** Input rows the forward pass never reads: `(in + before + after − keff) mod s`. */
  readonly unread: number;
}

/**
 * One spatial axis. SAME follows TensorFlow: `out = ceil(in / s)`,
 * `total = max((out − 1)·s + keff − in, 0)`, `before = floor(total / 2)`, the odd extra after.
 * Returns undefined for `out` < 1 (kernel larger than the padded input); callers throw.
 */
export function axisGeometry(
  inSize: number,
  k: number,
  stride: number,
  dilation: number,
  padding: 'SAME' | 'VALID' | readonly [number, number],
): AxisGeometry | undefined {
  const keff = effectiveSize(k, dilation);
  let before: number;
  let after: number;
  if (padding === 'SAME') {
    const out = Math.ceil(inSize / stride);
    const total = Math.max((out - 1) * stride + keff - inSize, 0);
    before = Math.floor(total / 2);
    after = total - before;
  } else if (padding === 'VALID') {
    before = 0;
    after = 0;
  } else {
    [before, after] = padding;
  }
  const span = inSize + before + after - keff;
  if (span < 0) return undefined;
  const out = Math.floor(span / stride) + 1;
  return { in: inSize, k, stride, dilation, keff, before, after, out, unread: span % stride };
}

/**
 * Full geometry of a 2-D convolution (NHWC input, HWIO filter), grouped as TensorFlow's and
 * XLA's `feature_group_count`: the input channels are `groups` contiguous runs of
 * `groupInC`, the output channels `groups` runs of `groupOutC`, and output channel
 * `co` of group `⌊co / groupOutC⌋ = k` reads only input channels `k·groupInC …`:
 *
 *     y[n, i, j, co] = Σ_{a, b, ci < groupInC} x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, k·groupInC + ci] · w[a, b, ci, co]
 *
 * The filter is `[kh, kw, groupInC, outC]`; `groups` = 1 is the plain conv.
 */
export interface ConvGeometry {
  readonly batch: number;
  readonly inH: number;
  readonly inW: number;
  /** Channels of x (all groups). */
  readonly inC: number;
  readonly kh: number;
  readonly kw: number;
  /** Channels of y (all groups). */
  readonly outC: number;
  readonly groups: number;
  /** Input channels per group: the filter's in-channels, `inC / groups`. */
  readonly groupInC: number;
  /** Output channels per group, `outC / groups`. */
  readonly groupOutC: number;
  readonly outH: number;
  readonly outW: number;
  readonly strides: Pair;
  readonly dilations: Pair;
  /** `[top, bottom, left, right]` actually applied. */
  readonly pads: readonly [number, number, number, number];
  readonly h: AxisGeometry;
  readonly w: AxisGeometry;
  /** `[batch, outH, outW, outC]` */
  readonly outShape: Shape;
  readonly inShape: Shape;
  readonly filterShape: Shape;
}

function axisPadding(padding: Padding, axis: 0 | 1): 'SAME' | 'VALID' | readonly [number, number] {
  return padding === 'SAME' || padding === 'VALID' ? padding : padding[axis];
}

/** Validates a `groups` attr: a positive integer. */
export function normalizeGroups(op: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    throw new AttrError(op, 'groups must be a positive integer', { groups: v });
  }
  return v;
}

/**
 * Geometry of `conv2d(x, w)` for x `[n, h, w, cin]` and w `[kh, kw, cin / groups, cout]`.
 * Throws ShapeError for rank, channel and size violations.
 */
export function convGeometry(
  op: string,
  xShape: Shape,
  wShape: Shape,
  strides: Pair,
  padding: Padding,
  dilations: Pair,
  names: { x: string; w: string } = { x: 'x', w: 'w' },
  groups = 1,
): ConvGeometry {
  checkRank(op, names.x, xShape, 4);
  checkRank(op, names.w, wShape, 4);
  const [batch, inH, inW, inC] = xShape as [number, number, number, number];
  const [kh, kw, wIn, outC] = wShape as [number, number, number, number];
  const context = `${names.x} ${fmtShape(xShape)}, ${names.w} ${fmtShape(wShape)}${groups === 1 ? '' : `, groups ${groups}`}`;
  const shapes = { [names.x]: xShape, [names.w]: wShape, groups };
  if (groups === 1 && inC !== wIn) {
    throw new ShapeError(op, `${names.x} channels (${inC}) must equal ${names.w} in-channels (${wIn})`, shapes, context);
  }
  if (groups !== 1) {
    if (inC % groups !== 0) throw new ShapeError(op, `${names.x} channels (${inC}) must be divisible by groups (${groups})`, shapes, context);
    if (outC % groups !== 0) throw new ShapeError(op, `${names.w} out-channels (${outC}) must be divisible by groups (${groups})`, shapes, context);
    if (inC !== wIn * groups) {
      throw new ShapeError(op, `${names.x} channels (${inC}) must equal ${names.w} in-channels (${wIn}) × groups (${groups})`, shapes, context);
    }
  }
  const h = axisGeometry(inH, kh, strides[0], dilations[0], axisPadding(padding, 0));
  const w = axisGeometry(inW, kw, strides[1], dilations[1], axisPadding(padding, 1));
  for (const [g, axis, inSize, k, d] of [
    [h, 'height', inH, kh, dilations[0]],
    [w, 'width', inW, kw, dilations[1]],
  ] as const) {
    if (g === undefined) {
      const pad = axisPadding(padding, axis === 'height' ? 0 : 1);
      const padded = inSize + (Array.isArray(pad) ? pad[0] + pad[1] : 0);
      throw new ShapeError(
        op,
        `effective kernel ${axis} (${effectiveSize(k, d)} = (${k} − 1)·${d} + 1) must not exceed padded input ${axis} (${padded})`,
        { [names.x]: xShape, [names.w]: wShape, padding, dilations, effectiveKernel: effectiveSize(k, d), kernel: k, dilation: d, paddedInput: padded },
        `${names.x} ${fmtShape(xShape)}, ${names.w} ${fmtShape(wShape)}, padding ${JSON.stringify(padding)}, dilations [${dilations.join(',')}]`,
      );
    }
  }
  const hh = h!;
  const ww = w!;
  return {
    batch,
    inH,
    inW,
    inC,
    kh,
    kw,
    outC,
    groups,
    groupInC: inC / groups,
    groupOutC: outC / groups,
    outH: hh.out,
    outW: ww.out,
    strides,
    dilations,
    pads: [hh.before, hh.after, ww.before, ww.after],
    h: hh,
    w: ww,
    outShape: [batch, hh.out, ww.out, outC],
    inShape: xShape,
    filterShape: wShape,
  };
}

/**
 * Input sizes along one axis that a forward conv maps to `outSize`, as the range
 * `[from, to]` (empty when `from > to`). With stride > 1 several sizes map to the same output
 * (SAME, stride 2: 7 and 8 both give 4). Solving `out = ⌊(in + pads − keff) / s⌋ + 1` for `in`:
 *
 *     explicit, VALID:  (out − 1)·s + keff − pads  ≤  in  ≤  out·s + keff − pads − 1
 *     SAME (out = ⌈in / s⌉):  (out − 1)·s + 1  ≤  in  ≤  out·s
 *
 * and `in ≥ 1`; closed forms, so a stride of 10⁹ costs nothing.
 */
export function validInputRange(
  outSize: number,
  k: number,
  stride: number,
  dilation: number,
  padding: 'SAME' | 'VALID' | readonly [number, number],
): { readonly from: number; readonly to: number } {
  if (padding === 'SAME') return { from: Math.max(1, (outSize - 1) * stride + 1), to: outSize * stride };
  const pads = padding === 'VALID' ? 0 : padding[0] + padding[1];
  const keff = effectiveSize(k, dilation);
  return { from: Math.max(1, (outSize - 1) * stride + keff - pads), to: outSize * stride + keff - pads - 1 };
}

/** The sizes of `validInputRange` as a list (a stride's worth at most). */
export function validInputSizes(
  outSize: number,
  k: number,
  stride: number,
  dilation: number,
  padding: 'SAME' | 'VALID' | readonly [number, number],
): number[] {
  const { from, to } = validInputRange(outSize, k, stride, dilation, padding);
  const sizes: number[] = [];
  for (let n = from; n <= to; n++) sizes.push(n);
  return sizes;
}

/** The numbers `listRange` writes: every size of a short range, the ends of a long one. */
function rangeValues({ from, to }: { readonly from: number; readonly to: number }): number[] {
  if (from > to) return [];
  if (to - from >= 8) return [from, to];
  const sizes: number[] = [];
  for (let n = from; n <= to; n++) sizes.push(n);
  return sizes;
}

/** A range of sizes for a message: `none`, `7 or 8`, or `100 to 1099` when long. */
function listRange({ from, to }: { readonly from: number; readonly to: number }): string {
  if (from > to) return 'none';
  if (to - from >= 8) return `${from} to ${to}`;
  const sizes: number[] = [];
  for (let n = from; n <= to; n++) sizes.push(n);
  return sizes.join(' or ');
}

/**
 * Geometry of the transposed conv (`conv2dBackpropInput`, `conv2dTranspose`): checks
 * that the forward conv of `inputShape` with `w` has output shape `dyShape`; the error
 * lists the valid input sizes per axis.
 */
export function transposeGeometry(
  op: string,
  dyShape: Shape,
  wShape: Shape,
  inputShape: Shape,
  strides: Pair,
  padding: Padding,
  dilations: Pair,
  names: { dy: string; shape: string } = { dy: 'dy', shape: 'inputShape' },
  groups = 1,
): ConvGeometry {
  checkRank(op, names.dy, dyShape, 4);
  checkRank(op, 'w', wShape, 4);
  checkRank(op, names.shape, inputShape, 4);
  const [n, oh, ow, oc] = dyShape as [number, number, number, number];
  const [kh, kw, wIn, wOut] = wShape as [number, number, number, number];
  const [bn, ih, iw, ic] = inputShape as [number, number, number, number];
  const shapes = { [names.dy]: dyShape, w: wShape, [names.shape]: inputShape, groups };
  if (oc !== wOut) {
    throw new ShapeError(
      op,
      `${names.dy} channels (${oc}) must equal w out-channels (${wOut})`,
      shapes,
      `${names.dy} ${fmtShape(dyShape)}, w ${fmtShape(wShape)}`,
    );
  }
  if (bn !== n) {
    throw new ShapeError(
      op,
      `${names.shape} batch (${bn}) must equal ${names.dy} batch (${n})`,
      shapes,
      `${names.shape} ${fmtShape(inputShape)}, ${names.dy} ${fmtShape(dyShape)}`,
    );
  }
  if (ic !== wIn * groups) {
    throw new ShapeError(
      op,
      groups === 1
        ? `${names.shape} channels (${ic}) must equal w in-channels (${wIn})`
        : `${names.shape} channels (${ic}) must equal w in-channels (${wIn}) × groups (${groups})`,
      shapes,
      `${names.shape} ${fmtShape(inputShape)}, w ${fmtShape(wShape)}${groups === 1 ? '' : `, groups ${groups}`}`,
    );
  }
  const hOk = axisGeometry(ih, kh, strides[0], dilations[0], axisPadding(padding, 0))?.out === oh;
  const wOk = axisGeometry(iw, kw, strides[1], dilations[1], axisPadding(padding, 1))?.out === ow;
  if (!hOk || !wOk) {
    const hs = validInputRange(oh, kh, strides[0], dilations[0], axisPadding(padding, 0));
    const ws = validInputRange(ow, kw, strides[1], dilations[1], axisPadding(padding, 1));
    throw new ShapeError(
      op,
      `${names.shape} ${fmtShape(inputShape)} is not a size that conv2d maps to ${names.dy} ${fmtShape(dyShape)}; ` +
        `valid heights: ${listRange(hs)}; valid widths: ${listRange(ws)}`,
      { ...shapes, strides, padding, dilations, validHeights: rangeValues(hs), validWidths: rangeValues(ws) },
      `w ${fmtShape(wShape)}, strides [${strides.join(',')}], padding ${JSON.stringify(padding)}, dilations [${dilations.join(',')}]`,
    );
  }
  return convGeometry(op, inputShape, wShape, strides, padding, dilations, { x: names.shape, w: 'w' }, groups);
}

/**
 * Depthwise conv geometry (`tf.nn.depthwise_conv2d`): x `[n, h, w, c]`, w `[kh, kw, c, m]`,
 * `y[n, i, j, c·m + k] = Σ_{a, b} x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, c] · w[a, b, c, k]`.
 * That is the grouped conv with `groups = c` and the filter read as `[kh, kw, 1, c·m]`
 * (the same elements in the same order: `(c, k)` row-major is `c·m + k`), which is the
 * geometry returned, so every grouped-conv kernel computes it.
 */
export function depthwiseGeometry(
  op: string,
  xShape: Shape,
  wShape: Shape,
  strides: Pair,
  padding: Padding,
  dilations: Pair,
  names: { x: string; w: string } = { x: 'x', w: 'w' },
): ConvGeometry {
  checkRank(op, names.x, xShape, 4);
  checkRank(op, names.w, wShape, 4);
  const c = xShape[3]!;
  const [kh, kw, wc, m] = wShape as [number, number, number, number];
  if (wc !== c) {
    throw new ShapeError(op, `${names.x} channels (${c}) must equal ${names.w} in-channels (${wc})`, { [names.x]: xShape, [names.w]: wShape }, `${names.x} ${fmtShape(xShape)}, ${names.w} ${fmtShape(wShape)}`);
  }
  return convGeometry(op, xShape, [kh, kw, 1, c * m], strides, padding, dilations, names, c);
}

/** The grouped-conv filter shape `[kh, kw, 1, c·m]` of a depthwise filter `[kh, kw, c, m]` (same elements). */
export function depthwiseAsGroupedFilter(wShape: Shape): Shape {
  const [kh, kw, c, m] = wShape as [number, number, number, number];
  return [kh, kw, 1, c * m];
}

/** One group of a grouped conv as a conv of its own (`groupInC` in, `groupOutC` out, 1 group). */
export function groupGeometry(g: ConvGeometry): ConvGeometry {
  if (g.groups === 1) return g;
  const inShape = [g.batch, g.inH, g.inW, g.groupInC];
  const filterShape = [g.kh, g.kw, g.groupInC, g.groupOutC];
  return {
    ...g,
    inC: g.groupInC,
    outC: g.groupOutC,
    groups: 1,
    inShape,
    filterShape,
    outShape: [g.batch, g.outH, g.outW, g.groupOutC],
  };
}

/** Pooling geometry (NHWC, window `[kh, kw]`, no dilation), as `tf.nn.max_pool2d`. */
export function poolGeometry(op: string, xShape: Shape, ksize: Pair, strides: Pair, padding: Padding): ConvGeometry {
  checkRank(op, 'x', xShape, 4);
  const c = xShape[3]!;
  return convGeometry(op, xShape, [ksize[0], ksize[1], c, c], strides, padding, [1, 1]);
}

/** Throws unless `actual` equals `expected`; `context` names the shapes that determine `expected`. */
export function shapesEqualOrThrow(
  op: string,
  what: string,
  actual: Shape,
  expectedWhat: string,
  expected: Shape,
  context: Readonly<Record<string, Shape>>,
): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    const detail = Object.entries(context).map(([k, v]) => `${k} ${fmtShape(v)}`).join(', ');
    throw new ShapeError(op, `${what} shape ${fmtShape(actual)} must equal ${expectedWhat} ${fmtShape(expected)}`, { [what]: actual, expected, ...context }, detail);
  }
}
