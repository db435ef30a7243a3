/**
 * Every op against an independent implementation in the test (float64, |a − b| ≤ 1e-12·(1 + |b|)):
 * each op record's `examples`, then fast-check-generated configurations. The conv family is
 * swept here too (its dedicated, denser checks are in conv-oracle.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Graph, compile, cpu, opNames, ops, type Node } from 'graft';
import { drawInputs, specOf, specs, type ComputedOp, type OpCase } from './util/op-specs.ts';
import { refBinary, refMaxPoolGrad, refMaxPoolGradGrad, refPool } from './util/oracle.ts';
import { mulberry32, uniform } from './util/random.ts';
import { evaluate } from './util/run.ts';
import { assertClose, fmtDims, type Tensor } from './util/tensor.ts';

const TOL = 1e-12;
const SEED = 0x0b5_0a1;
const RUNS = 100;

const computed = opNames.filter((n): n is ComputedOp => n !== 'input' && n !== 'constant');

/** Builds the op over inputs `in0, in1, …`, runs it and compares with the oracle. */
async function checkCase<K extends ComputedOp>(op: K, c: OpCase<K>, seed: number): Promise<void> {
  const spec = specOf(op);
  const data = drawInputs(spec, c.inputs, seed);
  const inputs = Object.fromEntries(data.map((t, i) => [`in${i}`, t])) as Record<string, Tensor>;
  const expected = spec.oracle(data, c.attrs);
  const r = await evaluate('float64', inputs, (g, x) => ({ y: spec.build(g, data.map((_, i) => x[`in${i}`]!), c.attrs) }));
  expect(r.nodes.y.shape, `${op} ${c.name}: output shape`).toEqual(expected.shape);
  assertClose(r.out.y, expected, TOL, `${op} ${c.name} (data seed ${seed})`);
}

it('every computed op has a spec (and the table names no op that does not exist)', () => {
  expect(Object.keys(specs).sort()).toEqual([...computed].sort());
});

function suite<K extends ComputedOp>(op: K): void {
  describe(op, () => {
    const examples = ops[op].examples as readonly OpCase<K>[];
    it('has example configurations', () => {
      expect(examples.length).toBeGreaterThan(0);
    });
    examples.forEach((ex, i) => {
      it(`example ${ex.name}: ${ex.inputs.map(fmtDims).join(' ')}`, async () => {
        await checkCase(op, ex, 1000 + i);
      });
    });
    it(`property: ${RUNS} generated configurations (seed ${SEED})`, async () => {
      await fc.assert(
        fc.asyncProperty(specOf(op).cases, fc.integer({ min: 0, max: 0x7fffffff }), async (c, seed) => {
          await checkCase(op, c, seed);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });
  });
}

describe('ops vs independent oracles (float64)', () => {
  for (const op of computed) suite(op);
});

describe('ops with fixed data', () => {
  it('constant: values row-major with their shape, added to an input', async () => {
    const x: Tensor = { shape: [2, 3], data: Float64Array.from([1, 2, 3, 4, 5, 6]) };
    const r = await evaluate('float64', { x }, (g, i) => ({ y: g.add(i.x, g.constant([10, 20, 30, 40, 50, 60], [2, 3])), c: g.constant([0.5, -2], [2]) }));
    expect(Array.from(r.out.y)).toEqual([11, 22, 33, 44, 55, 66]);
    expect(Array.from(r.out.c)).toEqual([0.5, -2]);
  });

  it('numbers as operands: x + 2, 3 / x, 0.5 − x, x · −1.5, x / 4', async () => {
    const x: Tensor = { shape: [2, 2], data: Float64Array.from([1, -2, 4, 8]) };
    const r = await evaluate('float64', { x }, (g, i) => ({
      a: g.add(i.x, 2),
      d: g.div(3, i.x),
      s: g.sub(0.5, i.x),
      m: g.mul(i.x, -1.5),
      q: g.div(i.x, 4),
    }));
    expect(Array.from(r.out.a)).toEqual([3, 0, 6, 10]);
    expect(Array.from(r.out.d)).toEqual([3, -1.5, 0.75, 0.375]);
    expect(Array.from(r.out.s)).toEqual([-0.5, 2.5, -3.5, -7.5]);
    expect(Array.from(r.out.m)).toEqual([-1.5, 3, -6, -12]);
    expect(Array.from(r.out.q)).toEqual([0.25, -0.5, 1, 2]);
  });

  it('relu and step at 0 and −0 give 0', async () => {
    const x: Tensor = { shape: [4], data: Float64Array.from([0, -0, 1e-300, -1e-300]) };
    const r = await evaluate('float64', { x }, (g, i) => ({ r: g.relu(i.x), s: g.step(i.x) }));
    expect(Array.from(r.out.r).map((v) => v + 0)).toEqual([0, 0, 1e-300, 0]);
    expect(Array.from(r.out.s)).toEqual([0, 0, 1, 0]);
  });

  it('softmax of large logits does not overflow (max subtracted): x=[1,3] [1000, 1001, 1002]', async () => {
    const x: Tensor = { shape: [1, 3], data: Float64Array.from([1000, 1001, 1002]) };
    const r = await evaluate('float64', { x }, (g, i) => ({ s: g.softmax(i.x), l: g.logSoftmax(i.x) }));
    const e = [Math.exp(-2), Math.exp(-1), 1];
    const z = e[0]! + e[1]! + e[2]!;
    assertClose(r.out.s, { shape: [1, 3], data: Float64Array.from(e, (v) => v / z) }, TOL, 'softmax');
    assertClose(r.out.l, { shape: [1, 3], data: Float64Array.from([-2, -1, 0], (v) => v - Math.log(z)) }, TOL, 'logSoftmax');
  });

  it('maxPool: padding never wins over negative inputs (x all < 0, SAME and explicit)', async () => {
    const x: Tensor = { shape: [1, 4, 5, 2], data: uniform(mulberry32(5), 40, -3, -1) };
    for (const padding of ['SAME', [[1, 1], [2, 0]]] as const) {
      const r = await evaluate('float64', { x }, (g, i) => ({ y: g.maxPool(i.x, { ksize: 3, strides: 2, padding }) }));
      const ref = refPool('max', x, 3, 2, padding);
      assertClose(r.out.y, ref, TOL, `maxPool padding ${JSON.stringify(padding)}`);
      expect(Math.max(...r.out.y)).toBeLessThan(0);
    }
  });

  it('avgPool divides by the in-bounds count: x=[1,3,3,1] of ones, k=3 s=1 p=same gives 1 everywhere', async () => {
    const x: Tensor = { shape: [1, 3, 3, 1], data: new Float64Array(9).fill(1) };
    const r = await evaluate('float64', { x }, (g, i) => ({ y: g.avgPool(i.x, { ksize: 3, strides: 1, padding: 'SAME' }) }));
    expect(Array.from(r.out.y)).toEqual(new Array(9).fill(1));
  });

  it('maxPool x=[1,1,7,1] k=[1,2] s=[1,3] p=valid (stride > window): y = [max(x0,x1), max(x3,x4)]', async () => {
    const x: Tensor = { shape: [1, 1, 7, 1], data: Float64Array.from([1, 5, 9, 2, -1, 8, 7]) };
    const r = await evaluate('float64', { x }, (g, i) => ({ y: g.maxPool(i.x, { ksize: [1, 2], strides: [1, 3], padding: 'VALID' }) }));
    expect(Array.from(r.out.y)).toEqual([5, 2]);
  });

  it('maxPoolGrad / maxPoolGradGrad route through the FIRST maximum of a window with ties (row-major)', async () => {
    // x=[1,3,3,1] with ties: window (0,0) of k=2 s=1 holds 4, 4 / 4, 1 → argmax is (0,0).
    const x: Tensor = { shape: [1, 3, 3, 1], data: Float64Array.from([4, 4, 2, 4, 1, 4, 0, 4, 4]) };
    const dy: Tensor = { shape: [1, 2, 2, 1], data: Float64Array.from([1, 10, 100, 1000]) };
    const ddx: Tensor = { shape: [1, 3, 3, 1], data: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]) };
    const attrs = { ksize: 2, strides: 1, padding: 'VALID' } as const;
    const r = await evaluate('float64', { x, dy, ddx }, (g, i) => ({
      dx: g.maxPoolGrad(i.x, i.dy, attrs),
      gg: g.maxPoolGradGrad(i.x, i.ddx, attrs),
    }));
    // windows: (0,0) → x[0,0]; (0,1) → x[0,1]; (1,0) → x[1,0]; (1,1) → x[1,2]
    expect(Array.from(r.out.dx)).toEqual([1, 10, 0, 100, 0, 1000, 0, 0, 0]);
    expect(Array.from(r.out.gg)).toEqual([1, 2, 4, 6]);
    assertClose(r.out.dx, refMaxPoolGrad(x, dy, 2, 1, 'VALID'), TOL, 'maxPoolGrad oracle');
    assertClose(r.out.gg, refMaxPoolGradGrad(x, ddx, 2, 1, 'VALID'), TOL, 'maxPoolGradGrad oracle');
  });

  it('the same program run twice with different feeds gives each run its own result', async () => {
    const g = new Graph({ dtype: 'float64' });
    const a = g.input('a', [3]);
    const b = g.input('b', [3]);
    const y: Node = g.mul(g.add(a, b), 2);
    const p = compile({ y }, { backend: cpu() });
    const first = await p.run({ a: Float64Array.from([1, 2, 3]), b: Float64Array.from([1, 1, 1]) });
    const second = await p.run({ a: Float64Array.from([0, 0, 0]), b: Float64Array.from([5, 6, 7]) });
    expect(Array.from(first.y)).toEqual([4, 6, 8]);
    expect(Array.from(second.y)).toEqual([10, 12, 14]);
    // an output held by the caller is not overwritten by a later run
    expect(Array.from(first.y)).toEqual([4, 6, 8]);
    assertClose(second.y, refBinary({ shape: [3], data: Float64Array.from([5, 6, 7]) }, { shape: [], data: Float64Array.from([2]) }, (u, v) => u * v), TOL, 'second run');
  });
});
