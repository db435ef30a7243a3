import { grad } from '@graft/autodiff';
import { FeedError, GradientError, Graph, type Node } from '@graft/ir';
import { describe, expect, it } from 'vitest';
import { gradcheck, makeComparison } from './gradcheck.ts';
import { mulberry32, uniformSigned } from './random.ts';

function data(seed: number, n: number): Float64Array {
  return uniformSigned(mulberry32(seed), n);
}

/** x=[2,5,5,3] w=[3,3,3,4] s=2 p=same, y = Σ tanh(conv2d(x, w))² (nonlinear, so every order matters). */
function convCase(dtype: 'float32' | 'float64' = 'float64') {
  const g = new Graph({ dtype });
  const x = g.input('x', [2, 5, 5, 3]);
  const w = g.input('w', [3, 3, 3, 4]);
  const y = g.sum(g.square(g.tanh(g.conv2d(x, w, { strides: 2, padding: 'SAME' }))));
  const feeds = { x: data(1, 150), w: data(2, 108) };
  return { g, x, w, y, feeds };
}

/** A gradient builder that is right except for one element of the second input's gradient. */
function wrongAt(flat: number, delta: number) {
  return (f: Node, xs: readonly Node[]): Node[] => {
    const gs = grad(f, xs);
    const d = gs[1]!;
    const bump = new Float64Array(d.size);
    bump[flat] = delta;
    return [gs[0]!, d.graph.add(d, d.graph.constant(bump, d.shape, d.dtype))];
  };
}

describe('gradcheck', () => {
  it('passes on correct gradients: conv2d x=[2,5,5,3] w=[3,3,3,4] s=2 p=same, full Jacobian', async () => {
    const { g, x, w, y, feeds } = convCase();
    const before = g.nodes.length;
    const r = await gradcheck(y, [x, w], { feeds });
    expect(r.ok, String(r)).toBe(true);
    expect(r.mode).toBe('full');
    expect(r.order).toBe(1);
    expect(r.checked).toBe(150 + 108);
    expect(r.perInput.map((p) => [p.input, p.checked])).toEqual([['x', 150], ['w', 108]]);
    expect(r.maxRatio).toBeLessThanOrEqual(1);
    // The numeric gradient matches the analytic one far more tightly than the tolerance.
    expect(r.maxRelativeError).toBeLessThan(1e-7);
    // The gradient is not trivially zero.
    expect(Math.max(...r.perInput[1]!.analytic.map(Math.abs))).toBeGreaterThan(0.1);
    expect(String(r)).toMatch(/^gradcheck passed: 258 values/);
    // The caller's graph is untouched (the check works on a float64 copy).
    expect(g.nodes.length).toBe(before);
  });

  it('checks a float32 graph in float64', async () => {
    const { x, w, y, feeds } = convCase('float32');
    const r = await gradcheck(y, [x, w], { feeds: { x: Float32Array.from(feeds.x), w: Float32Array.from(feeds.w) } });
    expect(r.ok, String(r)).toBe(true);
    // float32 central differences could not reach this accuracy.
    expect(r.maxRelativeError).toBeLessThan(1e-7);
  });

  it('fails on a gradient wrong in one element and names the input and multi-index', async () => {
    const { x, w, y, feeds } = convCase();
    // w[2,0,1,3] is flat index ((2·3 + 0)·3 + 1)·4 + 3 = 79.
    const r = await gradcheck(y, [x, w], { feeds, gradientOf: wrongAt(79, 1e-3) });
    expect(r.ok).toBe(false);
    expect(r.failed).toBe(1);
    expect(r.worst?.input).toBe('w');
    expect(r.worst?.index).toEqual([2, 0, 1, 3]);
    expect(r.worst!.error).toBeCloseTo(1e-3, 8);
    expect(r.worst!.analytic - r.worst!.numeric).toBeCloseTo(1e-3, 8);
    const text = String(r);
    expect(text).toMatch(/^gradcheck FAILED: 1 of 258 values outside tolerance/);
    expect(text).toContain('worst   w[2,0,1,3]: analytic ');
    expect(text).toContain(`numeric ${r.worst!.numeric.toPrecision(12)}`);
    expect(text).toContain('tolerance');
    expect(text).toContain('rtol 1.00e-6');
    expect(text).toContain('atol 1.00e-8');
  });

  it('fails on a gradient that is off by a relative 1e-4 everywhere', async () => {
    const { x, w, y, feeds } = convCase();
    const r = await gradcheck(y, [x, w], {
      feeds,
      gradientOf: (f, xs) => grad(f, xs).map((d) => d.graph.mul(d, 1 + 1e-4)),
    });
    expect(r.ok).toBe(false);
    expect(r.failed).toBeGreaterThan(200);
    expect(r.failures.length).toBe(10);
    expect(String(r)).toContain('… and');
  });

  it('checks ⟨c, y⟩ for a seeded cotangent when y is not scalar', async () => {
    const g = new Graph({ dtype: 'float64' });
    const a = g.input('a', [3, 4]);
    const b = g.input('b', [4, 2]);
    const y = g.matmul(g.sigmoid(a), b);
    const feeds = { a: data(3, 12), b: data(4, 8) };
    const r = await gradcheck(y, [a, b], { feeds, seed: 5 });
    expect(r.ok, String(r)).toBe(true);
    expect(r.cotangent).toBe(true);
    expect(String(r)).toContain('= ⟨c, y⟩');
    const again = await gradcheck(y, [a, b], { feeds, seed: 5 });
    expect(again.value).toBe(r.value);
  });

  it('checks second order (Hessian·v by reverse over reverse)', async () => {
    const { x, w, y, feeds } = convCase();
    const r = await gradcheck(y, [x, w], { feeds, order: 2 });
    expect(r.ok, String(r)).toBe(true);
    expect(r.order).toBe(2);
    expect(String(r)).toContain('second order');
    expect(Math.max(...r.perInput[0]!.analytic.map(Math.abs))).toBeGreaterThan(1e-3);
    // A wrong Hessian·v is caught.
    const bad = await gradcheck(y, [x, w], { feeds, order: 2, gradientOf: wrongAt(5, 1e-3) });
    expect(bad.ok).toBe(false);
    expect(bad.worst?.input).toBe('w');
    expect(bad.worst?.index).toEqual([0, 0, 1, 1]);
  });

  it('uses random directions for a large input (x=[4,16,16,8], 8192 elements)', async () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [4, 16, 16, 8]);
    const w = g.input('w', [3, 3, 8, 4]);
    const y = g.sum(g.tanh(g.conv2d(x, w, { strides: 1, padding: 'SAME' })));
    const feeds = { x: data(6, 8192), w: data(7, 288) };
    const r = await gradcheck(y, [x, w], { feeds, directions: 4 });
    expect(r.mode).toBe('random');
    expect(r.ok, String(r)).toBe(true);
    expect(r.checked).toBe(8);
    expect(r.perInput[0]!.numeric).toBeUndefined();
    expect(r.worst?.direction).toBeTypeOf('number');
    const bad = await gradcheck(y, [x, w], {
      feeds,
      directions: 4,
      gradientOf: (f, xs) => {
        const [dx, dw] = grad(f, xs);
        return [dx!.graph.mul(dx!, 1.001), dw!];
      },
    });
    expect(bad.ok).toBe(false);
    expect(bad.failed).toBe(4);
    expect(bad.worst?.input).toBe('x');
    expect(String(bad)).toMatch(/worst {3}⟨∇x, v\d⟩: analytic/);
  });

  it('measures again with smaller steps next to a kink: relu at x = 3e-6 passes with step h/10', async () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [2]);
    const y = g.sum(g.relu(x));
    // With h ≈ 6.06e-6 the first central difference at 3e-6 straddles the kink: (9.06e-6 − 0) / 1.2e-5 ≈ 0.75.
    const r = await gradcheck(y, [x], { feeds: { x: Float64Array.of(3e-6, 0.5) } });
    expect(r.ok, String(r)).toBe(true);
    const nearKink = r.perInput[0]!.worst!;
    expect(nearKink.index).toEqual([0]);
    expect(nearKink.step).toBeCloseTo(6.06e-7, 8);
    // …while a wrong gradient fails at every step.
    const wrong = await gradcheck(y, [x], { feeds: { x: Float64Array.of(3e-6, 0.5) }, gradientOf: (f, xs) => grad(f, xs).map((d) => d.graph.mul(d, 1.001)) });
    expect(wrong.ok).toBe(false);
  });

  it('gives a zero numeric derivative for an x that y does not depend on', async () => {
    const g = new Graph({ dtype: 'float64' });
    const a = g.input('a', [3]);
    const b = g.input('b', [2]);
    const r = await gradcheck(g.sum(g.exp(a)), [a, b], { feeds: { a: data(8, 3), b: data(9, 2) } });
    expect(r.ok, String(r)).toBe(true);
    expect([...r.perInput[1]!.analytic]).toEqual([0, 0]);
  });

  it('refuses xs that are not inputs, and missing feeds', async () => {
    const g = new Graph({ dtype: 'float64' });
    const a = g.input('a', [3]);
    const e = g.exp(a);
    await expect(gradcheck(g.sum(e), [e], { feeds: { a: data(1, 3) } })).rejects.toThrow(GradientError);
    await expect(gradcheck(g.sum(e), [a], { feeds: {} })).rejects.toThrow(FeedError);
    await expect(gradcheck(g.sum(e), [a], { feeds: { a: data(1, 3) }, order: 3 as never })).rejects.toThrow(/order must be 1 or 2/);
  });
});

describe('makeComparison', () => {
  const compare = makeComparison(1e-6, 1e-8);
  it('passes within atol + rtol·max(|a|, |n|) and fails beyond', () => {
    expect(compare('x', [0], undefined, 1, 1 + 0.9e-6, 1e-5).ratio).toBeLessThanOrEqual(1);
    expect(compare('x', [0], undefined, 1, 1 + 1.1e-6, 1e-5).ratio).toBeGreaterThan(1);
    expect(compare('x', [0], undefined, 0, 0.9e-8, 1e-5).ratio).toBeLessThanOrEqual(1);
    expect(compare('x', [0], undefined, 0, 1.1e-8, 1e-5).ratio).toBeGreaterThan(1);
  });
  it('fails on NaN', () => {
    const e = compare('x', [1, 2], undefined, Number.NaN, 0, 1e-5);
    expect(e.ratio).toBe(Infinity);
    expect(e.ratio <= 1).toBe(false);
  });
});
