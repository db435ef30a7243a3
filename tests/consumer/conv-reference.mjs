// An independent conv2d and its two gradients as plain loops over float64 (TensorFlow's
// semantics: NHWC, HWIO, SAME pads the odd row/column after), shared by the Node and the
// browser consumers. It uses nothing from graft.

/** Seeded values in [-1, 1) (a 32-bit LCG): the same in Node and in the page. */
export function seeded(n, seed) {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** SAME padding of one axis: [before, after] and the output size. */
function same(size, k, s) {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return { out, before: Math.floor(total / 2) };
}

/**
 * loss = Σ y², y = conv2d(x, w, stride s, SAME); returns loss, dx = ∂loss/∂x, dw = ∂loss/∂w.
 * x [n, h, w, ci], w [kh, kw, ci, co].
 */
export function convLossAndGradients(x, xShape, w, wShape, stride) {
  const [N, H, W, C] = xShape;
  const [KH, KW, , CO] = wShape;
  const ph = same(H, KH, stride);
  const pw = same(W, KW, stride);
  const OH = ph.out;
  const OW = pw.out;
  const y = new Float64Array(N * OH * OW * CO);
  const xAt = (n, i, j, c) => ((n * H + i) * W + j) * C + c;
  const wAt = (a, b, c, o) => ((a * KW + b) * C + c) * CO + o;
  const yAt = (n, i, j, o) => ((n * OH + i) * OW + j) * CO + o;
  const taps = (n, i, j, visit) => {
    for (let a = 0; a < KH; a++) {
      const r = i * stride + a - ph.before;
      if (r < 0 || r >= H) continue;
      for (let b = 0; b < KW; b++) {
        const q = j * stride + b - pw.before;
        if (q < 0 || q >= W) continue;
        for (let c = 0; c < C; c++) visit(xAt(n, r, q, c), a, b, c);
      }
    }
  };
  for (let n = 0; n < N; n++)
    for (let i = 0; i < OH; i++)
      for (let j = 0; j < OW; j++)
        taps(n, i, j, (xi, a, b, c) => {
          for (let o = 0; o < CO; o++) y[yAt(n, i, j, o)] += x[xi] * w[wAt(a, b, c, o)];
        });
  let loss = 0;
  for (const v of y) loss += v * v;
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < OH; i++)
      for (let j = 0; j < OW; j++)
        taps(n, i, j, (xi, a, b, c) => {
          for (let o = 0; o < CO; o++) {
            const dy = 2 * y[yAt(n, i, j, o)];
            dx[xi] += dy * w[wAt(a, b, c, o)];
            dw[wAt(a, b, c, o)] += dy * x[xi];
          }
        });
  return { loss, dx, dw, yShape: [N, OH, OW, CO] };
}

/** max |a − b| over two arrays of one length. */
export function maxDiff(a, b) {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The consumers' case: a strided SAME conv that pads asymmetrically in width (8 → 4 pads 0 before, 1 after). */
export const CASE = { xShape: [2, 9, 8, 3], wShape: [3, 3, 3, 4], stride: 2, seed: 7 };
