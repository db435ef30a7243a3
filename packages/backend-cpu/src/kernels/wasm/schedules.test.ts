import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Graph, convGeometry, transposeGeometry, type ConvGeometry } from '@graft/ir';
import { compile } from '@graft/compiler';
import { cpu } from '../../executor.ts';
import { convBackpropFilter, convBackpropInput, convForward } from '../conv.ts';
import { random } from '../test-helpers.ts';
import { conv2dBackpropFilterF32, conv2dBackpropInputF32, conv2dF32, matmulF32 } from './conv.ts';
import { schedules } from './calibrate.ts';
import { wasmKernels } from './module.ts';
import { threads, whenThreadsReady, workerChunks } from './threads.ts';

/*
 * The register block's inner-loop schedules (wasm/assembly/gemm.ts), chosen per machine by
 * measurement: every schedule must give the same bits (each sum's terms in the same order), so
 * the choice can only change speed. The relaxed-SIMD build (fused multiply-adds), which Node 20
 * takes only behind a V8 flag, is checked in a child process that has the flag. And
 * `cpu({ threads })` sets the thread count per executor.
 */

function values(n: number, seed: number): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length: n }, () => next());
}

/** Geometries that reach every path: in-place windows, gathered borders, short segments (1 channel), narrow outputs, odd k. */
const cases: readonly { name: string; g: ConvGeometry }[] = [
  { name: 'x=[2,14,14,32] w=[5,5,32,64] s=1 p=same', g: convGeometry('conv2d', [2, 14, 14, 32], [5, 5, 32, 64], [1, 1], 'SAME', [1, 1]) },
  { name: 'x=[3,28,28,1] w=[5,5,1,32] s=1 p=same (1 channel)', g: convGeometry('conv2d', [3, 28, 28, 1], [5, 5, 1, 32], [1, 1], 'SAME', [1, 1]) },
  { name: 'x=[2,17,15,7] w=[3,2,7,13] s=[2,1] d=[1,2] p=same', g: convGeometry('conv2d', [2, 17, 15, 7], [3, 2, 7, 13], [2, 1], 'SAME', [1, 2]) },
  { name: 'x=[1,9,9,3] w=[3,3,3,5] s=1 p=valid (narrow)', g: convGeometry('conv2d', [1, 9, 9, 3], [3, 3, 3, 5], [1, 1], 'VALID', [1, 1]) },
  { name: 'x=[2,12,13,16] w=[3,3,16,24] d=2 p=same (16-float taps: the two-step segment list)', g: convGeometry('conv2d', [2, 12, 13, 16], [3, 3, 16, 24], [1, 1], 'SAME', [2, 2]) },
  { name: 'x=[1,14,14,1] w=[3,3,1,2] s=2 p=same (an input-gradient class ends in place with a pixel queued)', g: convGeometry('conv2d', [1, 14, 14, 1], [3, 3, 1, 2], [2, 2], 'SAME', [1, 1]) },
  { name: 'x=[1,3,8,4] w=[1,3,4,8] p=[[0,0],[1,0]] (the forward chunk ends in place with a pixel queued)', g: convGeometry('conv2d', [1, 3, 8, 4], [1, 3, 4, 8], [1, 1], [[0, 0], [1, 0]], [1, 1]) },
];

/** Forward, both gradients and a matmul on the current schedules. */
function runAll(g: ConvGeometry, x: Float32Array, w: Float32Array, dy: Float32Array) {
  const gt = transposeGeometry('conv2dBackpropInput', g.outShape, g.filterShape, g.inShape, g.strides, [[g.pads[0], g.pads[1]], [g.pads[2], g.pads[3]]], g.dilations);
  const y = new Float32Array(dy.length).fill(Number.NaN);
  const dx = new Float32Array(x.length).fill(Number.NaN);
  const dw = new Float32Array(w.length).fill(Number.NaN);
  conv2dF32(g, x, w, y);
  conv2dBackpropInputF32(gt, dy, w, dx);
  conv2dBackpropFilterF32(g, x, dy, dw);
  const m = g.batch * g.inH * g.inW;
  const c = new Float32Array(m * g.outC).fill(Number.NaN);
  matmulF32(m, g.outC, g.inC, x, w.subarray(0, g.inC * g.outC), c, [[0, 0]]);
  return { y, dx, dw, c };
}

describe('register block schedules', () => {
  it(`the schedules were chosen by measurement (${schedules.length} per kernel): the filter gradient's at load, the others' by a conv before the first use`, () => {
    const g = convGeometry('conv2d', [1, 4, 4, 2], [3, 3, 2, 8], [1, 1], 'SAME', [1, 1]);
    conv2dF32(g, new Float32Array(32), new Float32Array(144), new Float32Array(128));
    const s = wasmKernels().schedules;
    expect(s.rows).toBeGreaterThanOrEqual(0);
    expect(s.rows).toBeLessThan(schedules.length);
    expect(s.cols).toBeGreaterThanOrEqual(0);
    expect(s.cols).toBeLessThan(schedules.length);
    expect(s.how).toMatch(/^measured, GFLOP\/s per schedule: cols \d+\/\d+\/\d+, rows \d+\/\d+\/\d+ \(a 3×3, 64-channel conv\)$|^forced by GRAFT_WASM_SCHEDULE$/);
  });

  for (const { name, g } of cases) {
    it(`${name}: every schedule gives the same bits, within 1e-5 of the reference`, () => {
      const e = wasmKernels().exports;
      const chosen = wasmKernels().schedules;
      const x = values(g.batch * g.inH * g.inW * g.inC, 1);
      const w = values(g.kh * g.kw * g.inC * g.outC, 2);
      const dy = values(g.batch * g.outH * g.outW * g.outC, 3);
      const results = [];
      try {
        for (let s = 0; s < schedules.length; s++) {
          e.setSchedules(s, s);
          results.push(runAll(g, x, w, dy));
        }
      } finally {
        e.setSchedules(chosen.rows, chosen.cols);
      }
      for (let s = 1; s < results.length; s++) {
        for (const k of ['y', 'dx', 'dw', 'c'] as const) {
          expect(Array.from(results[s]![k]), `${k}, schedule ${s} vs 0`).toEqual(Array.from(results[0]![k]));
        }
      }
      // And the bits are right: within 1e-5 of the float64 reference kernels, relative to the
      // largest Σ|terms| (the reference on absolute values).
      const within = (name: string, got: Float32Array, ref: (o: Float64Array, a: Float64Array, b: Float64Array) => void, a: Float32Array, b: Float32Array) => {
        const expected = new Float64Array(got.length);
        ref(expected, Float64Array.from(a), Float64Array.from(b));
        const scale = new Float64Array(got.length);
        ref(scale, Float64Array.from(a, Math.abs), Float64Array.from(b, Math.abs));
        const bound = 1e-5 * scale.reduce((m, v) => Math.max(m, v), 0);
        got.forEach((v, i) => {
          if (!(Math.abs(v - expected[i]!) <= bound)) expect.fail(`${name}[${i}] = ${v}, reference ${expected[i]} (bound ${bound})`);
        });
      };
      within('y', results[0]!.y, (o, a, b) => convForward(g, a, b, o), x, w);
      within('dx', results[0]!.dx, (o, a, b) => convBackpropInput(g, a, b, o), dy, w);
      within('dw', results[0]!.dw, (o, a, b) => convBackpropFilter(g, a, b, o), x, dy);
    });
  }
});

describe('the relaxed-SIMD build (fused multiply-add)', () => {
  it('is taken where the runtime validates it, and its conv family matches the reference (child process with the V8 flag)', () => {
    const major = Number(process.versions.node.split('.')[0]);
    const flags = major < 22 ? ['--experimental-wasm-relaxed-simd'] : [];
    const script = fileURLToPath(new URL('./relaxed-check.ts', import.meta.url));
    const r = spawnSync(process.execPath, [...flags, '--conditions=source', '--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr, 'child stderr').toBe('');
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^relaxed SIMD build: yes; schedules rows \d, cols \d; 6 geometries within 1e-5$/m);
  });

  it('is not taken by Node 20 without the flag (this process)', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(wasmKernels().relaxedSimd).toBe(major >= 22 || process.execArgv.includes('--experimental-wasm-relaxed-simd'));
  });
});

describe('cpu({ threads })', () => {
  it('two threads for one executor, one for another, in the same process: same bits, and the worker ran chunks', async () => {
    await whenThreadsReady(10_000, 2);
    const g = new Graph({ dtype: 'float32' });
    const xs = [4, 16, 16, 24] as const;
    const ws = [3, 3, 24, 40] as const;
    const x = g.input('x', xs);
    const w = g.input('w', ws);
    const y = g.conv2d(x, w, { padding: 'SAME' });
    const dw = g.conv2dBackpropFilter(x, y, { filterShape: ws, padding: 'SAME' });
    const feeds = { x: values(4 * 16 * 16 * 24, 4), w: values(3 * 3 * 24 * 40, 5) };
    const one = compile({ y, dw }, { backend: cpu({ kernels: 'wasm', threads: 1 }) });
    const two = compile({ y, dw }, { backend: cpu({ kernels: 'wasm', threads: 2 }) });
    const r1 = await one.run(feeds);
    const before = workerChunks();
    let r2 = await two.run(feeds);
    // A worker that the OS leaves waiting (a busy machine) while the caller claims every chunk
    // runs none, so the run repeats, for up to 10 s, until one did (almost always the first).
    const deadline = Date.now() + 10_000;
    while (workerChunks() === before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      r2 = await two.run(feeds);
    }
    expect(workerChunks(), 'chunks run by the worker thread').toBeGreaterThan(before);
    expect(Array.from(r2.y)).toEqual(Array.from(r1.y));
    expect(Array.from(r2.dw)).toEqual(Array.from(r1.dw));
    // The one-thread executor still runs on the caller alone.
    const after = workerChunks();
    await one.run(feeds);
    expect(workerChunks()).toBe(after);
    expect(threads(), 'the process default is untouched').toBe(threads());
    one.dispose();
    two.dispose();
  });
});
