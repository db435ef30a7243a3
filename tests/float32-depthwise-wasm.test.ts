/**
 * The float32 WebAssembly depthwise kernels (packages/backend-cpu/wasm/assembly/depthwise.ts)
 * against the float64 oracles written from `tf.nn.depthwise_conv2d`'s definition, over
 * configurations with enough channels to reach the vector body and its scalar tail (1–37
 * channels), multipliers 1 (lane for lane), 4 and 8 (the vectorised multiplier loop) and 2, 3, 5
 * (its tail), strides, dilations, VALID / SAME / explicit asymmetric padding, and shapes large
 * enough to be split over two threads.
 *
 * The float32 side is `cpu({ kernels: 'wasm' })` whatever GRAFT_CPU_KERNELS says, and each run
 * asserts that all three ops ran on the WebAssembly kernels. Criterion, as in float32.test.ts:
 * |y32 − y64| ≤ 1e-5 · scale elementwise, scale the largest Σ|terms| (the oracle applied to the
 * operands' absolute values), so that cancellation in a correct float32 sum cannot fail it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Graph, compile, cpu } from 'graft';
import { cpuWorkerChunks, whenCpuThreadsReady } from '@graft/backend-cpu';
import { axisArbOf, fmtPadding, type DepthwiseConfig } from './util/conv-config.ts';
import {
  refAxis,
  refDepthwiseBackpropFilter,
  refDepthwiseBackpropInput,
  refDepthwiseConv2d,
  refDepthwiseGeometry,
  type PaddingSpec,
} from './util/oracle.ts';
import { mulberry32, uniform } from './util/random.ts';
import { assertCloseToMax, fmtDims, sizeOfDims, type Dims, type Tensor } from './util/tensor.ts';

const TOL = 1e-5;
const SEED = 0xd_e9_f32;
const RUNS = 400;

const axis = axisArbOf(12, 5);

function depthwiseConfig(x: Dims, w: Dims, strides: readonly [number, number], dilations: readonly [number, number], padding: PaddingSpec, seed: number): DepthwiseConfig {
  const name = `x=${fmtDims(x)} w=${fmtDims(w)} s=${strides.join(',')} d=${dilations.join(',')} p=${fmtPadding(padding)}`;
  return { name, x: x as DepthwiseConfig['x'], w: w as DepthwiseConfig['w'], strides, dilations, padding, seed };
}

const configArb: fc.Arbitrary<DepthwiseConfig> = fc
  .record({
    n: fc.integer({ min: 1, max: 2 }),
    c: fc.integer({ min: 1, max: 37 }),
    m: fc.constantFrom(1, 1, 1, 2, 3, 4, 5, 8),
    h: axis,
    w: axis,
    mode: fc.constantFrom('VALID' as const, 'SAME' as const, 'EXPLICIT' as const),
    seed: fc.integer({ min: 0, max: 0x7fffffff }),
  })
  .map(({ n, c, m, h, w, mode, seed }) =>
    depthwiseConfig(
      [n, h.size, w.size, c],
      [h.k, w.k, c, m],
      [h.s, w.s],
      [h.d, w.d],
      mode === 'EXPLICIT' ? [[h.before, h.after], [w.before, w.after]] : mode,
      seed,
    ),
  )
  .filter(
    (c) =>
      refAxis(c.x[1], c.w[0], c.strides[0], c.dilations[0], c.padding, 0) !== undefined &&
      refAxis(c.x[2], c.w[1], c.strides[1], c.dilations[1], c.padding, 1) !== undefined,
  );

const maxAbs = (t: Tensor) => t.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const abs = (t: Tensor): Tensor => ({ shape: t.shape, data: t.data.map(Math.abs) });

type Outputs = Record<'y' | 'dx' | 'dw', Float32Array>;

async function check(c: DepthwiseConfig, threads: number): Promise<Outputs> {
  const rng = mulberry32(c.seed);
  // Drawn in float64, rounded to float32: both sides see the same values.
  const draw = (shape: Dims): Tensor => ({ shape, data: Float64Array.from(Float32Array.from(uniform(rng, sizeOfDims(shape)))) });
  const x = draw(c.x);
  const w = draw(c.w);
  const dy = draw(refDepthwiseGeometry(c.x, c.w, c.strides, c.padding, c.dilations).outShape);
  const g = new Graph({ dtype: 'float32' });
  const attrs = { strides: c.strides, padding: c.padding, dilations: c.dilations };
  const [xi, wi, dyi] = [g.input('x', c.x), g.input('w', c.w), g.input('dy', dy.shape)];
  const program = compile(
    {
      y: g.depthwiseConv2d(xi, wi, attrs),
      dx: g.depthwiseConv2dBackpropInput(dyi, wi, { ...attrs, inputShape: c.x }),
      dw: g.depthwiseConv2dBackpropFilter(xi, dyi, { ...attrs, filterShape: c.w }),
    },
    { backend: cpu({ kernels: 'wasm', threads }) },
  );
  try {
    const out = await program.run({ x: Float32Array.from(x.data), w: Float32Array.from(w.data), dy: Float32Array.from(dy.data) });
    expect(program.stats().kernels, `${c.name}: kernels`).toEqual({ wasm: 3 });
    const conv = (a: Tensor, b: Tensor) => refDepthwiseConv2d(a, b, c.strides, c.padding, c.dilations);
    const input = (a: Tensor, b: Tensor) => refDepthwiseBackpropInput(a, b, c.x, c.strides, c.padding, c.dilations);
    const filter = (a: Tensor, b: Tensor) => refDepthwiseBackpropFilter(a, b, c.w, c.strides, c.padding, c.dilations);
    const label = (op: string) => `${op} ${c.name} (seed ${c.seed}, ${threads} thread${threads === 1 ? '' : 's'}) wasm float32 vs float64`;
    assertCloseToMax(out.y, conv(x, w), TOL, label('depthwiseConv2d'), maxAbs(conv(abs(x), abs(w))));
    assertCloseToMax(out.dx, input(dy, w), TOL, label('depthwiseConv2dBackpropInput'), maxAbs(input(abs(dy), abs(w))));
    assertCloseToMax(out.dw, filter(x, dy), TOL, label('depthwiseConv2dBackpropFilter'), maxAbs(filter(abs(x), abs(dy))));
    return out as Outputs;
  } finally {
    program.dispose();
  }
}

describe('float32 WebAssembly depthwise kernels vs float64 oracles', () => {
  it(`property: ${RUNS} generated configurations (seed ${SEED}): channels 1–37, multipliers 1–8, strides, dilations, padding`, async () => {
    const seen = { vectorBody: 0, scalarTail: 0, multiplierVector: 0, multiplierTail: 0, strided: 0, dilated: 0 };
    await fc.assert(
      fc.asyncProperty(configArb, async (c) => {
        const [ch, m] = [c.x[3], c.w[3]];
        if (m === 1 && ch >= 4) seen.vectorBody++;
        if (m === 1 && ch % 4 !== 0) seen.scalarTail++;
        if (m >= 4) seen.multiplierVector++;
        if (m > 1 && m % 4 !== 0) seen.multiplierTail++;
        if (c.strides.some((s) => s > 1)) seen.strided++;
        if (c.dilations.some((d) => d > 1)) seen.dilated++;
        await check(c, 1);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    for (const [trait, count] of Object.entries(seen)) expect(count, `${trait} (counts ${JSON.stringify(seen)})`).toBeGreaterThan(10);
  });

  // Large enough (≥ 2^19 multiply-adds) for the calls to be split over two threads. Every output
  // element is summed by one chunk in a fixed order, so two threads give one thread's bits.
  const large = [
    depthwiseConfig([4, 28, 28, 32], [3, 3, 32, 1], [1, 1], [1, 1], 'SAME', 1),
    depthwiseConfig([2, 31, 29, 22], [5, 3, 22, 2], [2, 1], [1, 2], [[2, 1], [0, 3]], 2),
    depthwiseConfig([4, 40, 40, 16], [3, 3, 16, 4], [2, 2], [1, 1], 'SAME', 3),
  ];
  for (const c of large) {
    it(`${c.name}, 1 and 2 threads (bit for bit)`, async () => {
      const one = await check(c, 1);
      await whenCpuThreadsReady(10_000, 2);
      const before = cpuWorkerChunks();
      // A worker that the OS leaves waiting while the caller claims every chunk runs none, so
      // the runs repeat until one did (almost always the first).
      for (let i = 0; i < 2 || (cpuWorkerChunks() === before && i < 50); i++) {
        const two = await check(c, 2);
        for (const op of ['y', 'dx', 'dw'] as const) expect(Array.from(two[op]), `${op}, 2 threads vs 1`).toEqual(Array.from(one[op]));
      }
      expect(cpuWorkerChunks(), 'chunks run by the worker thread').toBeGreaterThan(before);
    });
  }
});
