import { Graph, GradientError, GraphError, compile, cpu, explainGradient, grad, hvp, jvp, vjp, type FloatArray, type Node } from 'graft';
import { describe, expect, it } from 'vitest';

function seeded(n: number, seed: number): Float64Array {
  let a = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 2 ** 32 - 0.5;
  });
}

async function run<O extends string>(outputs: Record<O, Node>, feeds: Record<string, FloatArray>) {
  return compile(outputs, { backend: cpu() }).run(feeds);
}

describe('grad', () => {
  it('d/dx Σ x² = 2x', async () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [2, 3]);
    const [dx] = grad(g.sum(g.square(x)), [x]);
    const xv = seeded(6, 1);
    const out = await run({ dx: dx! }, { x: xv });
    expect(Array.from(out.dx)).toEqual(Array.from(xv, (v) => 2 * v));
  });

  it('accumulates fan-out once: d/dx Σ (x·x + x) = 2x + 1, the three cotangents of x summed by two adds', async () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [4]);
    const [dx] = grad(g.sum(g.add(g.mul(x, x), x)), [x]);
    const xv = seeded(4, 2);
    const out = await run({ dx: dx! }, { x: xv });
    out.dx.forEach((v, i) => expect(v).toBeCloseTo(2 * xv[i]! + 1, 14));
    const accumulated = g.nodes.filter((n) => n.provenance?.rule === 'accumulate');
    expect(accumulated.map((n) => [n.op, n.provenance!.forward])).toEqual([
      ['add', x],
      ['add', x],
    ]);
    expect(dx).toBe(accumulated[1]);
  });

  it('un-broadcasts: d/db Σ (a + b) for a [2,3], b [3] is 2 per element', async () => {
    const g = new Graph({ dtype: 'float64' });
    const a = g.input('a', [2, 3]);
    const b = g.input('b', [3]);
    const [da, db] = grad(g.sum(g.mul(g.add(a, b), 1)), [a, b]);
    expect(db!.shape).toEqual([3]);
    const out = await run({ da: da!, db: db! }, { a: seeded(6, 3), b: seeded(3, 4) });
    expect(Array.from(out.db)).toEqual([2, 2, 2]);
    expect(Array.from(out.da)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('gives zeros for an input the output does not depend on', async () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [3]);
    const z = g.input('z', [2]);
    const [dz] = grad(g.sum(x), [z]);
    const out = await run({ dz: dz! }, { x: seeded(3, 5), z: seeded(2, 6) });
    expect(Array.from(out.dz)).toEqual([0, 0]);
  });

  it('refuses a non-scalar y and nodes of another graph with typed errors', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [3]);
    expect(() => grad(g.square(x), [x])).toThrow(GradientError);
    expect(() => grad(g.square(x), [x])).toThrow(/must be a scalar.*\[3\]/);
    const other = new Graph({ dtype: 'float64' }).input('x', [3]);
    expect(() => grad(g.sum(x), [other])).toThrow(GraphError);
  });

  it('vjp checks cotangent shapes', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [3]);
    const c = g.input('c', [4]);
    expect(() => vjp([g.exp(x)], [x], [c])).toThrow(/cotangent 0 must have its output's shape/);
  });
});

describe('the conv family is closed under differentiation', () => {
  it('conv2d gradients are conv2dBackpropInput / conv2dBackpropFilter nodes with provenance', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [2, 7, 7, 3]);
    const w = g.input('w', [3, 3, 3, 4]);
    const y = g.conv2d(x, w, { strides: 2, padding: 'SAME' });
    const [dx, dw] = grad(g.sum(g.square(y)), [x, w]);
    expect(dx!.op).toBe('conv2dBackpropInput');
    expect(dw!.op).toBe('conv2dBackpropFilter');
    expect(dx!.provenance).toMatchObject({ forward: y, rule: 'conv2d.vjp.x', mode: 'vjp' });
    expect(dw!.provenance).toMatchObject({ forward: y, rule: 'conv2d.vjp.w', mode: 'vjp' });
    const text = explainGradient(dx!);
    expect(text).toContain(`d/dx of conv2d#${y.id} (strides=[2,2] padding=SAME dilations=[1,1])`);
    expect(text).toContain('by rule conv2d.vjp.x');
    expect(text).toContain('by rule square.vjp.x');
  });

  it('derivatives of order 3 of a dilated, strided conv use no op outside the family and arithmetic', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [1, 8, 8, 2]);
    const w = g.input('w', [3, 3, 2, 2]);
    const y = g.conv2d(x, w, { strides: [2, 1], dilations: [1, 2], padding: 'SAME' });
    const [dw] = grad(g.sum(g.square(y)), [w]);
    const [dxw] = grad(g.sum(g.square(dw!)), [x]);
    const [dwxw] = grad(g.sum(g.square(dxw!)), [w]);
    expect(dwxw!.shape).toEqual([3, 3, 2, 2]);
    const allowed = new Set(['input', 'constant', 'reshape', 'conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter', 'square', 'mul', 'sum', 'broadcastTo', 'add']);
    expect(g.nodes.filter((n) => !allowed.has(n.op)).map(String)).toEqual([]);
  });
});

describe('forward mode', () => {
  it('jvp of conv2d along x is conv2d of the tangent (it is linear in x)', async () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [1, 5, 5, 2]);
    const w = g.input('w', [2, 2, 2, 3]);
    const t = g.input('t', [1, 5, 5, 2]);
    const y = g.conv2d(x, w, { strides: 2, padding: 'SAME' });
    const [ty] = jvp([y], [x], [t]);
    const direct = g.conv2d(t, w, { strides: 2, padding: 'SAME' });
    const feeds = { x: seeded(50, 7), w: seeded(24, 8), t: seeded(50, 9) };
    const out = await run({ ty: ty!, direct }, feeds);
    expect(Array.from(out.ty)).toEqual(Array.from(out.direct));
    expect(ty!.provenance).toMatchObject({ forward: y, rule: 'conv2d.jvp', mode: 'jvp' });
  });

  it('hvp of Σ x³ is 6·x·v', async () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [5]);
    const v = g.input('v', [5]);
    const [hv] = hvp(g.sum(g.mul(g.mul(x, x), x)), [x], [v]);
    const xv = seeded(5, 10);
    const vv = seeded(5, 11);
    const out = await run({ hv: hv! }, { x: xv, v: vv });
    out.hv.forEach((h, i) => expect(h).toBeCloseTo(6 * xv[i]! * vv[i]!, 13));
  });
});
