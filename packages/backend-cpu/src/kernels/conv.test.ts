import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Graph, convGeometry, type ConvGeometry, type FloatArray, type Padding } from '@graft/ir';
import { chunkRows } from './conv.ts';
import { col2im, im2col } from './im2col.ts';
import { kernels } from './index.ts';
import { expectClose, garbage, randomArray } from './test-helpers.ts';

interface Config {
  readonly x: [number, number, number, number];
  readonly w: [number, number, number, number];
  readonly strides: [number, number];
  readonly dilations: [number, number];
  readonly padding: Padding;
}

function name(c: Config): string {
  return `x=[${c.x}] w=[${c.w}] s=[${c.strides}] d=[${c.dilations}] p=${JSON.stringify(c.padding)}`;
}

/** Padding `[top, left]` and output size, from docs/semantics.md, independently of `@graft/ir`. */
function reference(c: Config) {
  const axis = (inSize: number, k: number, s: number, d: number, axisPad: 'SAME' | 'VALID' | readonly [number, number]) => {
    const keff = (k - 1) * d + 1;
    let before = 0;
    let after = 0;
    if (axisPad === 'SAME') {
      const out = Math.ceil(inSize / s);
      const total = Math.max((out - 1) * s + keff - inSize, 0);
      before = Math.floor(total / 2);
      after = total - before;
    } else if (axisPad !== 'VALID') {
      [before, after] = axisPad;
    }
    return { before, out: Math.floor((inSize + before + after - keff) / s) + 1 };
  };
  const p = c.padding;
  const h = axis(c.x[1], c.w[0], c.strides[0], c.dilations[0], p === 'SAME' || p === 'VALID' ? p : p[0]);
  const w = axis(c.x[2], c.w[1], c.strides[1], c.dilations[1], p === 'SAME' || p === 'VALID' ? p : p[1]);
  return { pt: h.before, pl: w.before, oh: h.out, ow: w.out };
}

/**
 * Calls `visit(xIndex, wIndex, yIndex)` for every term of
 * `y[n, i, j, co] = Σ_{a, b, ci} x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, ci] · w[a, b, ci, co]`
 * whose x index is in range: the one formula every naive conv below is read from.
 */
function forEachTerm(c: Config, visit: (xi: number, wi: number, yi: number) => void): void {
  const [nb, h, wd, ci] = c.x;
  const [kh, kw, , co] = c.w;
  const { pt, pl, oh, ow } = reference(c);
  for (let n = 0; n < nb; n++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let o = 0; o < co; o++)
          for (let a = 0; a < kh; a++)
            for (let b = 0; b < kw; b++)
              for (let q = 0; q < ci; q++) {
                const p = i * c.strides[0] + a * c.dilations[0] - pt;
                const r = j * c.strides[1] + b * c.dilations[1] - pl;
                if (p < 0 || p >= h || r < 0 || r >= wd) continue;
                visit(((n * h + p) * wd + r) * ci + q, ((a * kw + b) * ci + q) * co + o, ((n * oh + i) * ow + j) * co + o);
              }
}

function naiveConv(c: Config, x: FloatArray, w: FloatArray): Float64Array {
  const { oh, ow } = reference(c);
  const y = new Float64Array(c.x[0] * oh * ow * c.w[3]);
  forEachTerm(c, (xi, wi, yi) => (y[yi]! += x[xi]! * w[wi]!));
  return y;
}

function naiveBackpropInput(c: Config, dy: FloatArray, w: FloatArray): Float64Array {
  const dx = new Float64Array(c.x.reduce((p, d) => p * d, 1));
  forEachTerm(c, (xi, wi, yi) => (dx[xi]! += dy[yi]! * w[wi]!));
  return dx;
}

function naiveBackpropFilter(c: Config, x: FloatArray, dy: FloatArray): Float64Array {
  const dw = new Float64Array(c.w.reduce((p, d) => p * d, 1));
  forEachTerm(c, (xi, wi, yi) => (dw[wi]! += x[xi]! * dy[yi]!));
  return dw;
}

/** Runs all four conv kernels on one configuration and compares each with the naive formula. */
function checkAll(c: Config, dtype: 'float32' | 'float64', tol: number, seed = 1): void {
  const g = new Graph({ dtype });
  const xN = g.input('x', c.x);
  const wN = g.input('w', c.w);
  const opts = { strides: c.strides, dilations: c.dilations, padding: c.padding };
  const y = g.conv2d(xN, wN, opts);
  const { oh, ow } = reference(c);
  expect(y.shape, name(c)).toEqual([c.x[0], oh, ow, c.w[3]]);
  const dyN = g.input('dy', y.shape);
  const x = randomArray(xN.size, seed, dtype);
  const w = randomArray(wN.size, seed + 1, dtype);
  const dy = randomArray(y.size, seed + 2, dtype);

  const out = garbage(y.size, dtype);
  kernels.conv2d(y, [x, w], out);
  expectClose(out, naiveConv(c, x, w), tol, `conv2d ${name(c)}`);

  const dxExpected = naiveBackpropInput(c, dy, w);
  const bpi = g.conv2dBackpropInput(dyN, wN, { ...opts, inputShape: c.x });
  const dx = garbage(bpi.size, dtype);
  kernels.conv2dBackpropInput(bpi, [dy, w], dx);
  expectClose(dx, dxExpected, tol, `conv2dBackpropInput ${name(c)}`);

  const tr = g.conv2dTranspose(dyN, wN, { ...opts, outputShape: c.x });
  const tx = garbage(tr.size, dtype);
  kernels.conv2dTranspose(tr, [dy, w], tx);
  expectClose(tx, dxExpected, tol, `conv2dTranspose ${name(c)}`);

  const bpf = g.conv2dBackpropFilter(xN, dyN, { ...opts, filterShape: c.w });
  const dw = garbage(bpf.size, dtype);
  kernels.conv2dBackpropFilter(bpf, [x, dy], dw);
  expectClose(dw, naiveBackpropFilter(c, x, dy), tol, `conv2dBackpropFilter ${name(c)}`);
}

/** Valid configurations: strides and dilations 1–3, SAME / VALID / explicit asymmetric, H/W 1–9, channels 1–4, batch 1–3. */
const configArb = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 9 }),
    w: fc.integer({ min: 1, max: 9 }),
    ci: fc.integer({ min: 1, max: 4 }),
    co: fc.integer({ min: 1, max: 4 }),
    kh: fc.integer({ min: 1, max: 4 }),
    kw: fc.integer({ min: 1, max: 4 }),
    strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    dilations: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    padding: fc.oneof(
      fc.constant<Padding>('SAME'),
      fc.constant<Padding>('VALID'),
      fc
        .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }))
        .map(([t, b, l, r]): Padding => [[t, b], [l, r]]),
    ),
  })
  .map(
    (r): Config => ({
      x: [r.n, r.h, r.w, r.ci],
      w: [r.kh, r.kw, r.ci, r.co],
      strides: r.strides,
      dilations: r.dilations,
      padding: r.padding,
    }),
  )
  .filter((c) => {
    // Keep configurations whose effective kernel fits the padded input (others are build errors).
    const p = c.padding;
    const pads = p === 'SAME' || p === 'VALID' ? undefined : p;
    const fits = (inSize: number, k: number, d: number, extra: number) =>
      p === 'SAME' || (k - 1) * d + 1 <= inSize + extra;
    return (
      fits(c.x[1], c.w[0], c.dilations[0], pads ? pads[0][0] + pads[0][1] : 0) &&
      fits(c.x[2], c.w[1], c.dilations[1], pads ? pads[1][0] + pads[1][1] : 0)
    );
  });

describe('conv kernels against the naive formula', () => {
  it('all four kernels, float64 to 1e-12, random configurations', () => {
    fc.assert(
      fc.property(configArb, fc.integer({ min: 1, max: 1000 }), (c, seed) => checkAll(c, 'float64', 1e-12, seed)),
      { seed: 42, numRuns: 300 },
    );
  });

  it.each<Config>([
    { x: [2, 7, 7, 3], w: [3, 3, 3, 4], strides: [2, 2], dilations: [1, 1], padding: 'SAME' },
    { x: [1, 8, 8, 2], w: [4, 4, 2, 2], strides: [2, 2], dilations: [1, 1], padding: 'SAME' },
    { x: [1, 7, 6, 1], w: [2, 3, 1, 2], strides: [3, 2], dilations: [1, 1], padding: 'VALID' },
    { x: [2, 6, 7, 2], w: [2, 2, 2, 3], strides: [1, 1], dilations: [2, 3], padding: [[1, 0], [2, 1]] },
    { x: [1, 4, 4, 2], w: [1, 1, 2, 3], strides: [3, 3], dilations: [1, 1], padding: 'VALID' },
    { x: [3, 5, 4, 3], w: [1, 1, 3, 5], strides: [1, 1], dilations: [2, 2], padding: 'VALID' },
    { x: [1, 3, 3, 1], w: [3, 3, 1, 1], strides: [1, 1], dilations: [1, 1], padding: 'VALID' },
  ])('x=$x w=$w s=$strides d=$dilations p=$padding', (c) => {
    checkAll(c, 'float64', 1e-12);
    checkAll(c, 'float32', 1e-5);
  });

  it('runs several im2col chunks whose boundaries cut image rows (x=[5,61,59,5] w=[5,3,5,3] s=1 p=same)', () => {
    const c: Config = { x: [5, 61, 59, 5], w: [5, 3, 5, 3], strides: [1, 1], dilations: [1, 1], padding: 'SAME' };
    const m = 5 * 61 * 59;
    const k = 5 * 3 * 5;
    const chunk = chunkRows(k, m);
    expect(m / chunk).toBeGreaterThan(2);
    expect(chunk % 59).not.toBe(0);
    checkAll(c, 'float64', 1e-12);
  });
});

describe('im2col / col2im', () => {
  const geometryOf = (c: Config): ConvGeometry => convGeometry('conv2d', c.x, c.w, c.strides, c.padding, c.dilations);

  it('im2col rows are the x patches, zero outside (x=[2,5,6,3] w=[3,2,3,1] s=[2,1] d=[1,2] p=[[1,2],[0,3]])', () => {
    const c: Config = { x: [2, 5, 6, 3], w: [3, 2, 3, 1], strides: [2, 1], dilations: [1, 2], padding: [[1, 2], [0, 3]] };
    const g = geometryOf(c);
    const x = randomArray(2 * 5 * 6 * 3, 3);
    const m = g.batch * g.outH * g.outW;
    const k = 3 * 2 * 3;
    // Two calls with an odd split check that r0 is honoured.
    const cols = new Float64Array(m * k).fill(Number.NaN);
    const part = new Float64Array(m * k).fill(Number.NaN);
    im2col(x, g, 0, 7, part);
    cols.set(part.subarray(0, 7 * k), 0);
    im2col(x, g, 7, m - 7, part);
    cols.set(part.subarray(0, (m - 7) * k), 7 * k);
    let r = 0;
    for (let n = 0; n < g.batch; n++)
      for (let i = 0; i < g.outH; i++)
        for (let j = 0; j < g.outW; j++, r++)
          for (let a = 0; a < 3; a++)
            for (let b = 0; b < 2; b++)
              for (let q = 0; q < 3; q++) {
                const p = i * 2 + a - 1;
                const s = j + b * 2 - 0;
                const inside = p >= 0 && p < 5 && s >= 0 && s < 6;
                const want = inside ? x[((n * 5 + p) * 6 + s) * 3 + q]! : 0;
                expect(cols[r * k + (a * 2 + b) * 3 + q], `row ${r} (a=${a}, b=${b}, ci=${q})`).toBe(want);
              }
  });

  it('col2im is the adjoint of im2col: ⟨im2col(x), C⟩ = ⟨x, col2im(C)⟩', () => {
    fc.assert(
      fc.property(configArb, (c) => {
        const g = geometryOf(c);
        const m = g.batch * g.outH * g.outW;
        const k = g.kh * g.kw * g.inC;
        const x = randomArray(c.x.reduce((p, d) => p * d, 1), 11) as Float64Array;
        const dcols = randomArray(m * k, 12) as Float64Array;
        const cols = new Float64Array(m * k);
        im2col(x, g, 0, m, cols);
        const dx = new Float64Array(x.length);
        col2im(dcols, g, 0, m, dx);
        let lhs = 0;
        for (let i = 0; i < m * k; i++) lhs += cols[i]! * dcols[i]!;
        let rhs = 0;
        for (let i = 0; i < x.length; i++) rhs += x[i]! * dx[i]!;
        expect(Math.abs(lhs - rhs), name(c)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(lhs)));
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
