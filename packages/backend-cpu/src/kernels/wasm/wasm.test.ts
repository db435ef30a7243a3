import fc from 'fast-check';
import { describe, expect, it, afterAll } from 'vitest';
import { convGeometry, poolGeometry, transposeGeometry, type ConvGeometry, type FloatArray, type Padding } from '@graft/ir';
import { convBackpropFilter, convBackpropInput, convForward } from '../conv.ts';
import { random } from '../test-helpers.ts';
import { conv2dBackpropFilterF32, conv2dBackpropInputF32, conv2dF32, matmulF32, oneChannelFilter } from './conv.ts';
import { allocate, allocateFloat32, free, freeFloat32, heapExtent, inWasmMemory } from './heap.ts';
import { poolF32, sumLeadingF32, throughArgmaxF32 } from './pool.ts';
import { setThreads, threads, whenThreadsReady, workerChunks } from './threads.ts';

/*
 * The float32 WebAssembly kernels against the reference kernels (run in float64 on the same
 * float32 values), over generated shapes: channel counts on both sides of the register block's
 * 8 columns and of the 4 SIMD lanes, strides, dilations, asymmetric padding. Sums are float32 in
 * a different order, so the criterion is the float32 suite's: |fast − reference| ≤ 1e-5 · scale,
 * scale = the largest Σ|terms| (the reference on absolute values).
 */

const TOL = 1e-5;

function values(n: number, seed: number): Float32Array {
  const next = random(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = next();
  return a;
}

const f64 = (a: Float32Array) => Float64Array.from(a);
const abs64 = (a: Float32Array) => Float64Array.from(a, Math.abs);
function maxOf(a: FloatArray): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}
const nan32 = (n: number) => new Float32Array(n).fill(Number.NaN);

function expectWithin(actual: Float32Array, expected: Float64Array, scale: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const bound = TOL * Math.max(scale, 1e-30);
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= bound)) expect.fail(`${what}: element ${i} is ${actual[i]}, reference ${expected[i]} (|diff| ${d} > ${bound})`);
  }
}

interface Config {
  readonly x: [number, number, number, number];
  readonly w: [number, number, number, number];
  readonly strides: [number, number];
  readonly dilations: [number, number];
  readonly padding: Padding;
}

const describeConfig = (c: Config) =>
  `x=[${c.x}] w=[${c.w}] s=[${c.strides}] d=[${c.dilations}] p=${JSON.stringify(c.padding)}`;

function geometry(c: Config): ConvGeometry | undefined {
  try {
    return convGeometry('conv2d', c.x, c.w, c.strides, c.padding, c.dilations);
  } catch {
    return undefined;
  }
}

const configArb = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 11 }),
    w: fc.integer({ min: 1, max: 11 }),
    ci: fc.integer({ min: 1, max: 19 }),
    co: fc.integer({ min: 1, max: 19 }),
    kh: fc.integer({ min: 1, max: 5 }),
    kw: fc.integer({ min: 1, max: 5 }),
    strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    dilations: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    padding: fc.oneof(
      fc.constant<Padding>('SAME'),
      fc.constant<Padding>('VALID'),
      fc
        .tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }))
        .map(([t, b, l, r]): Padding => [[t, b], [l, r]]),
    ),
  })
  .map(
    (r): Config => ({ x: [r.n, r.h, r.w, r.ci], w: [r.kh, r.kw, r.ci, r.co], strides: r.strides, dilations: r.dilations, padding: r.padding }),
  )
  .filter((c) => geometry(c) !== undefined);

/** Forward, input gradient and filter gradient of one configuration against the reference. */
function checkConv(c: Config, seed: number): void {
  const g = geometry(c)!;
  const what = describeConfig(c);
  const x = values(g.batch * g.inH * g.inW * g.inC, seed);
  const w = values(g.kh * g.kw * g.inC * g.outC, seed + 1);
  const dy = values(g.batch * g.outH * g.outW * g.outC, seed + 2);

  const y = nan32(dy.length);
  conv2dF32(g, x, w, y);
  const yRef = new Float64Array(dy.length);
  convForward(g, f64(x), f64(w), yRef);
  const yScale = new Float64Array(dy.length);
  convForward(g, abs64(x), abs64(w), yScale);
  expectWithin(y, yRef, maxOf(yScale), `conv2d ${what}`);

  const gt = transposeGeometry('conv2dBackpropInput', g.outShape, c.w, c.x, c.strides, c.padding, c.dilations);
  const dx = nan32(x.length);
  conv2dBackpropInputF32(gt, dy, w, dx);
  const dxRef = new Float64Array(x.length);
  convBackpropInput(gt, f64(dy), f64(w), dxRef);
  const dxScale = new Float64Array(x.length);
  convBackpropInput(gt, abs64(dy), abs64(w), dxScale);
  expectWithin(dx, dxRef, maxOf(dxScale), `conv2dBackpropInput ${what}`);

  const dw = nan32(w.length);
  conv2dBackpropFilterF32(g, x, dy, dw);
  const dwRef = new Float64Array(w.length);
  convBackpropFilter(g, f64(x), f64(dy), dwRef);
  const dwScale = new Float64Array(w.length);
  convBackpropFilter(g, abs64(x), abs64(dy), dwScale);
  expectWithin(dw, dwRef, maxOf(dwScale), `conv2dBackpropFilter ${what}`);
}

describe('float32 WebAssembly conv kernels against the reference', () => {
  it('generated configurations (channels 1–19, kernels 1–5, strides and dilations 1–3, asymmetric padding)', () => {
    fc.assert(
      fc.property(configArb, fc.integer({ min: 1, max: 1 << 20 }), (c, seed) => checkConv(c, seed)),
      { seed: 0x5eed, numRuns: 250 },
    );
  });

  it.each<Config>([
    // The benchmark shapes, smaller batch.
    { x: [2, 28, 28, 1], w: [5, 5, 1, 32], strides: [1, 1], dilations: [1, 1], padding: 'SAME' },
    { x: [2, 14, 14, 32], w: [5, 5, 32, 64], strides: [1, 1], dilations: [1, 1], padding: 'SAME' },
    { x: [1, 20, 20, 64], w: [3, 3, 64, 64], strides: [1, 1], dilations: [1, 1], padding: 'SAME' },
    // Column counts around the register block: 8 ± 1, 16 ± 1, lanes off by 1–3.
    { x: [3, 9, 7, 13], w: [3, 3, 13, 9], strides: [1, 1], dilations: [1, 1], padding: 'SAME' },
    { x: [2, 8, 9, 17], w: [2, 3, 17, 15], strides: [2, 1], dilations: [1, 2], padding: [[0, 2], [3, 1]] },
    { x: [1, 10, 10, 7], w: [3, 3, 7, 17], strides: [3, 3], dilations: [2, 2], padding: 'SAME' },
    // Pointwise (cols = x) and stride larger than the filter (dx pixels no tap reaches).
    { x: [2, 5, 7, 11], w: [1, 1, 11, 10], strides: [1, 1], dilations: [1, 1], padding: 'VALID' },
    { x: [2, 9, 9, 5], w: [2, 2, 5, 9], strides: [4, 3], dilations: [1, 1], padding: 'VALID' },
    // A filter larger than the input.
    { x: [1, 3, 2, 9], w: [5, 4, 9, 8], strides: [1, 1], dilations: [1, 1], padding: 'SAME' },
    // Filter rows of 3, 5, 7 and 9 floats read in place (the list kernel's straight-line lengths),
    // and of 11 (its step loop); stride 2 and an odd output channel count too.
    { x: [2, 9, 20, 1], w: [3, 3, 1, 16], strides: [1, 1], dilations: [1, 1], padding: 'SAME' },
    { x: [2, 9, 21, 1], w: [5, 5, 1, 9], strides: [1, 1], dilations: [1, 1], padding: [[1, 2], [2, 2]] },
    { x: [1, 11, 24, 1], w: [7, 7, 1, 17], strides: [1, 1], dilations: [1, 1], padding: 'SAME' },
    { x: [2, 8, 30, 3], w: [3, 3, 3, 24], strides: [2, 2], dilations: [1, 1], padding: 'SAME' },
    { x: [1, 7, 20, 1], w: [3, 11, 1, 8], strides: [1, 1], dilations: [1, 1], padding: 'VALID' },
    // Filter gradients with dy read in place (output channels a multiple of 8; patch panels of 6
    // taps, K = 45 → 48 and 144 → 144), strided, dilated, explicitly padded.
    { x: [2, 9, 9, 5], w: [3, 3, 5, 16], strides: [2, 2], dilations: [1, 1], padding: 'SAME' },
    { x: [3, 16, 15, 16], w: [3, 3, 16, 32], strides: [2, 1], dilations: [1, 2], padding: [[2, 0], [1, 3]] },
    { x: [2, 11, 13, 6], w: [4, 2, 6, 24], strides: [1, 3], dilations: [2, 1], padding: 'VALID' },
  ])('x=$x w=$w s=$strides d=$dilations p=$padding', (c) => {
    checkConv(c, 7);
  });
});

describe('the filter gradient with dy read in place (output channels in whole 8-column panels)', () => {
  it('gives the same bits on two threads as on one (the stride-2 benchmark shape)', async () => {
    const g = convGeometry('conv2d', [16, 32, 32, 16], [3, 3, 16, 32], [2, 2], 'SAME', [1, 1]);
    const x = values(16 * 32 * 32 * 16, 21);
    const dy = values(16 * 16 * 16 * 32, 22);
    const run = () => {
      const dw = nan32(3 * 3 * 16 * 32);
      conv2dBackpropFilterF32(g, x, dy, dw);
      return dw;
    };
    const before = threads();
    try {
      setThreads(1);
      const one = run();
      const ref = new Float64Array(one.length);
      convBackpropFilter(g, f64(x), f64(dy), ref);
      const scale = new Float64Array(one.length);
      convBackpropFilter(g, abs64(x), abs64(dy), scale);
      expectWithin(one, ref, maxOf(scale), 'conv2dBackpropFilter s=2');
      setThreads(2);
      await whenThreadsReady(10_000);
      const chunks = workerChunks();
      let two = run();
      const deadline = Date.now() + 10_000;
      while (workerChunks() === chunks && Date.now() < deadline) two = run();
      expect(workerChunks(), 'chunks run by the worker').toBeGreaterThan(chunks);
      expect(Array.from(two)).toEqual(Array.from(one));
    } finally {
      setThreads(before);
    }
  });
});

describe('the 1-channel filter gradient (convFilterOneChannel: taps read in place, dy as it lies)', () => {
  /** dw of `c` on the kernels, checked against the reference; returns it. */
  function checkFilter(c: Config, seed: number): Float32Array {
    const g = geometry(c)!;
    expect(oneChannelFilter(g), describeConfig(c)).toBe(true);
    const x = values(g.batch * g.inH * g.inW, seed);
    const dy = values(g.batch * g.outH * g.outW * g.outC, seed + 1);
    const dw = nan32(g.kh * g.kw * g.outC);
    conv2dBackpropFilterF32(g, x, dy, dw);
    const ref = new Float64Array(dw.length);
    convBackpropFilter(g, f64(x), f64(dy), ref);
    const scale = new Float64Array(dw.length);
    convBackpropFilter(g, abs64(x), abs64(dy), scale);
    expectWithin(dw, ref, maxOf(scale), `conv2dBackpropFilter ${describeConfig(c)}`);
    return dw;
  }

  it('takes 1-channel convs at stride 1 along W with output channels in whole panels, only those', () => {
    const g = (x: number[], w: number[], s: [number, number]) => convGeometry('conv2d', x, w, s, 'SAME', [1, 1]);
    expect(oneChannelFilter(g([2, 28, 28, 1], [5, 5, 1, 32], [1, 1]))).toBe(true);
    expect(oneChannelFilter(g([2, 28, 28, 1], [3, 3, 1, 8], [2, 1]))).toBe(true);
    expect(oneChannelFilter(g([2, 28, 28, 1], [3, 3, 1, 8], [1, 2]))).toBe(false);
    expect(oneChannelFilter(g([2, 28, 28, 1], [3, 3, 1, 12], [1, 1]))).toBe(false);
    expect(oneChannelFilter(g([2, 28, 28, 2], [3, 3, 2, 16], [1, 1]))).toBe(false);
  });

  it('equals the reference over generated shapes (filters to 9 wide: two blocks of taps; strides along H, dilations, padding; batches in several groups)', () => {
    const arb = fc
      .record({
        n: fc.integer({ min: 1, max: 19 }),
        h: fc.integer({ min: 1, max: 13 }),
        w: fc.integer({ min: 1, max: 13 }),
        co: fc.constantFrom(8, 16, 24, 32),
        kh: fc.integer({ min: 1, max: 6 }),
        kw: fc.integer({ min: 1, max: 9 }),
        sh: fc.integer({ min: 1, max: 3 }),
        dilations: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
        padding: fc.oneof(
          fc.constantFrom<Padding>('SAME', 'VALID'),
          fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 })).map(
            ([t, b, l, r]): Padding => [[t, b], [l, r]],
          ),
        ),
      })
      .map((r): Config => ({ x: [r.n, r.h, r.w, 1], w: [r.kh, r.kw, 1, r.co], strides: [r.sh, 1], dilations: r.dilations, padding: r.padding }))
      .filter((c) => geometry(c) !== undefined);
    fc.assert(
      fc.property(arb, fc.integer({ min: 1, max: 1 << 20 }), (c, seed) => {
        checkFilter(c, seed);
      }),
      { seed: 0x1c4a, numRuns: 150 },
    );
  });

  it('gives the same bits on two threads as on one (the MNIST first layer, batch 64)', async () => {
    const c: Config = { x: [64, 28, 28, 1], w: [5, 5, 1, 32], strides: [1, 1], dilations: [1, 1], padding: 'SAME' };
    const before = threads();
    try {
      setThreads(1);
      const one = checkFilter(c, 11);
      setThreads(2);
      await whenThreadsReady(10_000);
      const chunks = workerChunks();
      let two = checkFilter(c, 11);
      const deadline = Date.now() + 10_000;
      while (workerChunks() === chunks && Date.now() < deadline) two = checkFilter(c, 11);
      expect(workerChunks(), 'chunks run by the worker').toBeGreaterThan(chunks);
      expect(Array.from(two)).toEqual(Array.from(one));
    } finally {
      setThreads(before);
    }
  });
});

describe('float32 WebAssembly matmul', () => {
  it('equals the float64 triple loop for m, n, k off the block sizes, broadcast batches', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 27 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        (m, n, k, batches, shareB) => {
          const a = values(batches * m * k, m * 1000 + n);
          const b = values((shareB ? 1 : batches) * k * n, k + 17);
          const pairs = Array.from({ length: batches }, (_, t) => [t, shareB ? 0 : t] as const);
          const out = nan32(batches * m * n);
          matmulF32(m, n, k, a, b, out, pairs);
          const ref = new Float64Array(out.length);
          const scale = new Float64Array(out.length);
          pairs.forEach(([ia, ib], t) => {
            for (let i = 0; i < m; i++)
              for (let j = 0; j < n; j++)
                for (let p = 0; p < k; p++) {
                  const term = a[ia * m * k + i * k + p]! * b[ib * k * n + p * n + j]!;
                  ref[t * m * n + i * n + j]! += term;
                  scale[t * m * n + i * n + j]! += Math.abs(term);
                }
          });
          expectWithin(out, ref, maxOf(scale), `matmul m=${m} n=${n} k=${k} batches=${batches} shareB=${shareB}`);
        },
      ),
      { seed: 0x3a7, numRuns: 200 },
    );
  });
});

/** The reference pooling, written from its definition (windows clipped to the input). */
function poolReference(g: ConvGeometry, x: Float32Array, kind: 'max' | 'avg') {
  const c = g.inC;
  const y = new Float64Array(g.batch * g.outH * g.outW * c);
  const argmax = new Int32Array(y.length);
  let o = 0;
  for (let n = 0; n < g.batch; n++)
    for (let i = 0; i < g.outH; i++)
      for (let j = 0; j < g.outW; j++)
        for (let ch = 0; ch < c; ch++, o++) {
          let best = Number.NaN;
          let arg = -1;
          let sum = 0;
          let count = 0;
          for (let a = 0; a < g.kh; a++)
            for (let b = 0; b < g.kw; b++) {
              const p = i * g.strides[0] + a - g.pads[0];
              const q = j * g.strides[1] + b - g.pads[2];
              if (p < 0 || p >= g.inH || q < 0 || q >= g.inW) continue;
              const e = ((n * g.inH + p) * g.inW + q) * c + ch;
              const v = x[e]!;
              // First maximum; a NaN beats any number.
              if (arg < 0 || v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
                best = v;
                arg = e;
              }
              sum += v;
              count++;
            }
          y[o] = kind === 'max' ? best : sum / count;
          argmax[o] = arg;
        }
  return { y, argmax };
}

const poolArb = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 10 }),
    w: fc.integer({ min: 1, max: 10 }),
    c: fc.integer({ min: 1, max: 13 }),
    kh: fc.integer({ min: 1, max: 4 }),
    kw: fc.integer({ min: 1, max: 4 }),
    strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    padding: fc.oneof(fc.constant<Padding>('SAME'), fc.constant<Padding>('VALID')),
    nans: fc.boolean(),
  })
  .map((r) => {
    try {
      return { r, g: poolGeometry('maxPool', [r.n, r.h, r.w, r.c], [r.kh, r.kw], r.strides, r.padding) };
    } catch {
      return undefined;
    }
  })
  .filter((v) => v !== undefined);

describe('float32 WebAssembly pooling', () => {
  it('maxPool, avgPool, maxPoolGrad and maxPoolGradGrad equal their definitions (ties, NaN, clipped windows)', () => {
    fc.assert(
      fc.property(poolArb, fc.integer({ min: 1, max: 1 << 20 }), ({ r, g }, seed) => {
        const what = `x=[${r.n},${r.h},${r.w},${r.c}] k=[${r.kh},${r.kw}] s=[${r.strides}] p=${r.padding} nans=${r.nans}`;
        // Values on a coarse grid, so windows have ties; a few NaNs when asked.
        const next = random(seed);
        const x = new Float32Array(r.n * r.h * r.w * r.c).map(() => (r.nans && next() > 0.9 ? Number.NaN : Math.round(next() * 3)));
        const { y, argmax } = poolReference(g, x, 'max');
        const yMax = nan32(y.length);
        poolF32(g, x, yMax, true);
        expect(Array.from(yMax), `maxPool ${what}`).toEqual(Array.from(y, Math.fround));
        const avg = poolReference(g, x, 'avg').y;
        const yAvg = nan32(y.length);
        poolF32(g, x, yAvg, false);
        for (let i = 0; i < y.length; i++) {
          if (Number.isNaN(avg[i]!)) expect(yAvg[i], `avgPool ${what} element ${i}`).toBeNaN();
          else expect(Math.abs(yAvg[i]! - avg[i]!), `avgPool ${what} element ${i}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(avg[i]!)));
        }
        const dy = values(y.length, seed + 1);
        const dx = nan32(x.length);
        throughArgmaxF32(g, x, dy, dx, true);
        const dxRef = new Float64Array(x.length);
        argmax.forEach((e, o) => (dxRef[e]! += dy[o]!));
        for (let i = 0; i < x.length; i++) {
          expect(Math.abs(dx[i]! - dxRef[i]!), `maxPoolGrad ${what} element ${i}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(dxRef[i]!)));
        }
        const ddx = values(x.length, seed + 2);
        const ddy = nan32(y.length);
        throughArgmaxF32(g, x, ddx, ddy, false);
        expect(Array.from(ddy), `maxPoolGradGrad ${what}`).toEqual(Array.from(argmax, (e) => ddx[e]!));
      }),
      { seed: 0xb001, numRuns: 200 },
    );
  });

  it('sumLeading equals a float64 sum rounded once', () => {
    for (const [rows, cols] of [[1, 1], [7, 3], [50, 32], [13, 37], [0, 5]] as const) {
      const x = values(rows * cols, rows + cols);
      const out = nan32(cols);
      sumLeadingF32(x, rows, cols, out);
      const ref = new Float64Array(cols);
      for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) ref[j]! += x[r * cols + j]!;
      expect(Array.from(out), `rows=${rows} cols=${cols}`).toEqual(Array.from(ref, Math.fround));
      // A mean divides the float64 sum, then rounds once.
      if (rows > 0) {
        sumLeadingF32(x, rows, cols, out, rows);
        expect(Array.from(out), `mean rows=${rows} cols=${cols}`).toEqual(Array.from(ref, (v) => Math.fround(v / rows)));
      }
    }
  });
});

describe('shared memory and threads', () => {
  const initialThreads = threads();
  afterAll(() => setThreads(initialThreads));

  it('the heap reuses freed blocks and coalesces neighbours', () => {
    const a = allocate(1000);
    const b = allocate(5000);
    const c = allocate(64);
    expect(a % 64).toBe(0);
    expect(b).toBeGreaterThanOrEqual(a + 1000);
    free(a);
    free(b);
    // a and b merged: a block larger than either fits where they were.
    expect(allocate(5500)).toBe(a);
    const extent = heapExtent();
    free(c);
    expect(heapExtent()).toBeLessThanOrEqual(extent);
    expect(() => free(a + 1)).toThrow(/a freed wasm heap block must have been allocated/);
  });

  it('kernels read and write arrays in the shared memory in place (x=[2,9,9,16] w=[3,3,16,24] s=2 p=same)', () => {
    const c: Config = { x: [2, 9, 9, 16], w: [3, 3, 16, 24], strides: [2, 2], dilations: [1, 1], padding: 'SAME' };
    const g = geometry(c)!;
    const x = values(2 * 9 * 9 * 16, 3);
    const w = values(3 * 3 * 16 * 24, 4);
    const y = nan32(g.batch * g.outH * g.outW * g.outC);
    conv2dF32(g, x, w, y);
    const xs = allocateFloat32(x.length);
    const ws = allocateFloat32(w.length);
    const ys = allocateFloat32(y.length).fill(Number.NaN);
    xs.set(x);
    ws.set(w);
    expect(inWasmMemory(xs) && inWasmMemory(ys)).toBe(true);
    expect(inWasmMemory(x)).toBe(false);
    conv2dF32(g, xs, ws, ys);
    expect(Array.from(ys)).toEqual(Array.from(y));
    for (const a of [xs, ws, ys]) freeFloat32(a);
  });

  it('two threads give the results of one, bit for bit (the filter gradient sums fixed pixel groups)', async () => {
    const c: Config = { x: [4, 16, 16, 24], w: [3, 3, 24, 40], strides: [1, 1], dilations: [1, 1], padding: 'SAME' };
    const g = geometry(c)!;
    const gt = transposeGeometry('conv2dBackpropInput', g.outShape, c.w, c.x, c.strides, c.padding, c.dilations);
    const x = values(x0(c), 5);
    const w = values(c.w.reduce((p, d) => p * d), 6);
    const dy = values(g.batch * g.outH * g.outW * g.outC, 7);
    const run = () => {
      const y = nan32(dy.length);
      const dx = nan32(x.length);
      const dw = nan32(w.length);
      conv2dF32(g, x, w, y);
      conv2dBackpropInputF32(gt, dy, w, dx);
      conv2dBackpropFilterF32(g, x, dy, dw);
      return { y, dx, dw };
    };
    setThreads(1);
    const one = run();
    setThreads(2);
    await whenThreadsReady();
    const before = workerChunks();
    // A worker that the OS leaves waiting while the caller claims every chunk runs none, so
    // the calls repeat until one did (almost always the first).
    for (let i = 0; i < 3 || (workerChunks() === before && i < 50); i++) {
      const two = run();
      expect(Array.from(two.y)).toEqual(Array.from(one.y));
      expect(Array.from(two.dx)).toEqual(Array.from(one.dx));
      expect(Array.from(two.dw)).toEqual(Array.from(one.dw));
    }
    expect(workerChunks(), 'chunks run by the worker thread').toBeGreaterThan(before);
  });
});

function x0(c: Config): number {
  return c.x.reduce((p, d) => p * d, 1);
}
