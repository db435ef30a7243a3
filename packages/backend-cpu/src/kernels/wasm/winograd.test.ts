import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Graph, convGeometry, transposeGeometry, type ConvGeometry, type Padding } from '@graft/ir';
import { compile } from '@graft/compiler';
import { cpu } from '../../executor.ts';
import { convBackpropFilter, convBackpropInput, convForward } from '../conv.ts';
import { random } from '../test-helpers.ts';
import { conv2dBackpropFilterF32, conv2dBackpropInputF32, conv2dF32, usesWinograd, winogradTile } from './conv.ts';
import { setThreads, threads, whenThreadsReady, workerChunks } from './threads.ts';

/*
 * The Winograd F(2×2, 3×3), F(4×4, 3×3), F(2×2, 5×5) and F(4×4, 5×5) kernels (wasm/assembly/winograd.ts), which run the
 * float32 3×3 and 5×5 stride-1 convs and both their gradients from 8 channels on, against the float64 reference
 * kernels on the same float32 values. Criterion of the float32 suite: |fast − reference| ≤
 * 1e-5 · scale, scale the largest Σ|terms|. The generator covers what the kernel walks: odd
 * output sizes (tiles cut by the edge), dilations 1–3 (tile rows by residue class), padding
 * wider than the dilated filter (the input gradient's "padding" 2d − p below 0), channel counts
 * off the 4 lanes and the 8-column panels, and chunks of tiles that cross image boundaries.
 */

const TOL = 1e-5;

function values(n: number, seed: number): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length: n }, () => next());
}

function expectWithin(actual: Float32Array, expected: Float64Array, scale: Float64Array, what: string): void {
  const bound = TOL * scale.reduce((m, v) => Math.max(m, v), 1e-30);
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= bound)) expect.fail(`${what}: element ${i} is ${actual[i]}, reference ${expected[i]} (|diff| ${d} > ${bound})`);
  }
}

interface Case {
  readonly r?: 3 | 5;
  readonly x: [number, number, number, number];
  readonly co: number;
  readonly dilations: [number, number];
  readonly padding: Padding;
}

const show = (c: Case) => `x=[${c.x}] w=[${c.r ?? 3},${c.r ?? 3},${c.x[3]},${c.co}] d=[${c.dilations}] p=${JSON.stringify(c.padding)}`;

function geometry(c: Case): ConvGeometry | undefined {
  try {
    return convGeometry('conv2d', c.x, [c.r ?? 3, c.r ?? 3, c.x[3], c.co], [1, 1], c.padding, c.dilations);
  } catch {
    return undefined;
  }
}

type Reference = (out: Float64Array, a: Float64Array, b: Float64Array) => void;

/** `run` (float32) against `reference` (float64) on operands a, b: returns the float32 output. */
function checkOp(what: string, length: number, run: (out: Float32Array) => void, reference: Reference, a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(length).fill(Number.NaN);
  run(out);
  const expected = new Float64Array(length);
  const scale = new Float64Array(length);
  reference(expected, Float64Array.from(a), Float64Array.from(b));
  reference(scale, Float64Array.from(a, Math.abs), Float64Array.from(b, Math.abs));
  expectWithin(out, expected, scale, what);
  return out;
}

/** The three ops of one case on the kernels in use against the reference; returns their outputs. */
function check(c: Case, seed: number): { y: Float32Array; dx: Float32Array; dw: Float32Array } {
  const g = geometry(c)!;
  const gt = transposeGeometry('conv2dBackpropInput', g.outShape, g.filterShape, c.x, [1, 1], c.padding, c.dilations);
  const what = show(c);
  const x = values(g.batch * g.inH * g.inW * g.inC, seed);
  const w = values(g.kh * g.kw * g.inC * g.outC, seed + 1);
  const dy = values(g.batch * g.outH * g.outW * g.outC, seed + 2);
  return {
    y: checkOp(`conv2d ${what}`, dy.length, (o) => conv2dF32(g, x, w, o), (o, a, b) => convForward(g, a, b, o), x, w),
    dx: checkOp(`conv2dBackpropInput ${what}`, x.length, (o) => conv2dBackpropInputF32(gt, dy, w, o), (o, a, b) => convBackpropInput(gt, a, b, o), dy, w),
    dw: checkOp(`conv2dBackpropFilter ${what}`, w.length, (o) => conv2dBackpropFilterF32(g, x, dy, o), (o, a, b) => convBackpropFilter(g, a, b, o), x, dy),
  };
}

const caseArb = fc
  .record({
    r: fc.constantFrom<3 | 5>(3, 5),
    n: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 17 }),
    w: fc.integer({ min: 1, max: 17 }),
    ci: fc.integer({ min: 8, max: 37 }),
    co: fc.integer({ min: 8, max: 37 }),
    dilations: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    padding: fc.oneof(
      fc.constant<Padding>('SAME'),
      fc.constant<Padding>('VALID'),
      fc
        .tuple(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 0, max: 11 }), fc.integer({ min: 0, max: 11 }), fc.integer({ min: 0, max: 11 }))
        .map(([t, b, l, r]): Padding => [[t, b], [l, r]]),
    ),
  })
  // A 3×3 conv takes Winograd for all three ops from 9 channels on both sides (8 written: the direct kernel).
  .map((r): Case => {
    const least = r.r === 3 ? 9 : 8;
    return { r: r.r, x: [r.n, r.h, r.w, Math.max(least, r.ci)], co: Math.max(least, r.co), dilations: r.dilations, padding: r.padding };
  })
  .filter((c) => geometry(c) !== undefined);

describe('Winograd F(2×2, 3×3), F(4×4, 3×3), F(2×2, 5×5) and F(4×4, 5×5) conv kernels', () => {
  afterAll(() => setThreads(1));

  it('takes 3×3 and 5×5 stride-1 convs from 8 channels on (3×3 forward and input gradient: writing more than 8); not strided, other sizes or fewer channels', () => {
    const g = (x: number[], w: number[], s: number) => convGeometry('conv2d', x, w, [s, s], 'SAME', [1, 1]);
    const ops = (geometry: ConvGeometry) => (['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter'] as const).map((op) => usesWinograd(op, geometry));
    // 3×3: all three from 8 channels on, except a forward or input gradient writing only 8.
    expect(ops(g([1, 8, 8, 12], [3, 3, 12, 12], 1))).toEqual([true, true, true]);
    expect(ops(g([1, 8, 8, 8], [3, 3, 8, 16], 1))).toEqual([true, false, true]);
    expect(ops(g([1, 8, 8, 8], [3, 3, 8, 8], 1))).toEqual([false, false, true]);
    // 5×5: all three from 8 channels on.
    expect(ops(g([1, 8, 8, 8], [5, 5, 8, 8], 1))).toEqual([true, true, true]);
    // Not strided, not other sizes, not fewer channels.
    expect(ops(g([1, 8, 8, 16], [3, 3, 16, 16], 2))).toEqual([false, false, false]);
    expect(ops(g([1, 8, 8, 16], [5, 5, 16, 16], 2))).toEqual([false, false, false]);
    expect(ops(g([1, 8, 8, 16], [3, 5, 16, 16], 1))).toEqual([false, false, false]);
    expect(ops(g([1, 8, 8, 16], [7, 7, 16, 16], 1))).toEqual([false, false, false]);
    expect(ops(g([1, 8, 8, 3], [3, 3, 3, 16], 1))).toEqual([false, false, false]);
    expect(ops(g([1, 8, 8, 16], [5, 5, 16, 4], 1))).toEqual([false, false, false]);
  });

  it('program.stats().kernels names the steps that ran on Winograd', () => {
    const graph = new Graph({ dtype: 'float32' });
    const x = graph.input('x', [1, 10, 10, 12]);
    const w = graph.input('w', [3, 3, 12, 16]);
    const dy = graph.input('dy', [1, 10, 10, 16]);
    const outputs = {
      y: graph.conv2d(x, w, { padding: 'SAME' }),
      dx: graph.conv2dBackpropInput(dy, w, { padding: 'SAME', inputShape: [1, 10, 10, 12] }),
      dw: graph.conv2dBackpropFilter(x, dy, { padding: 'SAME', filterShape: [5, 5, 12, 16] }),
      strided: graph.conv2d(x, w, { padding: 'SAME', strides: 2 }),
    };
    const program = compile(outputs, { backend: cpu({ kernels: 'wasm', threads: 1 }) });
    expect(program.stats().kernels).toEqual({ 'wasm winograd 3×3': 2, 'wasm winograd 5×5': 1, wasm: 1 });
    program.dispose();
  });

  it('a conv (forward and both gradients) takes 4×4 tiles unless its output is too small for them to pay', () => {
    // Multiply-adds ∝ tiles × α²: 3×3: 4×4 tiles (α = 6) against 2×2 ones (α = 4).
    expect(winogradTile(3, 28, 28, 1, 1)).toBe(4);
    expect(winogradTile(3, 4, 4, 1, 1)).toBe(4); // 1 × 36 against 4 × 16
    expect(winogradTile(3, 6, 6, 1, 1)).toBe(2); // 4 × 36 against 9 × 16: equal, the smaller tile
    expect(winogradTile(3, 2, 2, 1, 1)).toBe(2);
    expect(winogradTile(3, 7, 1, 1, 1)).toBe(2); // a column: 2 × 36 against 4 × 16
    expect(winogradTile(3, 16, 16, 4, 4)).toBe(4);
    expect(winogradTile(3, 8, 8, 4, 4)).toBe(2); // dilation 4: tiles of outputs 4 apart
    // 5×5: 4×4 tiles (α = 8) against 2×2 ones (α = 6).
    expect(winogradTile(5, 28, 28, 1, 1)).toBe(4);
    expect(winogradTile(5, 14, 14, 1, 1)).toBe(4); // 16 × 64 against 49 × 36
    expect(winogradTile(5, 3, 3, 1, 1)).toBe(4); // 1 × 64 against 4 × 36
    expect(winogradTile(5, 2, 2, 1, 1)).toBe(2); // 1 × 64 against 1 × 36
    expect(winogradTile(5, 2, 5, 1, 1)).toBe(2); // 2 × 64 against 3 × 36
    expect(winogradTile(5, 1, 9, 1, 1)).toBe(2); // 3 × 64 against 5 × 36
    expect(winogradTile(5, 12, 12, 3, 3)).toBe(4);
    expect(winogradTile(5, 6, 6, 3, 3)).toBe(2); // dilation 3: 9 × 64 against 9 × 36
  });

  it('equals the reference over generated shapes, dilations and paddings (odd sizes, negative input-gradient padding)', () => {
    let taken = 0;
    const tiles = { 3: { 2: 0, 4: 0 }, 5: { 2: 0, 4: 0 } };
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 1, max: 1 << 20 }), (c, seed) => {
        const g = geometry(c)!;
        for (const op of ['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter'] as const) expect(usesWinograd(op, g)).toBe(true);
        taken++;
        tiles[g.kh as 3 | 5][winogradTile(g.kh, g.outH, g.outW, g.dilations[0], g.dilations[1])]++;
        check(c, seed);
      }),
      { seed: 0x3b3_3a3, numRuns: 400 },
    );
    expect(taken).toBeGreaterThanOrEqual(400);
    // Every kernel was exercised.
    expect(tiles[3][2], 'F(2×2, 3×3) cases').toBeGreaterThanOrEqual(20);
    expect(tiles[3][4], 'F(4×4, 3×3) cases').toBeGreaterThanOrEqual(20);
    expect(tiles[5][2], 'F(2×2, 5×5) cases').toBeGreaterThanOrEqual(20);
    expect(tiles[5][4], 'F(4×4, 5×5) cases').toBeGreaterThanOrEqual(20);
  });

  it.each<Case>([
    // A long K (256 and 512 channels): the transforms' rounding stays within the bound.
    { r: 3, x: [2, 9, 9, 256], co: 64, dilations: [1, 1], padding: 'SAME' },
    { r: 3, x: [1, 12, 12, 512], co: 40, dilations: [1, 1], padding: 'SAME' },
    { r: 5, x: [2, 9, 9, 256], co: 64, dilations: [1, 1], padding: 'SAME' },
    { r: 5, x: [1, 12, 12, 512], co: 40, dilations: [1, 1], padding: 'SAME' },
    // The benchmark's 5×5 and dilated cases, smaller batch; and wide ones with many chunks of tiles.
    { r: 5, x: [2, 14, 14, 32], co: 64, dilations: [1, 1], padding: 'SAME' },
    { r: 5, x: [2, 21, 19, 40], co: 24, dilations: [2, 1], padding: [[1, 9], [4, 0]] },
    { r: 3, x: [2, 32, 32, 16], co: 32, dilations: [2, 2], padding: 'SAME' },
    { r: 3, x: [3, 23, 29, 64], co: 72, dilations: [1, 3], padding: [[4, 0], [1, 6]] },
  ])('$r×$r: $x → $co channels, d=$dilations, p=$padding', (c) => {
    check(c, 11);
  });

  it.each<Case>([
    { r: 3, x: [4, 30, 30, 32], co: 48, dilations: [1, 1], padding: 'SAME' },
    { r: 5, x: [4, 30, 30, 32], co: 48, dilations: [1, 1], padding: 'SAME' },
    // 1×2 outputs to a tile row: 2×2 tiles.
    { r: 5, x: [64, 2, 5, 32], co: 48, dilations: [1, 1], padding: 'SAME' },
  ])('$r×$r: $x → $co channels: the same bits on two threads as on one, the workers taking chunks', async (c) => {
    const g = geometry(c)!;
    expect(winogradTile(c.r!, g.outH, g.outW, 1, 1)).toBe(c.x[1] === 2 ? 2 : 4);
    setThreads(1);
    const one = check(c, 5);
    setThreads(2);
    await whenThreadsReady();
    expect(threads()).toBe(2);
    const before = workerChunks();
    const two = check(c, 5);
    expect(workerChunks()).toBeGreaterThan(before);
    expect(Buffer.from(two.y.buffer).equals(Buffer.from(one.y.buffer))).toBe(true);
    expect(Buffer.from(two.dx.buffer).equals(Buffer.from(one.dx.buffer))).toBe(true);
    expect(Buffer.from(two.dw.buffer).equals(Buffer.from(one.dw.buffer))).toBe(true);
  });
});
