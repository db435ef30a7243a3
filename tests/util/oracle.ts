/**
 * Independent reference implementations ("oracles"), written from the definitions in
 * docs/semantics.md and TensorFlow's documentation, as plain loops over float64. They share no
 * code with graft: padding and output sizes are recomputed here, and the two conv
 * gradients are written as their own scatter / sum formulas, not as the adjoint of the
 * forward oracle.
 */
import { fmtDims, ravel, sizeOfDims, stridesOfDims, unravel, zeros, type Dims, type Tensor } from './tensor.ts';

export type PaddingSpec = 'SAME' | 'VALID' | readonly [readonly [number, number], readonly [number, number]];
export type PairSpec = number | readonly number[];

export function toPair(v: PairSpec | undefined, dflt: PairSpec = 1): [number, number] {
  const p = v ?? dflt;
  if (typeof p === 'number') return [p, p];
  return [p[0]!, p[1]!];
}

// ── conv geometry (TensorFlow's rules, recomputed) ─────────────────────────────

/** One spatial axis of a conv or pool. */
export interface RefAxis {
  readonly in: number;
  readonly k: number;
  readonly s: number;
  readonly d: number;
  /** `(k − 1)·d + 1` */
  readonly keff: number;
  readonly before: number;
  readonly after: number;
  /** `floor((in + before + after − keff) / s) + 1` */
  readonly out: number;
  /** Input rows never read: `(in + before + after − keff) mod s`. */
  readonly unread: number;
}

/**
 * One axis; undefined when the effective kernel exceeds the padded input. SAME is TF's:
 * `out = ceil(in/s)`, `total = max((out − 1)·s + keff − in, 0)`, `before = floor(total/2)`.
 */
export function refAxis(inSize: number, k: number, s: number, d: number, padding: PaddingSpec, axis: 0 | 1): RefAxis | undefined {
  const keff = (k - 1) * d + 1;
  let before = 0;
  let after = 0;
  if (padding === 'SAME') {
    const out = Math.ceil(inSize / s);
    const total = Math.max((out - 1) * s + keff - inSize, 0);
    before = Math.floor(total / 2);
    after = total - before;
  } else if (padding !== 'VALID') {
    [before, after] = padding[axis];
  }
  const span = inSize + before + after - keff;
  if (span < 0) return undefined;
  return { in: inSize, k, s, d, keff, before, after, out: Math.floor(span / s) + 1, unread: span % s };
}

export interface RefConv {
  readonly n: number;
  readonly cin: number;
  readonly cout: number;
  readonly groups: number;
  readonly h: RefAxis;
  readonly w: RefAxis;
  /** `[n, oh, ow, cout]` */
  readonly outShape: Dims;
}

/**
 * Geometry of conv2d(x, w) with `groups` (x channels = groups · w in-channels, w out-channels
 * a multiple of groups); throws a plain Error for an invalid configuration.
 */
export function refConvGeometry(x: Dims, w: Dims, strides: PairSpec | undefined, padding: PaddingSpec, dilations: PairSpec | undefined, groups = 1): RefConv {
  const [sh, sw] = toPair(strides);
  const [dh, dw] = toPair(dilations);
  if (x.length !== 4 || w.length !== 4 || x[3] !== w[2]! * groups || w[3]! % groups !== 0) {
    throw new Error(`oracle: bad conv shapes x ${fmtDims(x)} w ${fmtDims(w)} groups ${groups}`);
  }
  const h = refAxis(x[1]!, w[0]!, sh, dh, padding, 0);
  const ww = refAxis(x[2]!, w[1]!, sw, dw, padding, 1);
  if (h === undefined || ww === undefined) throw new Error(`oracle: kernel exceeds padded input, x ${fmtDims(x)} w ${fmtDims(w)}`);
  return { n: x[0]!, cin: x[3]!, cout: w[3]!, groups, h, w: ww, outShape: [x[0]!, h.out, ww.out, w[3]!] };
}

function checkShape(what: string, actual: Dims, expected: Dims): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new Error(`oracle: ${what} shape ${fmtDims(actual)} must be ${fmtDims(expected)}`);
  }
}

/**
 * `y[n,i,j,co] = Σ_{a,b,ci} x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, k·cg + ci] · w[a,b,ci,co]`,
 * out-of-range x is 0; cg = w's in-channels, k = ⌊co / (cout / groups)⌋ the group of co.
 */
export function refConv2d(x: Tensor, w: Tensor, strides: PairSpec | undefined, padding: PaddingSpec, dilations: PairSpec | undefined, groups = 1): Tensor {
  const g = refConvGeometry(x.shape, w.shape, strides, padding, dilations, groups);
  const [, H, W, CX] = x.shape as [number, number, number, number];
  const [KH, KW, C, CO] = w.shape as [number, number, number, number];
  const perGroup = CO / groups;
  const y = zeros(g.outShape);
  for (let n = 0; n < g.n; n++)
    for (let i = 0; i < g.h.out; i++)
      for (let j = 0; j < g.w.out; j++)
        for (let co = 0; co < CO; co++) {
          let acc = 0;
          for (let a = 0; a < KH; a++) {
            const p = i * g.h.s + a * g.h.d - g.h.before;
            if (p < 0 || p >= H) continue;
            for (let b = 0; b < KW; b++) {
              const q = j * g.w.s + b * g.w.d - g.w.before;
              if (q < 0 || q >= W) continue;
              for (let ci = 0; ci < C; ci++) {
                acc += x.data[((n * H + p) * W + q) * CX + Math.floor(co / perGroup) * C + ci]! * w.data[((a * KW + b) * C + ci) * CO + co]!;
              }
            }
          }
          y.data[((n * g.h.out + i) * g.w.out + j) * CO + co] = acc;
        }
  return y;
}

/**
 * d(loss)/dx as a scatter: every `dy[n,i,j,co]` adds `dy · w[a,b,ci,co]` to
 * `dx[n, i·sh + a·dh − pt, j·sw + b·dw − pl, ci]` when that position is inside x.
 */
export function refBackpropInput(
  dy: Tensor,
  w: Tensor,
  inputShape: Dims,
  strides: PairSpec | undefined,
  padding: PaddingSpec,
  dilations: PairSpec | undefined,
  groups = 1,
): Tensor {
  const g = refConvGeometry(inputShape, w.shape, strides, padding, dilations, groups);
  checkShape('dy', dy.shape, g.outShape);
  const [, H, W, CX] = inputShape as [number, number, number, number];
  const [KH, KW, C, CO] = w.shape as [number, number, number, number];
  const perGroup = CO / groups;
  const dx = zeros(inputShape);
  for (let n = 0; n < g.n; n++)
    for (let i = 0; i < g.h.out; i++)
      for (let j = 0; j < g.w.out; j++)
        for (let co = 0; co < CO; co++) {
          const v = dy.data[((n * g.h.out + i) * g.w.out + j) * CO + co]!;
          for (let a = 0; a < KH; a++)
            for (let b = 0; b < KW; b++) {
              const p = i * g.h.s + a * g.h.d - g.h.before;
              const q = j * g.w.s + b * g.w.d - g.w.before;
              if (p < 0 || p >= H || q < 0 || q >= W) continue;
              for (let ci = 0; ci < C; ci++) {
                dx.data[((n * H + p) * W + q) * CX + Math.floor(co / perGroup) * C + ci]! += v * w.data[((a * KW + b) * C + ci) * CO + co]!;
              }
            }
        }
  return dx;
}

/** `dw[a,b,ci,co] = Σ_{n,i,j} x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, ci] · dy[n,i,j,co]`. */
export function refBackpropFilter(
  x: Tensor,
  dy: Tensor,
  filterShape: Dims,
  strides: PairSpec | undefined,
  padding: PaddingSpec,
  dilations: PairSpec | undefined,
  groups = 1,
): Tensor {
  const g = refConvGeometry(x.shape, filterShape, strides, padding, dilations, groups);
  checkShape('dy', dy.shape, g.outShape);
  const [N, H, W, CX] = x.shape as [number, number, number, number];
  const [KH, KW, C, CO] = filterShape as [number, number, number, number];
  const perGroup = CO / groups;
  const dw = zeros(filterShape);
  for (let a = 0; a < KH; a++)
    for (let b = 0; b < KW; b++)
      for (let ci = 0; ci < C; ci++)
        for (let co = 0; co < CO; co++) {
          let acc = 0;
          for (let n = 0; n < N; n++)
            for (let i = 0; i < g.h.out; i++) {
              const p = i * g.h.s + a * g.h.d - g.h.before;
              if (p < 0 || p >= H) continue;
              for (let j = 0; j < g.w.out; j++) {
                const q = j * g.w.s + b * g.w.d - g.w.before;
                if (q < 0 || q >= W) continue;
                acc += x.data[((n * H + p) * W + q) * CX + Math.floor(co / perGroup) * C + ci]! * dy.data[((n * g.h.out + i) * g.w.out + j) * CO + co]!;
              }
            }
          dw.data[((a * KW + b) * C + ci) * CO + co] = acc;
        }
  return dw;
}

// ── depthwise conv (tf.nn.depthwise_conv2d), from its own definition ──────────

/** Geometry of depthwise_conv2d(x, w), w `[kh, kw, c, m]`: the output has c·m channels. */
export function refDepthwiseGeometry(x: Dims, w: Dims, strides: PairSpec | undefined, padding: PaddingSpec, dilations: PairSpec | undefined): RefConv {
  if (x.length !== 4 || w.length !== 4 || x[3] !== w[2]) throw new Error(`oracle: bad depthwise shapes x ${fmtDims(x)} w ${fmtDims(w)}`);
  const [sh, sw] = toPair(strides);
  const [dh, dw] = toPair(dilations);
  const h = refAxis(x[1]!, w[0]!, sh, dh, padding, 0);
  const ww = refAxis(x[2]!, w[1]!, sw, dw, padding, 1);
  if (h === undefined || ww === undefined) throw new Error(`oracle: kernel exceeds padded input, x ${fmtDims(x)} w ${fmtDims(w)}`);
  const cout = x[3]! * w[3]!;
  return { n: x[0]!, cin: x[3]!, cout, groups: x[3]!, h, w: ww, outShape: [x[0]!, h.out, ww.out, cout] };
}

/** `y[n, i, j, c·m + k] = Σ_{a, b} x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, c] · w[a, b, c, k]`. */
export function refDepthwiseConv2d(x: Tensor, w: Tensor, strides: PairSpec | undefined, padding: PaddingSpec, dilations: PairSpec | undefined): Tensor {
  const g = refDepthwiseGeometry(x.shape, w.shape, strides, padding, dilations);
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const [KH, KW, , M] = w.shape as [number, number, number, number];
  const y = zeros(g.outShape);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < g.h.out; i++)
      for (let j = 0; j < g.w.out; j++)
        for (let c = 0; c < C; c++)
          for (let k = 0; k < M; k++) {
            let acc = 0;
            for (let a = 0; a < KH; a++)
              for (let b = 0; b < KW; b++) {
                const p = i * g.h.s + a * g.h.d - g.h.before;
                const q = j * g.w.s + b * g.w.d - g.w.before;
                if (p < 0 || p >= H || q < 0 || q >= W) continue;
                acc += x.data[((n * H + p) * W + q) * C + c]! * w.data[((a * KW + b) * C + c) * M + k]!;
              }
            y.data[((n * g.h.out + i) * g.w.out + j) * C * M + c * M + k] = acc;
          }
  return y;
}

/** `dx[n, p, q, c] = Σ dy[n, i, j, c·m + k] · w[a, b, c, k]` over the (i, a), (j, b) with p = i·sh + a·dh − pt, q = j·sw + b·dw − pl. */
export function refDepthwiseBackpropInput(dy: Tensor, w: Tensor, inputShape: Dims, strides: PairSpec | undefined, padding: PaddingSpec, dilations: PairSpec | undefined): Tensor {
  const g = refDepthwiseGeometry(inputShape, w.shape, strides, padding, dilations);
  checkShape('dy', dy.shape, g.outShape);
  const [N, H, W, C] = inputShape as [number, number, number, number];
  const [KH, KW, , M] = w.shape as [number, number, number, number];
  const dx = zeros(inputShape);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < g.h.out; i++)
      for (let j = 0; j < g.w.out; j++)
        for (let a = 0; a < KH; a++)
          for (let b = 0; b < KW; b++) {
            const p = i * g.h.s + a * g.h.d - g.h.before;
            const q = j * g.w.s + b * g.w.d - g.w.before;
            if (p < 0 || p >= H || q < 0 || q >= W) continue;
            for (let c = 0; c < C; c++)
              for (let k = 0; k < M; k++) {
                dx.data[((n * H + p) * W + q) * C + c]! += dy.data[((n * g.h.out + i) * g.w.out + j) * C * M + c * M + k]! * w.data[((a * KW + b) * C + c) * M + k]!;
              }
          }
  return dx;
}

/** `dw[a, b, c, k] = Σ_{n, i, j} x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, c] · dy[n, i, j, c·m + k]`. */
export function refDepthwiseBackpropFilter(x: Tensor, dy: Tensor, filterShape: Dims, strides: PairSpec | undefined, padding: PaddingSpec, dilations: PairSpec | undefined): Tensor {
  const g = refDepthwiseGeometry(x.shape, filterShape, strides, padding, dilations);
  checkShape('dy', dy.shape, g.outShape);
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const [KH, KW, , M] = filterShape as [number, number, number, number];
  const dw = zeros(filterShape);
  for (let a = 0; a < KH; a++)
    for (let b = 0; b < KW; b++)
      for (let c = 0; c < C; c++)
        for (let k = 0; k < M; k++) {
          let acc = 0;
          for (let n = 0; n < N; n++)
            for (let i = 0; i < g.h.out; i++)
              for (let j = 0; j < g.w.out; j++) {
                const p = i * g.h.s + a * g.h.d - g.h.before;
                const q = j * g.w.s + b * g.w.d - g.w.before;
                if (p < 0 || p >= H || q < 0 || q >= W) continue;
                acc += x.data[((n * H + p) * W + q) * C + c]! * dy.data[((n * g.h.out + i) * g.w.out + j) * C * M + c * M + k]!;
              }
          dw.data[((a * KW + b) * C + c) * M + k] = acc;
        }
  return dw;
}

/** `tf.concat(xs, axis)`: element by element, each output index taken from the operand whose slab holds it. */
export function refConcat(xs: readonly Tensor[], axis = -1): Tensor {
  const rank = xs[0]!.shape.length;
  const ax = axis < 0 ? axis + rank : axis;
  const shape = xs[0]!.shape.map((d, i) => (i === ax ? xs.reduce((s, x) => s + x.shape[ax]!, 0) : d));
  const y = zeros(shape);
  for (let f = 0; f < y.data.length; f++) {
    const idx = unravel(f, shape);
    let t = idx[ax]!;
    let k = 0;
    while (t >= xs[k]!.shape[ax]!) t -= xs[k++]!.shape[ax]!;
    const src = [...idx];
    src[ax] = t;
    y.data[f] = xs[k]!.data[ravel(src, xs[k]!.shape)]!;
  }
  return y;
}

/**
 * `tf.nn.max_pool2d` / `avg_pool2d` (NHWC): the max, or the mean over the in-bounds
 * elements (padding is never counted), of each window.
 */
export function refPool(
  kind: 'max' | 'avg',
  x: Tensor,
  ksize: PairSpec,
  strides: PairSpec | undefined,
  padding: PaddingSpec | undefined,
): Tensor {
  const [kh, kw] = toPair(ksize);
  const [sh, sw] = toPair(strides, ksize);
  const pad = padding ?? 'VALID';
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const gh = refAxis(H, kh, sh, 1, pad, 0);
  const gw = refAxis(W, kw, sw, 1, pad, 1);
  if (gh === undefined || gw === undefined) throw new Error('oracle: pool window exceeds padded input');
  const y = zeros([N, gh.out, gw.out, C]);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < gh.out; i++)
      for (let j = 0; j < gw.out; j++)
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let sum = 0;
          let count = 0;
          for (let a = 0; a < kh; a++)
            for (let b = 0; b < kw; b++) {
              const p = i * sh + a - gh.before;
              const q = j * sw + b - gw.before;
              if (p < 0 || p >= H || q < 0 || q >= W) continue;
              const v = x.data[((n * H + p) * W + q) * C + c]!;
              best = Math.max(best, v);
              sum += v;
              count++;
            }
          if (count === 0) throw new Error('oracle: a pool window holds no input element');
          y.data[((n * gh.out + i) * gw.out + j) * C + c] = kind === 'max' ? best : sum / count;
        }
  return y;
}

// ── elementwise, reductions, layout ────────────────────────────────────────────

export function refUnary(x: Tensor, f: (v: number) => number): Tensor {
  return { shape: [...x.shape], data: x.data.map(f) };
}

/** NumPy broadcasting, by aligning multi-indices at the last axis. */
export function broadcastDims(a: Dims, b: Dims): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[i - (rank - a.length)] ?? 1;
    const db = b[i - (rank - b.length)] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`oracle: ${fmtDims(a)} and ${fmtDims(b)} do not broadcast`);
    out.push(Math.max(da, db));
  }
  return out;
}

/** Index into a broadcast operand of shape `from` for output multi-index `idx`. */
function broadcastIndex(idx: readonly number[], from: Dims): number {
  const lead = idx.length - from.length;
  let flat = 0;
  for (let i = 0; i < from.length; i++) flat = flat * from[i]! + (from[i] === 1 ? 0 : idx[lead + i]!);
  return flat;
}

export function refBinary(a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  const shape = broadcastDims(a.shape, b.shape);
  const y = zeros(shape);
  for (let k = 0; k < y.data.length; k++) {
    const idx = unravel(k, shape);
    y.data[k] = f(a.data[broadcastIndex(idx, a.shape)]!, b.data[broadcastIndex(idx, b.shape)]!);
  }
  return y;
}

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** `tf.reduce_sum` / `reduce_mean` / `reduce_max`; all axes when `axes` is undefined. */
export function refReduce(kind: 'sum' | 'mean' | 'max', x: Tensor, axes: readonly number[] | undefined, keepDims = false): Tensor {
  const rank = x.shape.length;
  const reduced = new Set((axes ?? [...Array(rank).keys()]).map((a) => normAxis(a, rank)));
  const keptShape = x.shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const acc = new Float64Array(sizeOfDims(keptShape)).fill(kind === 'max' ? -Infinity : 0);
  let count = 1;
  for (const a of reduced) count *= x.shape[a]!;
  for (let k = 0; k < x.data.length; k++) {
    const idx = unravel(k, x.shape).map((v, i) => (reduced.has(i) ? 0 : v));
    const o = ravel(idx, keptShape);
    acc[o] = kind === 'max' ? Math.max(acc[o]!, x.data[k]!) : acc[o]! + x.data[k]!;
  }
  if (kind === 'mean') for (let o = 0; o < acc.length; o++) acc[o]! /= count;
  return { shape: keepDims ? keptShape : x.shape.filter((_, i) => !reduced.has(i)), data: acc };
}

/** softmax / logSoftmax along one axis, with the max subtracted as TF does. */
export function refSoftmax(x: Tensor, axis: number | undefined, log: boolean): Tensor {
  const rank = x.shape.length;
  const ax = normAxis(axis ?? -1, rank);
  const len = x.shape[ax]!;
  const step = stridesOfDims(x.shape)[ax]!;
  const y = zeros(x.shape);
  for (let k = 0; k < x.data.length; k++) {
    if (unravel(k, x.shape)[ax] !== 0) continue;
    let m = -Infinity;
    for (let t = 0; t < len; t++) m = Math.max(m, x.data[k + t * step]!);
    let s = 0;
    for (let t = 0; t < len; t++) s += Math.exp(x.data[k + t * step]! - m);
    for (let t = 0; t < len; t++) {
      const z = x.data[k + t * step]! - m;
      y.data[k + t * step] = log ? z - Math.log(s) : Math.exp(z) / s;
    }
  }
  return y;
}

/** Same row-major data, new shape (one −1 inferred). */
export function refReshape(x: Tensor, shape: Dims): Tensor {
  const known = shape.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  const out = shape.map((d) => (d === -1 ? x.data.length / known : d));
  if (sizeOfDims(out) !== x.data.length) throw new Error('oracle: reshape changes the element count');
  return { shape: out, data: x.data.slice() };
}

/** `y.shape[k] = x.shape[perm[k]]`, `y[i₀, …] = x[j]` with `j[perm[k]] = i[k]`; default perm reverses. */
export function refTranspose(x: Tensor, perm: readonly number[] | undefined): Tensor {
  const rank = x.shape.length;
  const p = perm ?? [...Array(rank).keys()].reverse();
  const shape = p.map((a) => x.shape[a]!);
  const y = zeros(shape);
  for (let k = 0; k < y.data.length; k++) {
    const yi = unravel(k, shape);
    const xi = new Array<number>(rank);
    for (let t = 0; t < rank; t++) xi[p[t]!] = yi[t]!;
    y.data[k] = x.data[ravel(xi, x.shape)]!;
  }
  return y;
}

export function refReverse(x: Tensor, axes: readonly number[]): Tensor {
  const rank = x.shape.length;
  const rev = new Set(axes.map((a) => normAxis(a, rank)));
  const y = zeros(x.shape);
  for (let k = 0; k < y.data.length; k++) {
    const xi = unravel(k, x.shape).map((v, i) => (rev.has(i) ? x.shape[i]! - 1 - v : v));
    y.data[k] = x.data[ravel(xi, x.shape)]!;
  }
  return y;
}

/** `y[i] = x[i − before]` where in range, else 0; negative amounts crop. */
export function refPad(x: Tensor, pads: readonly (readonly [number, number])[]): Tensor {
  const shape = x.shape.map((d, i) => d + pads[i]![0] + pads[i]![1]);
  const y = zeros(shape);
  for (let k = 0; k < y.data.length; k++) {
    const xi = unravel(k, shape).map((v, i) => v - pads[i]![0]);
    if (xi.every((v, i) => v >= 0 && v < x.shape[i]!)) y.data[k] = x.data[ravel(xi, x.shape)]!;
  }
  return y;
}

/** `y[n, i·rh, j·rw, c] = x[n, i, j, c]`, zero elsewhere. */
export function refDilate(x: Tensor, rates: PairSpec): Tensor {
  const [rh, rw] = toPair(rates);
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const shape = [N, (H - 1) * rh + 1, (W - 1) * rw + 1, C];
  const y = zeros(shape);
  for (let k = 0; k < x.data.length; k++) {
    const [n, i, j, c] = unravel(k, x.shape) as [number, number, number, number];
    y.data[ravel([n, i * rh, j * rw, c], shape)] = x.data[k]!;
  }
  return y;
}

/** `c[…, i, j] = Σ_k a[…, i, k] · b[…, k, j]`, batch axes broadcast. */
export function refMatmul(a: Tensor, b: Tensor): Tensor {
  const m = a.shape[a.shape.length - 2]!;
  const kk = a.shape[a.shape.length - 1]!;
  const n = b.shape[b.shape.length - 1]!;
  if (b.shape[b.shape.length - 2] !== kk) throw new Error('oracle: matmul inner sizes differ');
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const batch = broadcastDims(aBatch, bBatch);
  const shape = [...batch, m, n];
  const y = zeros(shape);
  for (let t = 0; t < sizeOfDims(batch); t++) {
    const bi = unravel(t, batch);
    const ao = broadcastIndex(bi, aBatch) * m * kk;
    const bo = broadcastIndex(bi, bBatch) * kk * n;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let k = 0; k < kk; k++) acc += a.data[ao + i * kk + k]! * b.data[bo + k * n + j]!;
        y.data[t * m * n + i * n + j] = acc;
      }
  }
  return y;
}

/** `y[…, c] = x[…, c] + b[c]`. */
export function refBiasAdd(x: Tensor, b: Tensor): Tensor {
  const c = b.data.length;
  return { shape: [...x.shape], data: x.data.map((v, k) => v + b.data[k % c]!) };
}

/** `tf.broadcast_to`: `y[idx] = x[idx aligned at the last axis, size-1 axes at 0]`. */
export function refBroadcastTo(x: Tensor, shape: Dims): Tensor {
  const y = zeros(shape);
  for (let k = 0; k < y.data.length; k++) y.data[k] = x.data[broadcastIndex(unravel(k, shape), x.shape)]!;
  return y;
}

/**
 * Flat x positions of each window's argmax, indexed like the pooled output: the first
 * maximum in row-major window order over in-bounds elements (TensorFlow's CPU kernels).
 */
export function refArgmaxes(x: Tensor, ksize: PairSpec, strides: PairSpec | undefined, padding: PaddingSpec | undefined): { shape: Dims; at: Int32Array } {
  const [kh, kw] = toPair(ksize);
  const [sh, sw] = toPair(strides, ksize);
  const pad = padding ?? 'VALID';
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const gh = refAxis(H, kh, sh, 1, pad, 0)!;
  const gw = refAxis(W, kw, sw, 1, pad, 1)!;
  const shape = [N, gh.out, gw.out, C];
  const at = new Int32Array(sizeOfDims(shape)).fill(-1);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < gh.out; i++)
      for (let j = 0; j < gw.out; j++)
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let arg = -1;
          for (let a = 0; a < kh; a++)
            for (let b = 0; b < kw; b++) {
              const p = i * sh + a - gh.before;
              const q = j * sw + b - gw.before;
              if (p < 0 || p >= H || q < 0 || q >= W) continue;
              const k = ((n * H + p) * W + q) * C + c;
              if (arg < 0 || x.data[k]! > best) {
                best = x.data[k]!;
                arg = k;
              }
            }
          at[((n * gh.out + i) * gw.out + j) * C + c] = arg;
        }
  return { shape, at };
}

/** maxPoolGrad(x, dy): `dx[argmax of window o] += dy[o]`. */
export function refMaxPoolGrad(x: Tensor, dy: Tensor, ksize: PairSpec, strides: PairSpec | undefined, padding: PaddingSpec | undefined): Tensor {
  const { shape, at } = refArgmaxes(x, ksize, strides, padding);
  checkShape('dy', dy.shape, shape);
  const dx = zeros(x.shape);
  at.forEach((k, o) => {
    dx.data[k]! += dy.data[o]!;
  });
  return dx;
}

/** maxPoolGradGrad(x, ddx): `y[o] = ddx[argmax of window o]`. */
export function refMaxPoolGradGrad(x: Tensor, ddx: Tensor, ksize: PairSpec, strides: PairSpec | undefined, padding: PaddingSpec | undefined): Tensor {
  const { shape, at } = refArgmaxes(x, ksize, strides, padding);
  checkShape('ddx', ddx.shape, x.shape);
  const y = zeros(shape);
  at.forEach((k, o) => {
    y.data[o] = ddx.data[k]!;
  });
  return y;
}
