import { Graph, compile, convGeometry, cpu, depthwiseGeometry, formatTrace, lowerConvGradients, lowerDepthwise, ops, rewrite, sizeOf, type ConvAttrs, type FloatArray, type Node, type Padding, type Shape } from 'graft';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

interface Config {
  readonly x: Shape;
  readonly w: Shape;
  readonly attrs: ConvAttrs;
}

const dedicatedOps = ['conv2dBackpropInput', 'conv2dBackpropFilter', 'conv2dTranspose'];

function describeConfig({ x, w, attrs: { strides, dilations, padding, groups } }: Config): string {
  const p = typeof padding === 'string' ? padding.toLowerCase() : JSON.stringify(padding);
  return `x=[${x.join(',')}] w=[${w.join(',')}] s=[${strides.join(',')}] d=[${dilations.join(',')}] p=${p}${groups === 1 ? '' : ` g=${groups}`}`;
}

/** Seeded uniform values in [−1, 1) (mulberry32). */
function randomArray(size: number, seed: number): Float64Array {
  let a = seed >>> 0;
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

/**
 * Independent oracle, straight from the definition
 * `y[n, i, j, o] = Σ x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, g·cg + k] · w[a, b, k, o]`
 * (g the group of o, cg the filter's in-channels): every term of that sum adds `dy·w` into
 * dx and `x·dy` into dw.
 */
function oracle(c: Config, x: Float64Array, w: Float64Array, dy: Float64Array): { dx: Float64Array; dw: Float64Array } {
  const geo = convGeometry('oracle', c.x, c.w, c.attrs.strides, c.attrs.padding, c.attrs.dilations, undefined, c.attrs.groups);
  const [n, h, wd, cx] = c.x as [number, number, number, number];
  const [kh, kw, ci, co] = c.w as [number, number, number, number];
  const perGroup = co / c.attrs.groups;
  const [pt, , pl] = geo.pads;
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < geo.outH; i++)
      for (let j = 0; j < geo.outW; j++)
        for (let a = 0; a < kh; a++)
          for (let e = 0; e < kw; e++) {
            const p = i * geo.strides[0] + a * geo.dilations[0] - pt;
            const q = j * geo.strides[1] + e * geo.dilations[1] - pl;
            if (p < 0 || p >= h || q < 0 || q >= wd) continue;
            for (let k = 0; k < ci; k++)
              for (let o = 0; o < co; o++) {
                const xi = ((b * h + p) * wd + q) * cx + Math.floor(o / perGroup) * ci + k;
                const wi = ((a * kw + e) * ci + k) * co + o;
                const yi = ((b * geo.outH + i) * geo.outW + j) * co + o;
                dx[xi]! += dy[yi]! * w[wi]!;
                dw[wi]! += x[xi]! * dy[yi]!;
              }
          }
  return { dx, dw };
}

function maxRelativeError(a: FloatArray, b: FloatArray): { error: number; index: number } {
  let error = a.length === b.length ? 0 : Infinity;
  let index = -1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const e = Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!));
    if (e > error) [error, index] = [e, i];
  }
  return { error, index };
}

/** Builds the three dedicated gradient ops, lowers them, runs both forms and the oracle. */
async function check(c: Config, seed = 1): Promise<void> {
  const name = describeConfig(c);
  const geo = convGeometry('test', c.x, c.w, c.attrs.strides, c.attrs.padding, c.attrs.dilations, undefined, c.attrs.groups);
  const g = new Graph({ dtype: 'float64' });
  const x = g.input('x', c.x);
  const w = g.input('w', c.w);
  const dy = g.input('dy', geo.outShape);
  const dedicated = {
    dx: g.conv2dBackpropInput(dy, w, { ...c.attrs, inputShape: c.x }),
    dw: g.conv2dBackpropFilter(x, dy, { ...c.attrs, filterShape: c.w }),
    t: g.conv2dTranspose(dy, w, { ...c.attrs, outputShape: c.x }),
  };
  const lowered = rewrite(dedicated, lowerConvGradients);
  const left = lowered.graph.nodes.filter((n) => dedicatedOps.includes(n.op));
  expect(left.map(String), `${name}: lowered graph still has dedicated ops`).toEqual([]);
  expect(lowered.trace.map((t) => t.rule).sort(), name).toEqual([
    'lower.conv2dBackpropFilter',
    'lower.conv2dBackpropInput',
    'lower.conv2dBackpropInput',
    'lower.conv2dTranspose',
  ]);

  const feeds = {
    x: randomArray(sizeOf(c.x), seed),
    w: randomArray(sizeOf(c.w), seed + 1),
    dy: randomArray(sizeOf(geo.outShape), seed + 2),
  };
  const want = await compile(dedicated, { backend: cpu() }).run(feeds);
  const got = await compile(lowered.outputs, { backend: cpu() }).run(feeds);
  const ref = oracle(c, feeds.x, feeds.w, feeds.dy);
  const compare = (what: string, a: FloatArray, b: FloatArray) => {
    const { error, index } = maxRelativeError(a, b);
    expect(error, `${name}: ${what} differ at element ${index} (${a[index]} vs ${b[index]})\n${formatTrace(lowered.trace)}`).toBeLessThanOrEqual(1e-12);
  };
  compare('lowered vs dedicated dx', got.dx, want.dx);
  compare('lowered vs dedicated dw', got.dw, want.dw);
  compare('lowered vs dedicated conv2dTranspose', got.t, want.t);
  // Against the oracle, so a disagreement says which side (rule or kernel) is wrong.
  compare('dedicated dx vs oracle', want.dx, ref.dx);
  compare('dedicated dw vs oracle', want.dw, ref.dw);
  compare('lowered dx vs oracle', got.dx, ref.dx);
  compare('lowered dw vs oracle', got.dw, ref.dw);
}

function config(x: Shape, w: Shape, strides: [number, number], dilations: [number, number], padding: Padding, groups = 1): Config {
  return { x, w, attrs: { strides, dilations, padding, groups } };
}

const named: readonly Config[] = [
  config([1, 5, 5, 1], [3, 3, 1, 1], [1, 1], [1, 1], 'SAME'),
  config([2, 7, 8, 3], [4, 4, 3, 2], [2, 2], [1, 1], 'SAME'),
  config([1, 7, 6, 2], [2, 3, 2, 2], [3, 2], [1, 1], 'VALID'),
  config([1, 9, 9, 1], [2, 2, 1, 3], [3, 3], [2, 2], 'VALID'),
  config([2, 4, 4, 2], [1, 1, 2, 3], [3, 3], [1, 1], 'VALID'),
  config([1, 4, 5, 2], [1, 2, 2, 2], [2, 3], [1, 1], [[3, 0], [0, 3]]),
  config([1, 3, 3, 1], [3, 3, 1, 1], [1, 1], [1, 1], 'VALID'),
  config([3, 6, 7, 2], [2, 2, 2, 3], [1, 1], [2, 3], [[1, 0], [2, 1]]),
  config([1, 8, 3, 1], [3, 1, 1, 1], [2, 1], [3, 1], [[2, 3], [0, 0]]),
  config([2, 7, 6, 4], [3, 2, 2, 6], [2, 1], [1, 1], 'SAME', 2),
  config([1, 6, 7, 3], [2, 3, 1, 6], [1, 2], [2, 1], [[1, 0], [0, 2]], 3),
  config([2, 5, 5, 6], [1, 1, 2, 3], [1, 1], [1, 1], 'VALID', 3),
];

describe('lowerConvGradients', () => {
  it.each(named.map((c) => [describeConfig(c), c] as const))('%s', async (_name, c) => {
    await check(c);
  });

  it.each(ops.conv2dBackpropInput.examples.map((e) => [e.name, e] as const))('record example %s', async (_name, e) => {
    const { strides, padding, dilations, groups } = e.attrs as ConvAttrs;
    await check({ x: e.attrs.inputShape, w: e.inputs[1]!, attrs: { strides, padding, dilations, groups } });
  });

  it('keeps graphs small: no dilate for stride 1, no pad for zero pads, no reverse for a 1×1 kernel', () => {
    const g = new Graph({ dtype: 'float64' });
    const dy = g.input('dy', [1, 4, 4, 3]);
    const w = g.input('w', [1, 1, 2, 3]);
    const { outputs } = rewrite({ dx: g.conv2dBackpropInput(dy, w, { inputShape: [1, 4, 4, 2] }) }, lowerConvGradients);
    const ops = (n: Node): string[] => [n.op, ...n.inputs.flatMap(ops)];
    expect(ops(outputs.dx)).toEqual(['conv2d', 'input', 'transpose', 'input']);
  });

  it('builds dilate, pad and reverse when stride, padding and kernel call for them', () => {
    const g = new Graph({ dtype: 'float64' });
    const dy = g.input('dy', [1, 3, 3, 3]);
    const w = g.input('w', [3, 3, 2, 3]);
    const dx = g.conv2dBackpropInput(dy, w, { inputShape: [1, 6, 6, 2], strides: 2, padding: 'SAME' });
    const { outputs } = rewrite({ dx }, lowerConvGradients);
    const ops = (n: Node): string[] => [n.op, ...n.inputs.flatMap(ops)];
    expect(ops(outputs.dx)).toEqual(['conv2d', 'pad', 'dilate', 'input', 'reverse', 'transpose', 'input']);
    // SAME, in 6, k 3, s 2: pads (0, 1), keff 3, r = (6 + 1 − 3) mod 2 = 0 → [2 − 0, 2 − 1 + 0].
    expect(outputs.dx.inputs[0]!.is('pad') && outputs.dx.inputs[0].attrs.pads).toEqual([[0, 0], [2, 1], [2, 1], [0, 0]]);
  });

  it('crops dw only where the forward pass leaves unread rows past the padding', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [1, 7, 6, 1]);
    // VALID, in 7, k 2, s 3: out 2, r = 5 mod 3 = 2 > pb = 0 → the conv gives 4 rows, 2 cropped;
    // in 6, k 2, s 2: r = 4 mod 2 = 0 → exactly k columns.
    const dy = g.input('dy', [1, 2, 3, 1]);
    const dw = g.conv2dBackpropFilter(x, dy, { filterShape: [2, 2, 1, 1], strides: [3, 2] });
    const same = g.conv2dBackpropFilter(x, g.input('dy1', [1, 7, 6, 1]), { filterShape: [3, 3, 1, 1], padding: 'SAME' });
    // Explicit pb 2 ≥ r = (7 + 2 − 2) mod 3 = 1: padding pb − r = 1 gives exactly k rows, no crop.
    const padded = g.conv2dBackpropFilter(x, g.input('dy2', [1, 3, 3, 1]), {
      filterShape: [2, 2, 1, 1],
      strides: [3, 2],
      padding: [[0, 2], [0, 0]],
    });
    const { outputs } = rewrite({ dw, same, padded }, lowerConvGradients);
    expect(outputs.dw.is('pad') && outputs.dw.attrs.pads).toEqual([[0, -2], [0, 0], [0, 0], [0, 0]]);
    expect(outputs.same.op).toBe('transpose');
    expect(outputs.padded.op).toBe('transpose');
  });

  it('traces conv2dTranspose → conv2dBackpropInput → conv2d', () => {
    const g = new Graph({ dtype: 'float64' });
    const v = g.input('v', [1, 4, 4, 3]);
    const w = g.input('w', [3, 3, 2, 3]);
    const t = g.conv2dTranspose(v, w, { outputShape: [1, 8, 8, 2], strides: 2, padding: 'SAME' });
    const { outputs, trace } = rewrite({ t }, lowerConvGradients);
    expect(trace.map((e) => [e.rule, e.madeBy, e.matched.op])).toEqual([
      ['lower.conv2dTranspose', undefined, 'conv2dTranspose'],
      ['lower.conv2dBackpropInput', 0, 'conv2dBackpropInput'],
    ]);
    expect(trace[0]!.matched).toBe(t);
    expect(trace.every((e) => e.replacement === outputs.t)).toBe(true);
    expect(outputs.t.op).toBe('conv2d');
  });

  it('agrees with the dedicated ops over generated configurations', async () => {
    const axis = fc.record({
      size: fc.integer({ min: 1, max: 9 }),
      k: fc.integer({ min: 1, max: 4 }),
      stride: fc.integer({ min: 1, max: 3 }),
      dilation: fc.integer({ min: 1, max: 3 }),
      pads: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
    });
    const arb = fc
      .record({
        batch: fc.integer({ min: 1, max: 3 }),
        groups: fc.constantFrom(1, 1, 2, 3),
        cin: fc.integer({ min: 1, max: 4 }),
        cout: fc.integer({ min: 1, max: 4 }),
        h: axis,
        w: axis,
        padding: fc.constantFrom('SAME', 'VALID', 'explicit'),
        seed: fc.integer({ min: 1, max: 1_000_000 }),
      })
      // cin and cout are per group: x has groups·cin channels, w groups·cout out-channels.
      .map(({ batch, groups, cin, cout, h, w, padding, seed }) => ({
        seed,
        config: config(
          [batch, h.size, w.size, groups * cin],
          [h.k, w.k, cin, groups * cout],
          [h.stride, w.stride],
          [h.dilation, w.dilation],
          padding === 'explicit' ? [h.pads, w.pads] : padding,
          groups,
        ),
      }))
      .filter(({ config: c }) => {
        try {
          convGeometry('test', c.x, c.w, c.attrs.strides, c.attrs.padding, c.attrs.dilations, undefined, c.attrs.groups);
          return true;
        } catch {
          return false;
        }
      });
    await fc.assert(
      fc.asyncProperty(arb, async ({ config: c, seed }) => {
        await check(c, seed);
      }),
      { seed: 20240607, numRuns: 500 },
    );
  });

  it('lowers the depthwise family to the grouped conv2d family (groups = c) and then to conv2d, with the same numbers', async () => {
    for (const [x, w, strides, dilations, padding] of [
      [[2, 7, 6, 3], [3, 2, 3, 2], [2, 1], [1, 2], 'SAME'],
      [[1, 6, 6, 2], [2, 2, 2, 1], [3, 3], [1, 1], [[1, 0], [0, 2]]],
    ] as const) {
      const geo = depthwiseGeometry('test', x, w, strides, padding, dilations);
      const g = new Graph({ dtype: 'float64' });
      const xi = g.input('x', x);
      const wi = g.input('w', w);
      const dy = g.input('dy', geo.outShape);
      const attrs = { strides, dilations, padding };
      const dedicated = {
        y: g.depthwiseConv2d(xi, wi, attrs),
        dx: g.depthwiseConv2dBackpropInput(dy, wi, { ...attrs, inputShape: x }),
        dw: g.depthwiseConv2dBackpropFilter(xi, dy, { ...attrs, filterShape: w }),
      };
      const lowered = rewrite(dedicated, [...lowerDepthwise, ...lowerConvGradients]);
      const left = lowered.graph.nodes.map((n) => n.op).filter((op) => op.startsWith('depthwise') || op.includes('Backprop'));
      expect(left, formatTrace(lowered.trace)).toEqual([]);
      expect(lowered.graph.nodes.filter((n) => n.is('conv2d')).every((n) => (n as Node<'conv2d'>).attrs.groups === x[3])).toBe(true);
      const feeds = { x: randomArray(sizeOf(x), 1), w: randomArray(sizeOf(w), 2), dy: randomArray(sizeOf(geo.outShape), 3) };
      const want = await compile(dedicated, { backend: cpu() }).run(feeds);
      const got = await compile(lowered.outputs, { backend: cpu() }).run(feeds);
      for (const name of ['y', 'dx', 'dw'] as const) {
        const { error, index } = maxRelativeError(got[name], want[name]);
        expect(error, `${name} differs at ${index}`).toBeLessThanOrEqual(1e-12);
      }
    }
  });
});
