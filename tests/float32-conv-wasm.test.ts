/**
 * The float32 WebAssembly conv kernels (packages/backend-cpu/wasm/assembly/conv.ts) against the
 * float64 reference kernels, over configurations large enough to reach every path of their
 * walkers: windows read in place next to gathered border pixels, the input gradient's residue
 * classes (rows of up to 10 pixels at stride 2) with in-place blocks, 8-column panels and the
 * narrow (< 8 channels) path, partial panels (9 channels), grouped convs.
 *
 * The float32 side is `cpu({ kernels: 'wasm', threads: 1 })`, whatever GRAFT_CPU_KERNELS says
 * (where oneDNN loads, the default path never runs these kernels for ungrouped convs), on one
 * thread so that every run takes the same chunks. Both sides get the same values (drawn in
 * float64, rounded to float32). Criterion, as in float32.test.ts: |y32 − y64| ≤ 1e-5 · scale
 * elementwise, scale the largest Σ|terms| (the float64 op applied to the operands' absolute
 * values), so that cancellation in a correct float32 sum cannot fail it.
 *
 * The small-shape generators of conv-config.ts (H/W ≤ 9, channels ≤ 4) never produced the shapes
 * that broke both walkers: a chunk (an input-gradient residue class, or the forward pass's
 * pixels) whose last block was read in place while gathered pixels were still queued — those
 * pixels were never computed and kept whatever the memory held. Against those kernels this
 * property fails after 60 runs (the forward case alone: after 514). `walkerTraits` replays the
 * walkers to show that the runs reach both cases (≈ 30 and ≈ 5 times in the 4000).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Graph, compile, cpu, type FloatArray } from 'graft';
import { convConfig, convTraits, geometryOf, requiredTraits } from './util/conv-config.ts';
import { mulberry32, uniform } from './util/random.ts';
import { assertCloseToMax, sizeOfDims, type Tensor } from './util/tensor.ts';
import { walkerTraits, wideCaseArb, wideRequiredTraits, type WideCase } from './util/wide-conv.ts';

const TOL = 1e-5;
const SEED = 0x3a5_f32c;
const RUNS = 4000;

// ── the check ─────────────────────────────────────────────────────────────────

type Ops = 'y' | 'dx' | 'dw' | 't';

function buildFamily(dtype: 'float32' | 'float64', c: WideCase) {
  const conv = c.conv;
  const out = geometryOf(conv).outShape;
  const g = new Graph({ dtype });
  const x = g.input('x', conv.x);
  const w = g.input('w', conv.w);
  const dy = g.input('dy', out);
  const attrs = { strides: conv.strides, padding: conv.padding, dilations: conv.dilations, groups: conv.groups };
  const nodes = {
    y: g.conv2d(x, w, attrs),
    dx: g.conv2dBackpropInput(dy, w, { ...attrs, inputShape: conv.x }),
    dw: g.conv2dBackpropFilter(x, dy, { ...attrs, filterShape: conv.w }),
    t: g.conv2dTranspose(dy, w, { ...attrs, outputShape: c.transposeShape }),
  };
  return nodes;
}

const f32 = cpu({ kernels: 'wasm', threads: 1 });
const f64 = cpu();

async function checkWide(c: WideCase): Promise<void> {
  const conv = c.conv;
  const rng = mulberry32(conv.seed);
  // Drawn in float64, rounded to float32: both sides see the same values.
  const draw = (shape: readonly number[]) => Float64Array.from(Float32Array.from(uniform(rng, sizeOfDims(shape))));
  const feeds = { x: draw(conv.x), w: draw(conv.w), dy: draw(geometryOf(conv).outShape) };
  const abs = { x: feeds.x.map(Math.abs), w: feeds.w.map(Math.abs), dy: feeds.dy.map(Math.abs) };
  const p32 = compile(buildFamily('float32', c), { backend: f32 });
  const p64 = compile(buildFamily('float64', c), { backend: f64 });
  try {
    const r32 = await p32.run({ x: Float32Array.from(feeds.x), w: Float32Array.from(feeds.w), dy: Float32Array.from(feeds.dy) });
    const r64 = await p64.run(feeds);
    const s64 = await p64.run(abs);
    const shapes: Record<Ops, readonly number[]> = { y: geometryOf(conv).outShape, dx: conv.x, dw: conv.w, t: c.transposeShape };
    const names: Record<Ops, string> = { y: 'conv2d', dx: 'conv2dBackpropInput', dw: 'conv2dBackpropFilter', t: 'conv2dTranspose' };
    for (const op of ['y', 'dx', 'dw', 't'] as const) {
      const got: FloatArray = r32[op];
      expect(got, `${names[op]} ${c.name}: float32 output`).toBeInstanceOf(Float32Array);
      const reference: Tensor = { shape: shapes[op], data: r64[op] as Float64Array };
      const scale = (s64[op] as Float64Array).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      assertCloseToMax(got, reference, TOL, `${names[op]} ${c.name} (data seed ${conv.seed}) wasm float32 vs float64`, scale);
    }
  } finally {
    p32.dispose();
    p64.dispose();
  }
}

describe('float32 WebAssembly conv kernels vs float64, larger shapes', () => {
  it('x=[1,14,14,1] w=[3,3,1,2] s=2 p=same: the transpose of v=[1,7,7,2] (a class ending in place with a pixel queued)', async () => {
    const conv = convConfig({ x: [1, 14, 14, 1], w: [3, 3, 1, 2], strides: [2, 2], dilations: [1, 1], padding: 'SAME' }, 11);
    const c: WideCase = { name: conv.name, conv, transposeShape: conv.x };
    expect(walkerTraits(c)).toContain('input gradient: a class ends in place with pixels queued');
    await checkWide(c);
  });

  it('x=[1,3,8,4] w=[1,3,4,8] p=[[0,0],[1,0]]: the forward chunk ends in place with a pixel queued', async () => {
    const conv = convConfig({ x: [1, 3, 8, 4], w: [1, 3, 4, 8], strides: [1, 1], dilations: [1, 1], padding: [[0, 0], [1, 0]] }, 12);
    const c: WideCase = { name: conv.name, conv, transposeShape: conv.x };
    expect(walkerTraits(c)).toContain('forward: the chunk ends in place with pixels queued');
    await checkWide(c);
  });

  it(`property: ${RUNS} generated configurations (seed ${SEED}), all four ops, every required trait`, async () => {
    const counts = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(wideCaseArb, async (c) => {
        for (const t of [...convTraits(c.conv), ...walkerTraits(c)]) counts.set(t, (counts.get(t) ?? 0) + 1);
        await checkWide(c);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    const missing = [...requiredTraits, ...wideRequiredTraits].filter((t) => (counts.get(t) ?? 0) === 0);
    expect(missing, `trait counts ${JSON.stringify(Object.fromEntries(counts))}`).toEqual([]);
  });
});
