/**
 * Every compiler pass preserves semantics: fast-check builds random well-formed float64
 * graphs (elementwise ops with broadcasting, reductions, layout ops, the conv family,
 * pools, matmul, softmax, plus patterns the simplifier, CSE, folding and DCE act on), takes
 * their gradients with `grad`, and checks that each pass alone, the whole pipeline (with
 * and without conv-gradient lowering, and verifying after every pass) and the memory planner
 * give the outputs of the plain program — one step per node, one buffer per node — to
 * 1e-12, on two different sets of feeds (so a stale reused buffer would show), with arenas
 * poisoned with NaN (so a read of an element nobody wrote would show). Every plan also passes
 * `checkPlan`'s shadow run of its memory.
 */
import fc from 'fast-check';
import {
  Graph,
  GraftError,
  checkPlan,
  compile,
  cpu,
  csePass,
  dcePass,
  defaultPipeline,
  foldConstantsPass,
  fusePass,
  grad,
  liveNodes,
  lowerConvGradientsPass,
  printGraph,
  simplifyPass,
  validInputSizes,
  verifyPass,
  type CompileOptions,
  type FloatArray,
  type Node,
  type Pass,
} from 'graft';
import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from './util/random.ts';

interface RandomGraph {
  readonly g: Graph;
  readonly outputs: Record<string, Node>;
  readonly inputs: readonly Node[];
  /** Names of the ops applied, for the failure message. */
  readonly log: readonly string[];
}

/**
 * A random graph: a rank-4 input `x`, a filter `w`, a vector `v`, a matrix `m`, then 4–12
 * random ops each applied to a recent node (an op whose attrs do not fit is skipped), some
 * dead branches, and outputs `y` (the last node), `mid` (an intermediate one), the scalar
 * `loss = Σ y·c + Σ mid²` and its gradient with respect to every input.
 */
function randomGraph(seed: number): RandomGraph {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const g = new Graph({ dtype: 'float64' });
  const [n, h, wd, c] = [int(1, 2), int(3, 6), int(3, 6), int(1, 3)];
  const x = g.input('x', [n, h, wd, c]);
  const co = int(1, 3);
  const w = g.input('w', [int(1, 3), int(1, 3), c, co]);
  const v = g.input('v', [c]);
  const m = g.input('m', [c, int(1, 4)]);
  const inputs = [x, w, v, m];
  const pool: Node[] = [x];
  const log: string[] = [];
  const constant = (shape: readonly number[]) => g.constant(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1), shape);
  const rank4 = () => pool.filter((p) => p.rank === 4);
  const generators: Record<string, (a: Node) => Node> = {
    unary: (a) => g.node(pick(['neg', 'exp', 'relu', 'sigmoid', 'tanh', 'square', 'step'] as const), [g.tanh(a)], {}),
    safeLogSqrt: (a) => (r() < 0.5 ? g.log(g.add(g.square(a), 0.5)) : g.sqrt(g.add(g.square(a), 0.25))),
    sameShape: (a) => {
      const b = pool.filter((p) => p !== a && p.shape.join() === a.shape.join());
      return g.node(pick(['add', 'sub', 'mul'] as const), [a, b.length ? pick(b) : g.neg(a)], {});
    },
    broadcast: (a) => {
      const last = a.shape[a.rank - 1] ?? 1;
      const b = last === c && r() < 0.5 ? v : constant(a.rank >= 2 && r() < 0.5 ? [a.shape[a.rank - 2]!, 1] : [last]);
      return r() < 0.5 ? g.node(pick(['add', 'sub', 'mul'] as const), [a, b], {}) : g.div(b, g.add(g.square(a), 1));
    },
    scalar: (a) => g.node(pick(['add', 'sub', 'mul', 'div'] as const), r() < 0.5 ? [a, r() * 4 - 2] : [r() * 4 - 2, g.add(g.square(a), 1)], {}),
    centre: (a) => g.sub(a, g.mean(a, [a.rank - 1], true)),
    reduce: (a) => {
      const axes = [...Array(a.rank).keys()].filter(() => r() < 0.5);
      return g.node(pick(['sum', 'mean', 'max'] as const), [a], { axes, keepDims: r() < 0.5 });
    },
    reshape: (a) => g.reshape(a, r() < 0.5 ? [-1] : [a.shape[0] ?? 1, -1]),
    transpose: (a) => g.transpose(a, [...Array(a.rank).keys()].sort(() => r() - 0.5)),
    reverse: (a) => g.reverse(a, [...Array(a.rank).keys()].filter(() => r() < 0.5)),
    pad: (a) => g.pad(a, a.shape.map((d) => [int(d > 1 ? -1 : 0, 2), int(0, 1)] as const)),
    dilate: (a) => g.dilate(a, [int(1, 3), int(1, 2)]),
    conv2d: (a) => g.conv2d(a, a.shape[3] === c ? w : constant([2, 2, a.shape[3]!, 2]), { strides: int(1, 2), padding: pick(['SAME', 'VALID'] as const), dilations: int(1, 2) }),
    conv2dTranspose: (a) => {
      const s = int(1, 2);
      const filter = constant([2, int(1, 3), int(1, 2), a.shape[3]!]);
      const hs = validInputSizes(a.shape[1]!, 2, s, 1, 'SAME');
      const ws = validInputSizes(a.shape[2]!, filter.shape[1]!, s, 1, 'SAME');
      return g.conv2dTranspose(a, filter, { outputShape: [a.shape[0]!, pick(hs), pick(ws), filter.shape[2]!], strides: s, padding: 'SAME' });
    },
    pool: (a) => g.node(pick(['maxPool', 'avgPool'] as const), [a], { ksize: int(1, 2), strides: int(1, 2), padding: pick(['SAME', 'VALID'] as const) }),
    biasAdd: (a) => g.biasAdd(a, a.shape[a.rank - 1] === c ? v : constant([a.shape[a.rank - 1]!])),
    matmul: (a) => (a.rank === 2 && a.shape[1] === c ? g.matmul(a, m) : g.matmul(g.reshape(a, [-1, a.shape[a.rank - 1] ?? 1]), constant([a.shape[a.rank - 1] ?? 1, 2]))),
    softmax: (a) => g.node(pick(['softmax', 'logSoftmax'] as const), [a], { axis: -1 }),
    broadcastTo: (a) => g.broadcastTo(a, [2, ...a.shape]),
    // Patterns the simplifier must remove.
    bait: (a) =>
      pick([
        () => g.neg(g.neg(a)),
        () => g.reverse(g.reverse(a, [0]), [0]),
        () => g.transpose(g.transpose(a, [...Array(a.rank).keys()].reverse()), [...Array(a.rank).keys()].reverse()),
        () => g.mul(a, 1),
        () => g.add(0, a),
        () => g.sub(a, g.neg(a)),
        () => g.pad(a, a.shape.map(() => [0, 0] as const)),
        () => g.reshape(a, a.shape),
        () => g.broadcastTo(a, a.shape),
        () => g.sum(a, []),
        () => g.div(g.mul(a, g.broadcastTo(g.constant(1), a.shape)), 1),
      ])(),
    // Chains of layout ops the simplifier composes.
    layoutChain: (a) => {
      const perm = () => [...Array(a.rank).keys()].sort(() => r() - 0.5);
      const axes = () => [...Array(a.rank).keys()].filter(() => r() < 0.5);
      return pick([
        () => g.transpose(g.transpose(a, perm()), perm()),
        () => g.transpose(g.transpose(g.transpose(a, perm()), perm()), perm()),
        () => g.reverse(g.reverse(a, axes()), axes()),
        () => g.pad(g.pad(a, a.shape.map(() => [int(0, 1), int(0, 1)] as const)), a.shape.map(() => [int(0, 1), int(0, 1)] as const)),
        () => g.reshape(g.reshape(a, [-1]), a.shape.length > 1 ? [a.shape[0]!, -1] : [-1]),
        () => g.broadcastTo(g.broadcastTo(a, [1, ...a.shape]), [2, 1, ...a.shape]),
        () => g.square(g.neg(a)),
        () => g.add(g.neg(a), g.tanh(a)),
        () => g.mul(a, -1),
      ])();
    },
    // Two equal subgraphs built separately (CSE), constant arithmetic (folding), a dead branch (DCE).
    twins: (a) => g.add(g.tanh(g.mul(a, 0.5)), g.tanh(g.mul(a, 0.5))),
    constants: (a) => g.mul(a, g.add(g.square(g.constant([0.5, -1.5], [2])), 1).shape[0] === 2 ? g.sum(g.add(g.square(g.constant([0.5, -1.5], [2])), 1)) : 1),
    dead: (a) => {
      g.exp(g.transpose(a));
      return a;
    },
  };
  // Rewrite bait twice as often as the rest.
  const names = [...Object.keys(generators), 'bait', 'layoutChain', 'layoutChain', 'twins'];
  const steps = int(4, 12);
  for (let i = 0; i < steps; i++) {
    const wantConv = r() < 0.15 && rank4().length > 0;
    const a = wantConv ? pick(rank4()) : pool[Math.max(0, pool.length - 1 - int(0, 2))]!;
    const name = wantConv ? pick(['conv2d', 'conv2dTranspose', 'pool', 'dilate', 'biasAdd']) : pick(names);
    try {
      const out = generators[name]!(a);
      if (out.size > 4000 || out.size === 0) continue;
      pool.push(out);
      log.push(name);
    } catch (e) {
      if (!(e instanceof GraftError)) throw e;
    }
  }
  const y = pool[pool.length - 1]!;
  const mid = pool[Math.floor(pool.length / 2)]!;
  const loss = g.add(g.sum(g.mul(y, constant(y.shape))), g.sum(g.square(mid)));
  const grads = grad(loss, inputs);
  const outputs: Record<string, Node> = { y, mid, loss };
  inputs.forEach((input, i) => (outputs[`d${input.is('input') ? input.attrs.name : i}`] = grads[i]!));
  return { g, outputs, inputs, log };
}

function feedsFor(inputs: readonly Node[], seed: number): Record<string, Float64Array> {
  const r = rng(seed);
  return Object.fromEntries(inputs.map((n) => [(n as Node<'input'>).attrs.name, Float64Array.from({ length: n.size }, () => r() * 2 - 1)]));
}

/** |a − b| ≤ 1e-12 · (1 + max |b|) elementwise, with NaN = NaN and equal infinities. */
function agree(got: FloatArray, want: FloatArray): string | undefined {
  let scale = 1;
  for (const v of want) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < want.length; i++) {
    const a = got[i]!;
    const b = want[i]!;
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (a === b) continue;
    if (!(Math.abs(a - b) <= 1e-12 * scale)) return `element ${i}: ${a} vs ${b}`;
  }
  return undefined;
}

const variants: Record<string, Partial<CompileOptions>> = {
  ...Object.fromEntries(
    ([verifyPass, simplifyPass, foldConstantsPass, csePass, dcePass, fusePass, lowerConvGradientsPass] as Pass[]).map((p) => [`${p.name} only`, { passes: [p] }]),
  ),
  'memory planning only': { passes: [] },
  pipeline: {},
  'pipeline, debug': { debug: true },
  'pipeline with lowering': { lowerConvGradients: true },
  'pipeline without memory planning': { memory: { reuse: false, inPlace: false, views: false } },
  'pipeline, no reuse but in place and views': { memory: { reuse: false } },
};

describe('compiler passes preserve semantics (random float64 graphs and their gradients)', () => {
  it('each pass alone, the whole pipeline and the memory planner agree with the plain program to 1e-12', async () => {
    let graphs = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
        const { outputs, inputs, log } = randomGraph(seed);
        graphs++;
        const describeGraph = () => `seed ${seed}, ops ${log.join(' → ')}\n${printGraph(liveNodes(outputs, 'test'))}`;
        const reference = compile(outputs, { backend: cpu(), passes: [], memory: { reuse: false, inPlace: false, views: false } });
        const feedSets = [feedsFor(inputs, seed + 1), feedsFor(inputs, seed + 2)];
        const want = [];
        for (const f of feedSets) want.push(await reference.run(f));
        for (const [name, options] of Object.entries(variants)) {
          const program = compile(outputs, { backend: cpu({ poison: true }), ...options });
          checkPlan(program.plan, program.memory!);
          for (let k = 0; k < feedSets.length; k++) {
            const got = await program.run(feedSets[k]!, { copy: false });
            for (const [out, values] of Object.entries(want[k]!)) {
              const problem = agree(got[out]!, values);
              if (problem !== undefined) {
                expect.fail(`${name}: output ${out} (feeds ${k}) differs at ${problem}\n${describeGraph()}\n${program.listing()}`);
              }
            }
          }
        }
      }),
      { seed: 20260, numRuns: 80 },
    );
    expect(graphs).toBe(80);
  });
});

describe('outputs that are not computed by a step of their own', () => {
  it('an input, a constant, a reshape view and one node under two names each get a region of their own', async () => {
    const g = new Graph({ dtype: 'float32' });
    const x = g.input('x', [2, 3]);
    const c = g.constant([1, -2, 3], [3]);
    const r = g.reshape(g.exp(x), [3, 2]);
    const y = g.add(x, c);
    const program = compile({ x, c, r, y, alsoY: y, cc: g.mul(c, 2) }, { backend: cpu({ poison: true }) });
    checkPlan(program.plan, program.memory!);
    const kinds = program.plan.steps.map((s) => s.kind);
    expect(kinds.filter((k) => k === 'copy').length).toBe(3);
    const xv = Float32Array.from([0, 1, 2, 3, 4, 5]);
    const out = await program.run({ x: xv }, { copy: false });
    expect(Array.from(out.x!)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(out.x).not.toBe(xv);
    expect(Array.from(out.c!)).toEqual([1, -2, 3]);
    expect(Array.from(out.cc!)).toEqual([2, -4, 6]);
    expect(Array.from(out.r!)).toEqual(Array.from(xv, (v) => Math.fround(Math.exp(v))));
    expect(Array.from(out.y!)).toEqual([1, -1, 5, 4, 2, 8]);
    expect(out.alsoY).toBe(out.y);
    // Writing into a returned view must not change the program's constants.
    out.c!.fill(99);
    const again = await program.run({ x: xv }, { copy: false });
    expect(Array.from(again.y!)).toEqual([1, -1, 5, 4, 2, 8]);
  });

  it('feeds for inputs the compiled graph no longer reads are still required and checked', async () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [2]);
    const u = g.input('u', [3]);
    const y = g.add(x, g.sum(u));
    // A pass that (unsoundly, for the test) drops the term reading u.
    const dropU: Pass = {
      name: 'dropU',
      doc: 'test',
      run: () => {
        const h = new Graph({ dtype: 'float64' });
        return { stage: { graph: h, outputs: { y: h.mul(h.input('x', [2]), 1) }, fusion: [] } };
      },
    };
    const program = compile({ y }, { backend: cpu(), passes: [dropU] });
    expect([...program.plan.feeds.keys()].sort()).toEqual(['u', 'x']);
    await expect(program.run({ x: Float64Array.from([1, 2]) })).rejects.toThrow(/missing "u"/);
    await expect(program.run({ x: Float64Array.from([1, 2]), u: new Float64Array(2) })).rejects.toThrow(/feed "u" must have 3 elements/);
    const out = await program.run({ x: Float64Array.from([1, 2]), u: new Float64Array(3) });
    expect(Array.from(out.y!)).toEqual([1, 2]);
  });
});

describe('dispose', () => {
  it('a disposed program refuses to run; disposing twice is harmless', async () => {
    const g = new Graph({ dtype: 'float32' });
    const x = g.input('x', [4]);
    const program = compile({ y: g.relu(g.neg(x)) }, { backend: cpu() });
    const xv = Float32Array.from([1, -2, 3, -4]);
    expect(Array.from((await program.run({ x: xv })).y!)).toEqual([0, 2, 0, 4]);
    program.dispose();
    program.dispose();
    await expect(program.run({ x: xv })).rejects.toThrow(/run: the program must not be disposed/);
  });
});
