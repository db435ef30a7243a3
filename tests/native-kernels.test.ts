/**
 * The native float32 kernels (`cpu({ kernels: 'onednn' })`, oneDNN through `@graft/onednn`)
 * against the float64 oracles of tests/util/oracle.ts, over fast-check configurations (odd
 * sizes, strides, dilations, asymmetric and explicit padding, SAME that pads asymmetrically,
 * 1×1 outputs) and larger fixed ones that reach oneDNN's blocked kernels; and what `cpu()`
 * does when the addon cannot be loaded.
 *
 * Criterion: |y32 − y64| ≤ 1e-4 · scale elementwise, scale = the largest |op(|operands|)|
 * (the oracle on absolute values: the largest Σ|terms| of any output), so that cancellation
 * in a correct float32 sum cannot fail the test.
 *
 * This machine's setup (scripts/setup.sh) installs oneDNN, so the addon must load here: the
 * tests that need it fail, with the loader's reason, where it does not.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Graph, GraphError, compile, cpu, type FloatArray, type Node } from 'graft';
import { isOnednn, loadOnednn } from '@graft/onednn';
import { convConfig, convConfigArb, geometryOf, TraitCounter, type ConvConfig } from './util/conv-config.ts';
import {
  refBackpropFilter,
  refBackpropInput,
  refConv2d,
  refDepthwiseBackpropFilter,
  refDepthwiseBackpropInput,
  refDepthwiseConv2d,
  refDepthwiseGeometry,
  refMatmul,
} from './util/oracle.ts';
import { mulberry32, uniform } from './util/random.ts';
import { assertCloseToMax, sizeOfDims, type Dims, type Tensor } from './util/tensor.ts';

const TOL = 1e-4;
const SEED = 0x0ed_4a;
const RUNS = 150;

const abs = (t: Tensor): Tensor => ({ shape: t.shape, data: t.data.map(Math.abs) });
const maxAbs = (t: Tensor) => t.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

function tensor(rng: () => number, shape: Dims): Tensor {
  // float32-representable values, so float32 and float64 start from the same numbers.
  return { shape, data: Float64Array.from(Float32Array.from(uniform(rng, sizeOfDims(shape)))) };
}

/** Compiles `outputs` for `backend`, runs it on float32 copies of `feeds`, returns outputs and kernel counts. */
async function run<O extends string>(
  backend: ReturnType<typeof cpu>,
  build: (g: Graph) => Record<O, Node>,
  feeds: Record<string, Tensor>,
): Promise<{ out: Record<O, FloatArray>; kernels: Readonly<Record<string, number>> }> {
  const g = new Graph({ dtype: 'float32' });
  const program = compile(build(g), { backend });
  const out = await program.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, Float32Array.from(t.data)])));
  const kernels = program.stats().kernels ?? {};
  program.dispose();
  return { out, kernels };
}

/** Steps that ran on oneDNN. */
const nativeSteps = (kernels: Readonly<Record<string, number>>) =>
  Object.entries(kernels).reduce((s, [k, n]) => s + (k.startsWith('onednn ') ? n : 0), 0);

/** conv2d, both gradients and conv2dTranspose of one configuration on `backend`, each against its oracle. */
async function checkConvFamily(c: ConvConfig, backend: ReturnType<typeof cpu>, native: boolean): Promise<void> {
  const rng = mulberry32(c.seed);
  const x = tensor(rng, c.x);
  const w = tensor(rng, c.w);
  const dy = tensor(rng, geometryOf(c).outShape);
  const attrs = { strides: c.strides, padding: c.padding, dilations: c.dilations, groups: c.groups };
  const { out, kernels } = await run(
    backend,
    (g) => {
      const [xi, wi, dyi] = [g.input('x', c.x), g.input('w', c.w), g.input('dy', dy.shape)];
      return {
        y: g.conv2d(xi, wi, attrs),
        dx: g.conv2dBackpropInput(dyi, wi, { ...attrs, inputShape: c.x }),
        dw: g.conv2dBackpropFilter(xi, dyi, { ...attrs, filterShape: c.w }),
        t: g.conv2dTranspose(dyi, wi, { ...attrs, outputShape: c.x }),
      };
    },
    { x, w, dy },
  );
  expect(nativeSteps(kernels), `${c.name}: steps on oneDNN (${JSON.stringify(kernels)})`).toBe(native ? 4 : 0);
  const conv = (a: Tensor, b: Tensor) => refConv2d(a, b, c.strides, c.padding, c.dilations, c.groups);
  const input = (a: Tensor, b: Tensor) => refBackpropInput(a, b, c.x, c.strides, c.padding, c.dilations, c.groups);
  const filter = (a: Tensor, b: Tensor) => refBackpropFilter(a, b, c.w, c.strides, c.padding, c.dilations, c.groups);
  const dxRef = input(dy, w);
  assertCloseToMax(out.y, conv(x, w), TOL, `conv2d ${c.name}`, maxAbs(conv(abs(x), abs(w))));
  assertCloseToMax(out.dx, dxRef, TOL, `conv2dBackpropInput ${c.name}`, maxAbs(input(abs(dy), abs(w))));
  assertCloseToMax(out.dw, filter(x, dy), TOL, `conv2dBackpropFilter ${c.name}`, maxAbs(filter(abs(x), abs(dy))));
  assertCloseToMax(out.t, dxRef, TOL, `conv2dTranspose ${c.name}`, maxAbs(input(abs(dy), abs(w))));
}

/** Geometries big enough for oneDNN's blocked (brgemm / jit) kernels, named by geometry. */
const blocked: readonly ConvConfig[] = [
  convConfig({ x: [2, 14, 14, 32], w: [5, 5, 32, 64], strides: [1, 1], dilations: [1, 1], padding: 'SAME' }),
  convConfig({ x: [3, 28, 28, 1], w: [5, 5, 1, 32], strides: [1, 1], dilations: [1, 1], padding: 'SAME' }),
  convConfig({ x: [2, 17, 15, 16], w: [3, 3, 16, 32], strides: [2, 2], dilations: [1, 1], padding: 'SAME' }),
  convConfig({ x: [2, 16, 16, 16], w: [3, 3, 16, 32], strides: [1, 1], dilations: [2, 2], padding: 'SAME' }),
  convConfig({ x: [1, 13, 11, 24], w: [4, 3, 24, 40], strides: [3, 2], dilations: [2, 1], padding: [[3, 0], [1, 2]] }),
  convConfig({ x: [2, 9, 9, 64], w: [1, 1, 64, 48], strides: [1, 1], dilations: [1, 1], padding: 'VALID' }),
  convConfig({ x: [1, 7, 7, 8], w: [7, 7, 8, 16], strides: [1, 1], dilations: [1, 1], padding: 'VALID' }),
  convConfig({ x: [2, 14, 14, 32], w: [3, 3, 8, 64], strides: [1, 1], dilations: [1, 1], padding: 'SAME', groups: 4 }),
  convConfig({ x: [2, 15, 13, 32], w: [3, 3, 1, 32], strides: [2, 2], dilations: [1, 1], padding: 'SAME', groups: 32 }),
  convConfig({ x: [1, 12, 12, 16], w: [3, 3, 1, 48], strides: [1, 1], dilations: [2, 2], padding: [[2, 1], [0, 3]], groups: 16 }),
];

/** The three depthwise ops of one configuration (x [n, h, w, c], w [kh, kw, c, m]) on `backend`, against their oracles. */
async function checkDepthwise(c: ConvConfig, backend: ReturnType<typeof cpu>): Promise<void> {
  const rng = mulberry32(c.seed);
  const x = tensor(rng, c.x);
  const w = tensor(rng, c.w);
  const dy = tensor(rng, refDepthwiseGeometry(c.x, c.w, c.strides, c.padding, c.dilations).outShape);
  const attrs = { strides: c.strides, padding: c.padding, dilations: c.dilations };
  const { out, kernels } = await run(
    backend,
    (g) => {
      const [xi, wi, dyi] = [g.input('x', c.x), g.input('w', c.w), g.input('dy', dy.shape)];
      return {
        y: g.depthwiseConv2d(xi, wi, attrs),
        dx: g.depthwiseConv2dBackpropInput(dyi, wi, { ...attrs, inputShape: c.x }),
        dw: g.depthwiseConv2dBackpropFilter(xi, dyi, { ...attrs, filterShape: c.w }),
      };
    },
    { x, w, dy },
  );
  expect(nativeSteps(kernels), `depthwise ${c.name}: steps on oneDNN (${JSON.stringify(kernels)})`).toBe(3);
  const conv = (a: Tensor, b: Tensor) => refDepthwiseConv2d(a, b, c.strides, c.padding, c.dilations);
  const input = (a: Tensor, b: Tensor) => refDepthwiseBackpropInput(a, b, c.x, c.strides, c.padding, c.dilations);
  const filter = (a: Tensor, b: Tensor) => refDepthwiseBackpropFilter(a, b, c.w, c.strides, c.padding, c.dilations);
  assertCloseToMax(out.y, conv(x, w), TOL, `depthwiseConv2d ${c.name}`, maxAbs(conv(abs(x), abs(w))));
  assertCloseToMax(out.dx, input(dy, w), TOL, `depthwiseConv2dBackpropInput ${c.name}`, maxAbs(input(abs(dy), abs(w))));
  assertCloseToMax(out.dw, filter(x, dy), TOL, `depthwiseConv2dBackpropFilter ${c.name}`, maxAbs(filter(abs(x), abs(dy))));
}

/** Depthwise geometries (filter [kh, kw, c, multiplier]). */
const depthwise: readonly ConvConfig[] = [
  convConfig({ x: [2, 14, 14, 32], w: [3, 3, 32, 1], strides: [1, 1], dilations: [1, 1], padding: 'SAME' }),
  convConfig({ x: [2, 17, 15, 16], w: [3, 3, 16, 2], strides: [2, 2], dilations: [1, 1], padding: 'SAME' }),
  convConfig({ x: [1, 11, 13, 8], w: [5, 3, 8, 3], strides: [1, 2], dilations: [2, 1], padding: [[1, 3], [2, 0]] }),
  convConfig({ x: [3, 6, 6, 5], w: [3, 3, 5, 1], strides: [1, 1], dilations: [1, 1], padding: 'VALID' }),
];

describe("cpu({ kernels: 'onednn' }): the conv family against float64 oracles (float32, 1e-4)", () => {
  const addon = loadOnednn();
  it('the addon loads here (scripts/setup.sh installs libdnnl-dev) and cpu() picks it by default', () => {
    expect(isOnednn(addon) ? 'loaded' : addon.reason).toBe('loaded');
    const env = process.env.GRAFT_CPU_KERNELS;
    const backend = cpu();
    expect(backend.kernels).toBe(env === undefined || env === '' ? 'onednn' : env);
    if (isOnednn(addon)) expect(addon.version()).toMatchObject({ major: 2 });
  });

  for (const c of blocked) {
    it(`${c.name}, 1 and 2 threads`, async () => {
      await checkConvFamily(c, cpu({ kernels: 'onednn', threads: 1 }), true);
      await checkConvFamily(c, cpu({ kernels: 'onednn', threads: 2 }), true);
    });
  }

  for (const c of depthwise) {
    it(`depthwise ${c.name}, 1 and 2 threads`, async () => {
      await checkDepthwise(c, cpu({ kernels: 'onednn', threads: 1 }));
      await checkDepthwise(c, cpu({ kernels: 'onednn', threads: 2 }));
    });
  }

  it(`property: ${RUNS} generated configurations (seed ${SEED}) cover every required trait`, async () => {
    const backend = cpu({ kernels: 'onednn', threads: 1 });
    const traits = new TraitCounter();
    await fc.assert(
      fc.asyncProperty(convConfigArb, async (c) => {
        traits.record(c);
        await checkConvFamily(c, backend, true);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(traits.missing(), `trait counts ${JSON.stringify(Object.fromEntries(traits.counts))}`).toEqual([]);
  });

  it('matmul: plain, batched, and with a broadcast batch axis', async () => {
    const rng = mulberry32(7);
    for (const [as, bs] of [
      [[5, 12], [12, 3]],
      [[64, 3136], [3136, 10]],
      [[3, 4, 7], [3, 7, 9]],
      [[2, 1, 3, 4], [3, 4, 2]],
    ] as [Dims, Dims][]) {
      const a = tensor(rng, as);
      const b = tensor(rng, bs);
      const { out, kernels } = await run(cpu({ kernels: 'onednn', threads: 1 }), (g) => ({ c: g.matmul(g.input('a', as), g.input('b', bs)) }), { a, b });
      expect(nativeSteps(kernels), `matmul ${JSON.stringify(as)}·${JSON.stringify(bs)}`).toBe(1);
      assertCloseToMax(out.c, refMatmul(a, b), TOL, `matmul ${JSON.stringify(as)}·${JSON.stringify(bs)}`, maxAbs(refMatmul(abs(a), abs(b))));
    }
  });

  it('the forward primitive with its bias + relu epilogue equals relu(conv2d(x, w) + b)', () => {
    if (!isOnednn(addon)) throw new Error(addon.reason);
    const c = convConfig({ x: [2, 9, 8, 16], w: [3, 3, 16, 24], strides: [2, 1], dilations: [1, 2], padding: 'SAME' });
    const g = geometryOf(c);
    const rng = mulberry32(11);
    const x = tensor(rng, c.x);
    const w = tensor(rng, c.w);
    const bias = tensor(rng, [24]);
    const y = new Float32Array(sizeOfDims(g.outShape));
    const conv = new addon.Conv({
      kind: 'forward', threads: 1, bias: true, relu: true,
      batch: 2, inH: 9, inW: 8, inC: 16, outH: g.h.out, outW: g.w.out, outC: 24, kh: 3, kw: 3,
      sh: 2, sw: 1, dh: 1, dw: 2, pt: g.h.before, pb: g.h.after, pl: g.w.before, pr: g.w.after,
    });
    conv.run(Float32Array.from(x.data), Float32Array.from(w.data), y, Float32Array.from(bias.data));
    const ref = refConv2d(x, w, c.strides, c.padding, c.dilations);
    const expected = { shape: ref.shape, data: ref.data.map((v, i) => Math.max(0, v + bias.data[i % 24]!)) };
    let negatives = 0;
    ref.data.forEach((v, i) => (negatives += v + bias.data[i % 24]! < 0 ? 1 : 0));
    expect(negatives, 'relu must clip some outputs for the test to mean anything').toBeGreaterThan(10);
    assertCloseToMax(y, expected, TOL, `conv+bias+relu ${c.name}`, maxAbs(refConv2d(abs(x), abs(w), c.strides, c.padding, c.dilations)) + 1);
  });

  it('a primitive refuses arrays shorter than its geometry (no out-of-bounds access)', () => {
    if (!isOnednn(addon)) throw new Error(addon.reason);
    const conv = new addon.Conv({ kind: 'forward', threads: 1, batch: 1, inH: 4, inW: 4, inC: 2, outH: 4, outW: 4, outC: 3, kh: 3, kw: 3, sh: 1, sw: 1, dh: 1, dw: 1, pt: 1, pb: 1, pl: 1, pr: 1 });
    expect(() => conv.run(new Float32Array(32), new Float32Array(54), new Float32Array(47))).toThrow(/out must hold 48 floats, got 47/);
    expect(() => conv.run(new Float32Array(31), new Float32Array(54), new Float32Array(48))).toThrow(/a must hold 32 floats, got 31/);
  });
});

/**
 * `cpu(options)` as an install without the addon sees it: no GRAFT_CPU_KERNELS (the suite's
 * runs set it to force a path; forcing 'onednn' where it does not load is an error, tested below).
 */
function cpuWithoutEnv(options: Parameters<typeof cpu>[0]): ReturnType<typeof cpu> {
  const saved = process.env.GRAFT_CPU_KERNELS;
  delete process.env.GRAFT_CPU_KERNELS;
  try {
    return cpu(options);
  } finally {
    if (saved !== undefined) process.env.GRAFT_CPU_KERNELS = saved;
  }
}

describe('without the addon, cpu() runs on the WebAssembly kernels and says why', () => {
  const missing = join(mkdtempSync(join(tmpdir(), 'graft-onednn-')), 'graft_onednn.node');
  const broken = join(mkdtempSync(join(tmpdir(), 'graft-onednn-')), 'graft_onednn.node');
  writeFileSync(broken, 'not a shared object');

  it('a missing build: kernels "wasm", the reason names the file and how to build it; results still match the oracles', async () => {
    const backend = cpuWithoutEnv({ loadNative: () => loadOnednn(missing) });
    expect(backend.kernels).toBe('wasm');
    expect(backend.kernelsWhy).toContain('the oneDNN addon is not available');
    expect(backend.kernelsWhy).toContain(missing);
    expect(backend.kernelsWhy).toContain('pnpm --filter @graft/onednn build');
    const c = convConfig({ x: [2, 7, 7, 3], w: [3, 3, 3, 5], strides: [2, 2], dilations: [1, 1], padding: 'SAME' });
    await checkConvFamily(c, backend, false);
  });

  it('a library that fails to load (e.g. libdnnl absent): the loader’s error is the reason', () => {
    const why = loadOnednn(broken);
    expect(isOnednn(why)).toBe(false);
    expect((why as { reason: string }).reason).toMatch(/failed to load/);
    expect(cpuWithoutEnv({ loadNative: () => why }).kernelsWhy).toContain((why as { reason: string }).reason);
  });

  it("asking for 'onednn' where it does not load throws with the reason; a bad GRAFT_CPU_KERNELS value throws", () => {
    expect(() => cpu({ kernels: 'onednn', loadNative: () => loadOnednn(missing) })).toThrow(GraphError);
    expect(() => cpu({ kernels: 'onednn', loadNative: () => loadOnednn(missing) })).toThrow(/asks for the oneDNN kernels, which are not available: the oneDNN addon is not built/);
    expect(() => cpu({ kernels: 'gpu' as 'wasm' })).toThrow(/must be one of onednn, wasm, typescript \(kernels "gpu"\)/);
    expect(() => {
      const saved = process.env.GRAFT_CPU_KERNELS;
      process.env.GRAFT_CPU_KERNELS = 'onednn';
      try {
        cpu({ loadNative: () => loadOnednn(missing) });
      } finally {
        if (saved === undefined) delete process.env.GRAFT_CPU_KERNELS;
        else process.env.GRAFT_CPU_KERNELS = saved;
      }
    }).toThrow(/GRAFT_CPU_KERNELS asks for the oneDNN kernels, which are not available/);
  });

  it("cpu({ kernels: 'typescript' }) runs no WebAssembly or native step", async () => {
    const backend = cpu({ kernels: 'typescript' });
    expect(backend.kernelsWhy).toBe('asked for by cpu({ kernels })');
    const c = convConfig({ x: [1, 6, 5, 2], w: [2, 3, 2, 3], strides: [1, 2], dilations: [2, 1], padding: 'SAME' });
    await checkConvFamily(c, backend, false);
    const { kernels } = await run(backend, (g) => ({ y: g.conv2d(g.input('x', [1, 4, 4, 1]), g.input('w', [2, 2, 1, 1])) }), {
      x: tensor(mulberry32(1), [1, 4, 4, 1]),
      w: tensor(mulberry32(2), [2, 2, 1, 1]),
    });
    expect(kernels).toEqual({ typescript: 1 });
  });
});

describe('conv + bias + relu as one oneDNN primitive (the fused step after the conv becomes its post-ops)', () => {
  const shapes = { x: [3, 13, 11, 16], w: [3, 3, 16, 24], b: [24] } as const;
  const rng = mulberry32(21);
  const x = tensor(rng, shapes.x);
  const w = tensor(rng, shapes.w);
  const b = tensor(rng, shapes.b);
  const c = convConfig({ x: shapes.x, w: shapes.w, strides: [2, 1], dilations: [1, 1], padding: 'SAME' });
  const z = refConv2d(x, w, c.strides, c.padding, c.dilations);
  const scale = maxAbs(refConv2d(abs(x), abs(w), c.strides, c.padding, c.dilations)) + maxAbs(b);
  const shifted = { shape: z.shape, data: z.data.map((v, i) => v + b.data[i % 24]!) };

  for (const relu of [true, false]) {
    it(`inference: ${relu ? 'relu(conv2d(x, w) + b)' : 'conv2d(x, w) + b'} runs as one primitive and equals the oracle`, async () => {
      const { out, kernels } = await run(
        cpu({ kernels: 'onednn', threads: 1 }),
        (g) => {
          const y = g.biasAdd(g.conv2d(g.input('x', shapes.x), g.input('w', shapes.w), { strides: [2, 1], padding: 'SAME' }), g.input('b', shapes.b));
          return { y: relu ? g.relu(y) : y };
        },
        { x, w, b },
      );
      expect(kernels, JSON.stringify(kernels)).toEqual({ [`onednn brgconv:avx512_core + ${relu ? 'bias, relu' : 'bias'}`]: 1 });
      const expected = relu ? { shape: z.shape, data: shifted.data.map((v) => Math.max(0, v)) } : shifted;
      assertCloseToMax(out.y, expected, TOL, 'conv+bias(+relu)', scale);
    });
  }

  it('inference: relu(depthwiseConv2d(x, w) + b) runs as one primitive and equals the oracle', async () => {
    const dw = { x: [2, 12, 10, 16], w: [3, 3, 16, 2], b: [32] } as const;
    const r = mulberry32(22);
    const [dx, dwt, db] = [tensor(r, dw.x), tensor(r, dw.w), tensor(r, dw.b)];
    const { out, kernels } = await run(
      cpu({ kernels: 'onednn', threads: 1 }),
      (g) => ({ y: g.relu(g.biasAdd(g.depthwiseConv2d(g.input('x', dw.x), g.input('w', dw.w), { strides: 2, padding: 'SAME' }), g.input('b', dw.b))) }),
      { x: dx, w: dwt, b: db },
    );
    const steps = Object.entries(kernels);
    expect(steps.length === 1 && steps[0]![0].startsWith('onednn ') && steps[0]![0].endsWith(' + bias, relu') && steps[0]![1] === 1, JSON.stringify(kernels)).toBe(true);
    const zd = refDepthwiseConv2d(dx, dwt, [2, 2], 'SAME', [1, 1]);
    const expected = { shape: zd.shape, data: zd.data.map((v, i) => Math.max(0, v + db.data[i % 32]!)) };
    assertCloseToMax(out.y, expected, TOL, 'relu(depthwise + b)', maxAbs(refDepthwiseConv2d(abs(dx), abs(dwt), [2, 2], 'SAME', [1, 1])) + maxAbs(db));
  });

  it('training: the relu gradient reads the conv output, so conv and bias + relu stay two steps', async () => {
    const { out, kernels } = await run(
      cpu({ kernels: 'onednn', threads: 1 }),
      (g) => {
        const z0 = g.conv2d(g.input('x', shapes.x), g.input('w', shapes.w), { strides: [2, 1], padding: 'SAME' });
        const bi = g.input('b', shapes.b);
        const y = g.relu(g.biasAdd(z0, bi));
        return { y, gz: g.mul(g.step(g.biasAdd(z0, bi)), y) };
      },
      { x, w, b },
    );
    expect(Object.keys(kernels).some((k) => k.includes('+ bias')), JSON.stringify(kernels)).toBe(false);
    assertCloseToMax(out.y, { shape: z.shape, data: shifted.data.map((v) => Math.max(0, v)) }, TOL, 'relu(conv + b), unfused', scale);
  });
});

describe('conv + bias + relu epilogue and the memory plan', () => {
  it('where the planner gives the conv input\'s storage to the fused output, the conv and its epilogue stay apart', async () => {
    // Without in-place updates, relu(conv + b)'s output takes the storage of tanh(x), whose last
    // reader is the conv: run as one primitive, the conv would overwrite its own input.
    const rng = mulberry32(5);
    const x = tensor(rng, [2, 8, 8, 8]);
    const w = tensor(rng, [3, 3, 8, 8]);
    const b = tensor(rng, [8]);
    const g = new Graph({ dtype: 'float32' });
    const h = g.tanh(g.input('x', [2, 8, 8, 8]));
    const r = g.relu(g.biasAdd(g.conv2d(h, g.input('w', [3, 3, 8, 8]), { padding: 'SAME' }), g.input('b', [8])));
    const program = compile({ y: g.maxPool(r, { ksize: 2, strides: 2, padding: 'VALID' }) }, { backend: cpu({ kernels: 'onednn', threads: 1 }), memory: { inPlace: false } });
    const steps = program.plan.steps;
    const conv = steps.find((s) => s.node.op === 'conv2d')!;
    const fused = steps[steps.indexOf(conv) + 1]!;
    const tanh = program.plan.buffers[conv.inputs[0]!]!;
    expect(fused.node.op).toBe('fused');
    const storage = program.memory!.storage;
    expect(storage[fused.output], 'the scenario: the fused output reuses the conv input').toEqual(storage[tanh.id]);
    expect(Object.keys(program.stats().kernels ?? {}).some((k) => k.includes('+ bias')), JSON.stringify(program.stats().kernels)).toBe(false);
    const out = await program.run({ x: Float32Array.from(x.data), w: Float32Array.from(w.data), b: Float32Array.from(b.data) });
    const hx = { shape: x.shape, data: x.data.map(Math.tanh) };
    const z = refConv2d(hx, w, 1, 'SAME', 1);
    const relu = { shape: z.shape, data: z.data.map((v, i) => Math.max(0, v + b.data[i % 8]!)) };
    const pooled = new Float64Array(2 * 4 * 4 * 8);
    pooled.forEach((_, o) => {
      const [n, i, j, c] = [Math.floor(o / 128), Math.floor(o / 32) % 4, Math.floor(o / 8) % 4, o % 8];
      let m = -Infinity;
      for (const [a, bb] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) m = Math.max(m, relu.data[((n * 8 + 2 * i + a) * 8 + 2 * j + bb) * 8 + c]!);
      pooled[o] = m;
    });
    assertCloseToMax(out.y, { shape: [2, 4, 4, 8], data: pooled }, TOL, 'maxPool(relu(conv2d(tanh(x), w) + b))', maxAbs(refConv2d(abs(hx), abs(w), 1, 'SAME', 1)) + 1);
    program.dispose();
  });
});
