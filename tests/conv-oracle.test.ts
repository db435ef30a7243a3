/**
 * Every conv-family op against independent loops written from the definition
 *
 *     y[n, i, j, co] = Σ_{a, b, ci} x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, ci] · w[a, b, ci, co]
 *
 * (with groups: ci runs over the group of co's channels) in float64, to |a − b| ≤ 1e-12·(1 + |b|),
 * over fast-check-generated configurations and named fixed cases. conv2dBackpropInput and
 * conv2dBackpropFilter are checked against their own scatter / sum oracles, and
 * conv2dTranspose against the scatter oracle. The depthwise family likewise, against oracles
 * written from `tf.nn.depthwise_conv2d`'s own definition (not as a grouped conv).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convGeometry, ops, validInputSizes } from 'graft';
import {
  convConfig,
  convConfigArb,
  depthwiseConfigArb,
  depthwiseGeometryOf,
  geometryOf,
  TraitCounter,
  convTraits,
  type ConvConfig,
  type DepthwiseConfig,
} from './util/conv-config.ts';
import {
  refAxis,
  refBackpropFilter,
  refBackpropInput,
  refConv2d,
  refDepthwiseBackpropFilter,
  refDepthwiseBackpropInput,
  refDepthwiseConv2d,
  toPair,
} from './util/oracle.ts';
import { mulberry32, uniform } from './util/random.ts';
import { evaluate } from './util/run.ts';
import { assertClose, inner, sizeOfDims, type Tensor } from './util/tensor.ts';

const TOL = 1e-12;
const SEED = 0x5eed_c0;
const RUNS = 200;

function convData(c: ConvConfig): { x: Tensor; w: Tensor; dy: Tensor } {
  const rng = mulberry32(c.seed);
  const out = geometryOf(c).outShape;
  return {
    x: { shape: c.x, data: uniform(rng, sizeOfDims(c.x)) },
    w: { shape: c.w, data: uniform(rng, sizeOfDims(c.w)) },
    dy: { shape: out, data: uniform(rng, sizeOfDims(out)) },
  };
}

/** Runs all four ops of the family for one configuration and checks each against its oracle. */
async function checkFamily(c: ConvConfig): Promise<void> {
  const { x, w, dy } = convData(c);
  const attrs = { strides: c.strides, padding: c.padding, dilations: c.dilations, groups: c.groups };
  const { nodes, out } = await evaluate('float64', { x, w, dy }, (g, i) => ({
    y: g.conv2d(i.x, i.w, attrs),
    dx: g.conv2dBackpropInput(i.dy, i.w, { ...attrs, inputShape: c.x }),
    dw: g.conv2dBackpropFilter(i.x, i.dy, { ...attrs, filterShape: c.w }),
    t: g.conv2dTranspose(i.dy, i.w, { ...attrs, outputShape: c.x }),
  }));
  expect(nodes.y.shape, `conv2d output shape, ${c.name}`).toEqual(dy.shape);
  expect(nodes.dx.shape).toEqual(c.x);
  expect(nodes.dw.shape).toEqual(c.w);
  expect(nodes.t.shape).toEqual(c.x);
  const dxRef = refBackpropInput(dy, w, c.x, c.strides, c.padding, c.dilations, c.groups);
  assertClose(out.y, refConv2d(x, w, c.strides, c.padding, c.dilations, c.groups), TOL, `conv2d ${c.name}`);
  assertClose(out.dx, dxRef, TOL, `conv2dBackpropInput ${c.name}`);
  assertClose(out.dw, refBackpropFilter(x, dy, c.w, c.strides, c.padding, c.dilations, c.groups), TOL, `conv2dBackpropFilter ${c.name}`);
  assertClose(out.t, dxRef, TOL, `conv2dTranspose ${c.name}`);
}

function depthwiseData(c: DepthwiseConfig): { x: Tensor; w: Tensor; dy: Tensor } {
  const rng = mulberry32(c.seed);
  const out = depthwiseGeometryOf(c).outShape;
  return {
    x: { shape: c.x, data: uniform(rng, sizeOfDims(c.x)) },
    w: { shape: c.w, data: uniform(rng, sizeOfDims(c.w)) },
    dy: { shape: out, data: uniform(rng, sizeOfDims(out)) },
  };
}

/** The depthwise family for one configuration, each op against its oracle, and the adjoint identity. */
async function checkDepthwise(c: DepthwiseConfig): Promise<void> {
  const { x, w, dy } = depthwiseData(c);
  const attrs = { strides: c.strides, padding: c.padding, dilations: c.dilations };
  const { nodes, out } = await evaluate('float64', { x, w, dy }, (g, i) => ({
    y: g.depthwiseConv2d(i.x, i.w, attrs),
    dx: g.depthwiseConv2dBackpropInput(i.dy, i.w, { ...attrs, inputShape: c.x }),
    dw: g.depthwiseConv2dBackpropFilter(i.x, i.dy, { ...attrs, filterShape: c.w }),
  }));
  expect(nodes.y.shape, `depthwiseConv2d output shape, ${c.name}`).toEqual(dy.shape);
  assertClose(out.y, refDepthwiseConv2d(x, w, c.strides, c.padding, c.dilations), TOL, `depthwiseConv2d ${c.name}`);
  assertClose(out.dx, refDepthwiseBackpropInput(dy, w, c.x, c.strides, c.padding, c.dilations), TOL, `depthwiseConv2dBackpropInput ${c.name}`);
  assertClose(out.dw, refDepthwiseBackpropFilter(x, dy, c.w, c.strides, c.padding, c.dilations), TOL, `depthwiseConv2dBackpropFilter ${c.name}`);
  // ⟨D(x, w), dy⟩ = ⟨x, B_d(dy, w)⟩ = ⟨w, F_d(x, dy)⟩ on the executor's numbers.
  const l = inner(out.y, dy.data);
  const m = inner(x.data, out.dx);
  const r = inner(w.data, out.dw);
  const scale = Math.max(l.scale, m.scale, r.scale, Number.MIN_VALUE);
  expect(Math.abs(l.value - m.value), `${c.name}: adjoint in x`).toBeLessThanOrEqual(TOL * scale);
  expect(Math.abs(l.value - r.value), `${c.name}: adjoint in w`).toBeLessThanOrEqual(TOL * scale);
}

/**
 * Fixed cases, named by geometry, each with the trait it exists for (asserted, so a name
 * cannot lie about its geometry).
 */
const fixed: readonly { readonly config: ConvConfig; readonly trait?: string }[] = [
  { config: convConfig({ x: [1, 4, 4, 1], w: [1, 1, 1, 3], strides: [2, 2], dilations: [1, 1], padding: 'SAME' }), trait: 'stride > kernel' },
  { config: convConfig({ x: [1, 7, 7, 2], w: [4, 4, 2, 3], strides: [2, 2], dilations: [1, 1], padding: 'SAME' }), trait: 'SAME asymmetric (odd total)' },
  { config: convConfig({ x: [1, 2, 2, 1], w: [4, 4, 1, 1], strides: [1, 1], dilations: [1, 1], padding: 'SAME' }), trait: 'SAME asymmetric (odd total)' },
  { config: convConfig({ x: [2, 5, 6, 2], w: [2, 2, 2, 1], strides: [1, 1], dilations: [1, 1], padding: 'SAME' }), trait: 'SAME asymmetric (odd total)' },
  { config: convConfig({ x: [1, 3, 3, 1], w: [3, 3, 1, 1], strides: [1, 1], dilations: [1, 1], padding: 'VALID' }), trait: 'output 1x1' },
  { config: convConfig({ x: [3, 1, 1, 4], w: [1, 1, 4, 4], strides: [3, 3], dilations: [3, 3], padding: 'VALID' }), trait: 'output 1x1' },
  { config: convConfig({ x: [2, 7, 6, 1], w: [2, 3, 1, 2], strides: [3, 2], dilations: [1, 1], padding: 'VALID' }), trait: 'trailing input rows never read' },
  { config: convConfig({ x: [1, 8, 9, 2], w: [2, 2, 2, 2], strides: [3, 3], dilations: [2, 1], padding: 'VALID' }), trait: 'trailing input rows never read' },
  { config: convConfig({ x: [1, 9, 9, 2], w: [3, 2, 2, 2], strides: [2, 3], dilations: [3, 2], padding: [[2, 0], [1, 3]] }), trait: 'explicit asymmetric padding' },
  { config: convConfig({ x: [1, 2, 3, 1], w: [1, 2, 1, 2], strides: [2, 2], dilations: [1, 1], padding: [[3, 1], [0, 2]] }), trait: 'padding ≥ effective kernel' },
  { config: convConfig({ x: [1, 5, 5, 1], w: [2, 2, 1, 1], strides: [1, 1], dilations: [2, 2], padding: 'SAME' }), trait: 'dilation > 1' },
  { config: convConfig({ x: [2, 9, 8, 3], w: [4, 3, 3, 2], strides: [3, 2], dilations: [2, 3], padding: 'SAME' }), trait: 'dilations differ per axis' },
  { config: convConfig({ x: [1, 6, 6, 1], w: [1, 1, 1, 1], strides: [3, 3], dilations: [1, 1], padding: 'VALID' }), trait: 'stride > effective kernel' },
  { config: convConfig({ x: [2, 7, 6, 4], w: [3, 2, 2, 6], strides: [2, 1], dilations: [1, 2], padding: 'SAME', groups: 2 }), trait: 'groups > 1, several channels per group' },
  { config: convConfig({ x: [1, 5, 5, 6], w: [1, 1, 2, 3], strides: [1, 1], dilations: [1, 1], padding: 'VALID', groups: 3 }), trait: 'groups > 1, several channels per group' },
  { config: convConfig({ x: [1, 6, 7, 3], w: [2, 3, 1, 6], strides: [2, 3], dilations: [1, 1], padding: [[1, 0], [2, 1]], groups: 3 }), trait: 'groups = cin' },
  { config: convConfig({ x: [1, 3, 3, 4], w: [3, 3, 1, 4], strides: [1, 1], dilations: [1, 1], padding: 'VALID', groups: 4 }), trait: 'output 1x1' },
];

describe('conv family vs independent oracles (float64, 1e-12)', () => {
  for (const { config, trait } of fixed) {
    it(`${config.name}${trait ? ` (${trait})` : ''}`, async () => {
      if (trait !== undefined) expect(convTraits(config)).toContain(trait);
      await checkFamily(config);
    });
  }

  it('SAME padding splits an odd total with the extra row after: x=[1,7,7,2] w=[4,4,2,3] s=2 gives pads (1, 2)', () => {
    // out = ceil(7/2) = 4, total = (4 − 1)·2 + 4 − 7 = 3, before = 1, after = 2
    const a = refAxis(7, 4, 2, 1, 'SAME', 0)!;
    expect([a.out, a.before, a.after]).toEqual([4, 1, 2]);
    const g = convGeometry('conv2d', [1, 7, 7, 2], [4, 4, 2, 3], [2, 2], 'SAME', [1, 1]);
    expect(g.pads).toEqual([1, 2, 1, 2]);
    expect(g.outShape).toEqual([1, 4, 4, 3]);
  });

  it(`depthwise family: ${RUNS} generated configurations (multiplier 1 and > 1), each op and the adjoint identity`, async () => {
    let multiplied = 0;
    let unread = 0;
    let single = 0;
    await fc.assert(
      fc.asyncProperty(depthwiseConfigArb, async (c) => {
        const g = depthwiseGeometryOf(c);
        if (c.w[3] > 1) multiplied++;
        if (g.h.unread > 0 || g.w.unread > 0) unread++;
        if (g.h.out === 1 && g.w.out === 1) single++;
        await checkDepthwise(c);
      }),
      { seed: SEED + 1, numRuns: RUNS },
    );
    expect(multiplied).toBeGreaterThan(RUNS / 4);
    expect(unread).toBeGreaterThan(0);
    expect(single).toBeGreaterThan(0);
  });

  for (const ex of ops.depthwiseConv2d.examples) {
    it(`depthwise record example ${ex.name}`, async () => {
      const c: DepthwiseConfig = {
        name: ex.name,
        x: ex.inputs[0] as DepthwiseConfig['x'],
        w: ex.inputs[1] as DepthwiseConfig['w'],
        strides: toPair(ex.attrs.strides),
        dilations: toPair(ex.attrs.dilations),
        padding: ex.attrs.padding ?? 'VALID',
        seed: 5,
      };
      await checkDepthwise(c);
    });
  }

  it(`property: ${RUNS} generated configurations (seed ${SEED}) cover every required trait`, async () => {
    const traits = new TraitCounter();
    await fc.assert(
      fc.asyncProperty(convConfigArb, async (c) => {
        traits.record(c);
        await checkFamily(c);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(traits.missing(), `trait counts ${JSON.stringify(Object.fromEntries(traits.counts))}`).toEqual([]);
  });
});

describe('conv geometry record agrees with TensorFlow rules recomputed here', () => {
  it('convGeometry: output shape and per-side padding', () => {
    fc.assert(
      fc.property(convConfigArb, (c) => {
        const ref = geometryOf(c);
        const g = convGeometry('conv2d', c.x, c.w, c.strides, c.padding, c.dilations, undefined, c.groups);
        expect(g.outShape).toEqual(ref.outShape);
        expect([g.groups, g.groupInC, g.groupOutC]).toEqual([c.groups, c.x[3] / c.groups, c.w[3] / c.groups]);
        expect(g.pads).toEqual([ref.h.before, ref.h.after, ref.w.before, ref.w.after]);
        expect([g.h.unread, g.w.unread]).toEqual([ref.h.unread, ref.w.unread]);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('validInputSizes lists exactly the input sizes that map to an output size', () => {
    fc.assert(
      fc.property(convConfigArb, (c) => {
        const a = geometryOf(c).h;
        const pad = c.padding === 'SAME' || c.padding === 'VALID' ? c.padding : c.padding[0];
        const expected: number[] = [];
        for (let n = 1; n <= a.out * a.s + a.keff + a.s; n++) {
          if (refAxis(n, a.k, a.s, a.d, c.padding, 0)?.out === a.out) expected.push(n);
        }
        expect(validInputSizes(a.out, a.k, a.s, a.d, pad)).toEqual(expected);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

/** `[1,2]` or `2` (both axes) as a pair. */
function parsePair(text: string): [number, number] {
  const v = JSON.parse(text) as number | [number, number];
  return typeof v === 'number' ? [v, v] : v;
}

describe('conv examples of the op records are named by their geometry', () => {
  // Name form: `x=[1,7,6,1] w=[2,3,1,2] s=[3,2] d=1 p=valid g=2 (unread rows)`.
  const pattern = /^x=(\[[\d,]+\]) w=(\[[\d,]+\]) s=(\d+|\[\d+,\d+\]) d=(\d+|\[\d+,\d+\]) p=(same|valid|explicit)(?: g=(\d+))?(?: \((.+)\))?$/;
  for (const ex of ops.conv2d.examples) {
    it(ex.name, () => {
      const m = pattern.exec(ex.name);
      expect(m, `name does not follow the geometry pattern`).not.toBeNull();
      const [, x, w, st, di, p, groups, claim] = m!;
      const c = convConfig({
        x: ex.inputs[0] as ConvConfig['x'],
        w: ex.inputs[1] as ConvConfig['w'],
        strides: ex.attrs.strides as [number, number],
        dilations: ex.attrs.dilations as [number, number],
        padding: ex.attrs.padding ?? 'VALID',
        groups: ex.attrs.groups ?? 1,
      });
      expect(Number(groups ?? 1)).toBe(c.groups);
      expect({ x: JSON.parse(x!), w: JSON.parse(w!), s: parsePair(st!), d: parsePair(di!) }).toEqual({ x: c.x, w: c.w, s: c.strides, d: c.dilations });
      expect(p).toBe(typeof c.padding === 'string' ? c.padding.toLowerCase() : 'explicit');
      const traits = convTraits(c);
      const claimed: Record<string, string> = {
        asymmetric: 'SAME asymmetric (odd total)',
        'unread rows': 'trailing input rows never read',
        'stride > kernel': 'stride > kernel',
        '1x1 output': 'output 1x1',
        'depthwise as groups = cin': 'groups = cin',
      };
      if (claim !== undefined) {
        expect(Object.keys(claimed), `unknown claim "${claim}"`).toContain(claim);
        expect(traits, `"${ex.name}" claims ${claim}`).toContain(claimed[claim]);
      }
    });
  }
});

describe('pool examples of the op records are named by their geometry', () => {
  // Name form: `x=[1,7,7,1] k=2 s=3 p=valid (unread rows)`.
  const pattern = /^x=(\[[\d,]+\]) k=(\d+|\[\d+,\d+\]) s=(\d+|\[\d+,\d+\]) p=(same|valid|explicit)(?: \((.+)\))?$/;
  for (const ex of ops.maxPool.examples) {
    it(ex.name, () => {
      const m = pattern.exec(ex.name);
      expect(m, `name does not follow the geometry pattern`).not.toBeNull();
      const [, x, k, st, p, claim] = m!;
      const ksize = toPair(ex.attrs.ksize);
      const strides = toPair(ex.attrs.strides, ex.attrs.ksize);
      const padding = ex.attrs.padding ?? 'VALID';
      expect({ x: JSON.parse(x!), k: parsePair(k!), s: parsePair(st!) }).toEqual({ x: ex.inputs[0], k: ksize, s: strides });
      expect(p).toBe(typeof padding === 'string' ? padding.toLowerCase() : 'explicit');
      if (claim !== undefined) {
        expect(claim).toBe('unread rows');
        const xs = ex.inputs[0]!;
        const unread = [refAxis(xs[1]!, ksize[0], strides[0], 1, padding, 0)!.unread, refAxis(xs[2]!, ksize[1], strides[1], 1, padding, 1)!.unread];
        expect(unread.some((u) => u !== 0), `"${ex.name}" claims unread rows`).toBe(true);
      }
    });
  }
});

describe('the oracles are consistent with each other (guards the guards)', () => {
  it('⟨conv(x, w), dy⟩ = ⟨x, scatter(dy, w)⟩ = ⟨w, sum(x, dy)⟩ for the oracles alone', () => {
    fc.assert(
      fc.property(convConfigArb, (c) => {
        const { x, w, dy } = convData(c);
        const y = refConv2d(x, w, c.strides, c.padding, c.dilations, c.groups);
        const dx = refBackpropInput(dy, w, c.x, c.strides, c.padding, c.dilations, c.groups);
        const dw = refBackpropFilter(x, dy, c.w, c.strides, c.padding, c.dilations, c.groups);
        const l = inner(y.data, dy.data);
        const m = inner(x.data, dx.data);
        const r = inner(w.data, dw.data);
        const scale = Math.max(l.scale, m.scale, r.scale, 1e-300);
        expect(Math.abs(l.value - m.value) / scale).toBeLessThanOrEqual(TOL);
        expect(Math.abs(l.value - r.value) / scale).toBeLessThanOrEqual(TOL);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
