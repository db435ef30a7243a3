/*
 * Depthwise convs (one input channel per group, TensorFlow's depthwise_conv2d): with C input
 * channels and multiplier M, output channel c·M + k reads only input channel c, through filter
 * entry w[a, b, c, k] (`[kh, kw, C, M]`, the same floats as the grouped filter
 * `[kh, kw, 1, C·M]`). There is no GEMM to form: every tap is an elementwise multiply-add along
 * the channels, vectorised over them (M = 1, the common case, lane for lane; M > 1 by channel).
 * Each function writes its own rows of the result, so chunks run on any thread in any order:
 *
 *     forward          y[n, i, j, c·M + k]  = Σ_{a, b}     x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, c] · w[a, b, c, k]
 *     backprop input   dx[n, p, q, c]       = Σ_{a, b, k}  dy[n, i, j, c·M + k] · w[a, b, c, k]   (i = (p + pt − a·dh) / sh, …)
 *     backprop filter  dw[a, b, c, k]       = Σ_{n, i, j}  x[n, i·sh + a·dh − pt, …, c] · dy[n, i, j, c·M + k]
 *
 * over the taps inside x (the input gradient: over the taps whose i and j are integers in range).
 */
import { Geometry } from './geometry';
import { madd } from './gemm';
import { zeroF32 } from './memory';

@unmanaged
class DepthwiseArgs extends Geometry {
  /** forward and filter: x; input: dy. */
  a: i32;
  /** forward and input: w; filter: dy. */
  b: i32;
  dst: i32;
  /** Result rows per chunk: y pixels (forward), dx pixels (input), filter taps (filter). */
  chunkRows: i32;
}

/** `out[t] += u[t]·v[t]` for t < c. */
@inline
function mulAddRow(out: usize, u: usize, v: usize, c: i32): void {
  let t = 0;
  for (; t + 4 <= c; t += 4) {
    const o = <usize>t << 2;
    v128.store(out + o, madd(v128.load(u + o), v128.load(v + o), v128.load(out + o)));
  }
  for (; t < c; t++) {
    const o = <usize>t << 2;
    store<f32>(out + o, load<f32>(out + o) + load<f32>(u + o) * load<f32>(v + o));
  }
}

/** `out[c·m + k] += x[c]·v[c·m + k]` (c < channels, k < m): an input row against a multiplied row. */
@inline
function spreadMulAdd(out: usize, x: usize, v: usize, channels: i32, m: i32): void {
  if (m === 1) {
    mulAddRow(out, x, v, channels);
    return;
  }
  const rowBytes = <usize>m << 2;
  for (let c = 0; c < channels; c++) {
    const s = load<f32>(x + (<usize>c << 2));
    const sv = f32x4.splat(s);
    const base = <usize>c * rowBytes;
    let k = 0;
    for (; k + 4 <= m; k += 4) {
      const o = base + (<usize>k << 2);
      v128.store(out + o, madd(sv, v128.load(v + o), v128.load(out + o)));
    }
    for (; k < m; k++) {
      const o = base + (<usize>k << 2);
      store<f32>(out + o, load<f32>(out + o) + s * load<f32>(v + o));
    }
  }
}

/** y rows of output pixels `[chunk·chunkRows, …)`. */
export function depthwiseForward(args: usize, chunk: i32, thread: i32): void {
  const g = changetype<DepthwiseArgs>(args);
  const cin = g.inC;
  const cout = g.outC;
  const m = cout / cin;
  const plane = g.outH * g.outW;
  const p0 = chunk * g.chunkRows;
  const p1 = min(g.batch * plane, p0 + g.chunkRows);
  const inRow = <usize>cin << 2;
  const outRow = <usize>cout << 2;
  for (let p = p0; p < p1; p++) {
    const n = p / plane;
    const rem = p - n * plane;
    const i = rem / g.outW;
    const j = rem - i * g.outW;
    const h0 = i * g.sh - g.pt;
    const w0 = j * g.sw - g.pl;
    const out = <usize>g.dst + <usize>p * outRow;
    zeroF32(out, cout);
    for (let a = 0; a < g.kh; a++) {
      const ih = h0 + a * g.dh;
      if (ih < 0 || ih >= g.inH) continue;
      for (let b = 0; b < g.kw; b++) {
        const iw = w0 + b * g.dw;
        if (iw < 0 || iw >= g.inW) continue;
        const xs = <usize>g.a + <usize>((n * g.inH + ih) * g.inW + iw) * inRow;
        const ws = <usize>g.b + <usize>(a * g.kw + b) * outRow;
        spreadMulAdd(out, xs, ws, cin, m);
      }
    }
  }
}

/** dx rows of input pixels `[chunk·chunkRows, …)`, each gathered from the dy pixels whose windows read it. */
export function depthwiseBackpropInput(args: usize, chunk: i32, thread: i32): void {
  const g = changetype<DepthwiseArgs>(args);
  const cin = g.inC;
  const cout = g.outC;
  const m = cout / cin;
  const plane = g.inH * g.inW;
  const p0 = chunk * g.chunkRows;
  const p1 = min(g.batch * plane, p0 + g.chunkRows);
  const inRow = <usize>cin << 2;
  const outRow = <usize>cout << 2;
  for (let p = p0; p < p1; p++) {
    const n = p / plane;
    const rem = p - n * plane;
    const r = rem / g.inW;
    const q = rem - r * g.inW;
    const out = <usize>g.dst + <usize>p * inRow;
    zeroF32(out, cin);
    for (let a = 0; a < g.kh; a++) {
      const ti = r + g.pt - a * g.dh;
      if (ti < 0) break;
      const i = ti / g.sh;
      if (i * g.sh !== ti || i >= g.outH) continue;
      for (let b = 0; b < g.kw; b++) {
        const tj = q + g.pl - b * g.dw;
        if (tj < 0) break;
        const j = tj / g.sw;
        if (j * g.sw !== tj || j >= g.outW) continue;
        const dys = <usize>g.a + <usize>((n * g.outH + i) * g.outW + j) * outRow;
        const ws = <usize>g.b + <usize>(a * g.kw + b) * outRow;
        if (m === 1) {
          mulAddRow(out, dys, ws, cin);
          continue;
        }
        for (let c = 0; c < cin; c++) {
          const base = <usize>(c * m) << 2;
          let s: f32 = 0;
          for (let k = 0; k < m; k++) s += load<f32>(dys + base + (<usize>k << 2)) * load<f32>(ws + base + (<usize>k << 2));
          store<f32>(out + (<usize>c << 2), load<f32>(out + (<usize>c << 2)) + s);
        }
      }
    }
  }
}

/** The filter rows of taps `[chunk·chunkRows, …)`; tap t = (a, b) = (t / kw, t mod kw): `[C·M]` sums over every output pixel whose window tap lies inside x. */
export function depthwiseBackpropFilter(args: usize, chunk: i32, thread: i32): void {
  const g = changetype<DepthwiseArgs>(args);
  const t0 = chunk * g.chunkRows;
  const t1 = min(g.kh * g.kw, t0 + g.chunkRows);
  for (let t = t0; t < t1; t++) filterTap(g, t);
}

function filterTap(g: DepthwiseArgs, t: i32): void {
  const cin = g.inC;
  const cout = g.outC;
  const m = cout / cin;
  const a = t / g.kw;
  const b = t - a * g.kw;
  const inRow = <usize>cin << 2;
  const outRow = <usize>cout << 2;
  const out = <usize>g.dst + <usize>t * outRow;
  zeroF32(out, cout);
  for (let n = 0; n < g.batch; n++) {
    for (let i = 0; i < g.outH; i++) {
      const ih = i * g.sh + a * g.dh - g.pt;
      if (ih < 0 || ih >= g.inH) continue;
      for (let j = 0; j < g.outW; j++) {
        const iw = j * g.sw + b * g.dw - g.pl;
        if (iw < 0 || iw >= g.inW) continue;
        const xs = <usize>g.a + <usize>((n * g.inH + ih) * g.inW + iw) * inRow;
        const dys = <usize>g.b + <usize>((n * g.outH + i) * g.outW + j) * outRow;
        spreadMulAdd(out, xs, dys, cin, m);
      }
    }
  }
}
