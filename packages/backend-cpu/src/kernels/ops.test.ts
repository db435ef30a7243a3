import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Graph, elementwiseProgram, hasElementwiseProgram, type FloatArray, type Node, type Shape } from '@graft/ir';
import { compileElementwise } from '../fused-kernel.ts';
import type { Kernel } from '../kernel.ts';
import { kernels } from './index.ts';
import { expectClose, flatIndex, garbage, indices, randomArray } from './test-helpers.ts';

/**
 * Runs a node's kernel on the given operand arrays into a NaN-filled output: its table kernel,
 * or for an elementwise op the JavaScript loop generated from its record's arithmetic.
 */
function run(node: Node, inputs: readonly FloatArray[]): FloatArray {
  const out = garbage(node.size, node.dtype);
  if (hasElementwiseProgram(node)) compileElementwise(elementwiseProgram(node))(out, inputs);
  else (kernels[node.op as keyof typeof kernels] as Kernel<keyof typeof kernels>)(node as never, inputs, out);
  return out;
}

/** Index into an operand broadcast to `out` (aligned at the last axis; size-1 axes repeat). */
function broadcastIndex(shape: Shape, outIdx: readonly number[]): number {
  const lead = outIdx.length - shape.length;
  return flatIndex(
    shape,
    shape.map((d, i) => (d === 1 ? 0 : outIdx[lead + i]!)),
  );
}

describe('unary', () => {
  it('follows JavaScript Math at the edges: log(0) = −∞, sqrt(−1) = NaN, sigmoid saturates', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [6]);
    const data = new Float64Array([0, -1, 2, -1000, 1000, Number.NaN]);
    expect([...run(g.log(x), [data])]).toEqual([-Infinity, NaN, Math.log(2), NaN, Math.log(1000), NaN]);
    expect([...run(g.sqrt(x), [data])]).toEqual([0, NaN, Math.SQRT2, NaN, Math.sqrt(1000), NaN]);
    expect([...run(g.sigmoid(x), [data])]).toEqual([0.5, 1 / (1 + Math.E), 1 / (1 + Math.exp(-2)), 0, 1, NaN]);
    expect([...run(g.relu(x), [data])]).toEqual([0, 0, 2, 0, 1000, NaN]);
    expect([...run(g.node('step', [x], {}), [data])]).toEqual([0, 0, 1, 0, 1, 0]);
    expect([...run(g.neg(x), [data])]).toEqual([-0, 1, -2, 1000, -1000, NaN]);
    expect([...run(g.square(x), [data])]).toEqual([0, 1, 4, 1e6, 1e6, NaN]);
    expect([...run(g.exp(x), [data])]).toEqual([1, Math.exp(-1), Math.exp(2), 0, Infinity, NaN]);
    expect([...run(g.tanh(x), [data])]).toEqual([0, Math.tanh(-1), Math.tanh(2), -1, 1, NaN]);
  });

  it('rounds to float32 when the node is float32', () => {
    const g = new Graph({ dtype: 'float32' });
    const out = run(g.exp(g.input('x', [1])), [new Float32Array([1])]);
    expect(out).toBeInstanceOf(Float32Array);
    expect(out[0]).toBe(Math.fround(Math.E));
  });
});

describe('binary broadcasting', () => {
  const shapes = fc
    .array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 })
    .chain((out) =>
      fc.tuple(
        fc.constant(out),
        // Each operand drops some leading axes and sets some axes to 1.
        fc.integer({ min: 0, max: out.length }),
        fc.integer({ min: 0, max: out.length }),
        fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
        fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
      ),
    )
    .map(([out, da, db, ma, mb]) => ({
      a: out.slice(da).map((d, i) => (ma[da + i] ? 1 : d)),
      b: out.slice(db).map((d, i) => (mb[db + i] ? 1 : d)),
    }));

  it('add/sub/mul/div equal the naive broadcast formula', () => {
    fc.assert(
      fc.property(shapes, fc.constantFrom('add', 'sub', 'mul', 'div') , ({ a, b }, op) => {
        const g = new Graph({ dtype: 'float64' });
        const an = g.input('a', a);
        const bn = g.input('b', b);
        const y = g.node(op, [an, bn], {});
        const ad = randomArray(an.size, 1);
        const bd = randomArray(bn.size, 2);
        const expected = [...indices(y.shape)].map((idx) => {
          const u = ad[broadcastIndex(a, idx)]!;
          const v = bd[broadcastIndex(b, idx)]!;
          return op === 'add' ? u + v : op === 'sub' ? u - v : op === 'mul' ? u * v : u / v;
        });
        expectClose(run(y, [ad, bd]), expected, 0, `${op} a=[${a}] b=[${b}]`);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('biasAdd adds b along the last axis', () => {
    const g = new Graph({ dtype: 'float64' });
    const y = g.biasAdd(g.input('x', [2, 3]), g.input('b', [3]));
    expect([...run(y, [new Float64Array([1, 2, 3, 4, 5, 6]), new Float64Array([10, 20, 30])])]).toEqual([11, 22, 33, 14, 25, 36]);
  });
});

describe('reductions', () => {
  const cases = fc
    .array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 })
    .chain((shape) =>
      fc.tuple(fc.constant(shape), fc.subarray([...shape.keys()]), fc.boolean(), fc.constantFrom('sum', 'mean', 'max') ),
    );

  it('sum/mean/max over any axes equal the naive loop (keepDims or not: same layout)', () => {
    fc.assert(
      fc.property(cases, ([shape, axes, keepDims, op]) => {
        const g = new Graph({ dtype: 'float64' });
        const x = g.input('x', shape);
        const y = g.node(op, [x], { axes, keepDims });
        const xd = randomArray(x.size, 3);
        const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
        const expected = new Float64Array(y.size).fill(op === 'max' ? -Infinity : 0);
        for (const idx of indices(shape)) {
          const o = flatIndex(keptShape, idx.map((v, i) => (axes.includes(i) ? 0 : v)));
          const v = xd[flatIndex(shape, idx)]!;
          expected[o] = op === 'max' ? Math.max(expected[o]!, v) : expected[o]! + v;
        }
        const count = axes.reduce((p, a) => p * shape[a]!, 1);
        if (op === 'mean') for (let i = 0; i < expected.length; i++) expected[i]! /= count;
        expectClose(run(y, [xd]), expected, 1e-14, `${op} shape=[${shape}] axes=[${axes}]`);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('max propagates NaN', () => {
    const g = new Graph({ dtype: 'float64' });
    const y = g.max(g.input('x', [2, 2]), [0]);
    expect([...run(y, [new Float64Array([1, NaN, 3, 2])])]).toEqual([3, NaN]);
  });

  it('softmax / logSoftmax along a middle axis (x=[2,3,2] axis=1), stable for large inputs', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [2, 3, 2]);
    const xd = randomArray(12, 4).map((v) => v * 3 + 800);
    const sm = run(g.softmax(x, 1), [xd]);
    const lsm = run(g.logSoftmax(x, 1), [xd]);
    for (let p = 0; p < 2; p++) {
      for (let q = 0; q < 2; q++) {
        const at = (k: number) => (p * 3 + k) * 2 + q;
        const m = Math.max(xd[at(0)]!, xd[at(1)]!, xd[at(2)]!);
        const z = [0, 1, 2].reduce((s, k) => s + Math.exp(xd[at(k)]! - m), 0);
        for (let k = 0; k < 3; k++) {
          expect(sm[at(k)]).toBeCloseTo(Math.exp(xd[at(k)]! - m) / z, 14);
          expect(lsm[at(k)]).toBeCloseTo(xd[at(k)]! - m - Math.log(z), 12);
        }
      }
    }
  });
});

describe('layout', () => {
  it('transpose: y.shape[k] = x.shape[perm[k]] (x=[2,3,4,5] perm=[2,0,3,1])', () => {
    const g = new Graph({ dtype: 'float64' });
    const xs = [2, 3, 4, 5];
    const perm = [2, 0, 3, 1];
    const y = g.transpose(g.input('x', xs), perm);
    const xd = randomArray(120, 5);
    const expected = [...indices(y.shape)].map((idx) => {
      const src = new Array<number>(4);
      perm.forEach((p, k) => (src[p] = idx[k]!));
      return xd[flatIndex(xs, src)]!;
    });
    expectClose(run(y, [xd]), expected, 0, 'transpose');
  });

  it('reverse along axes [0, 2] (x=[3,2,4])', () => {
    const g = new Graph({ dtype: 'float64' });
    const xs = [3, 2, 4];
    const y = g.reverse(g.input('x', xs), [0, 2]);
    const xd = randomArray(24, 6);
    const expected = [...indices(xs)].map(([i, j, k]) => xd[flatIndex(xs, [2 - i!, j!, 3 - k!])]!);
    expectClose(run(y, [xd]), expected, 0, 'reverse');
  });

  it('pad pads with zeros and crops with negative amounts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: -3, max: 2 }), fc.integer({ min: -3, max: 2 })), {
          minLength: 1,
          maxLength: 3,
        }).filter((axes) => axes.every(([d, b, a]) => d + b + a >= 1)),
        (axes) => {
          const g = new Graph({ dtype: 'float64' });
          const xs = axes.map(([d]) => d);
          const pads = axes.map(([, b, a]) => [b, a] as [number, number]);
          const y = g.pad(g.input('x', xs), pads);
          const xd = randomArray(y.inputs[0]!.size, 7);
          const expected = [...indices(y.shape)].map((idx) => {
            const src = idx.map((v, i) => v - pads[i]![0]);
            return src.every((v, i) => v >= 0 && v < xs[i]!) ? xd[flatIndex(xs, src)]! : 0;
          });
          expectClose(run(y, [xd]), expected, 0, `pad x=[${xs}] pads=${JSON.stringify(pads)}`);
        },
      ),
      { seed: 42, numRuns: 150 },
    );
  });

  it('dilate: y[n, i·rh, j·rw, c] = x[n, i, j, c], zero elsewhere (x=[2,3,2,2] rates=[3,2])', () => {
    const g = new Graph({ dtype: 'float64' });
    const xs = [2, 3, 2, 2];
    const y = g.dilate(g.input('x', xs), [3, 2]);
    expect(y.shape).toEqual([2, 7, 3, 2]);
    const xd = randomArray(24, 8);
    const expected = [...indices(y.shape)].map(([n, i, j, c]) =>
      i! % 3 === 0 && j! % 2 === 0 ? xd[flatIndex(xs, [n!, i! / 3, j! / 2, c!])]! : 0,
    );
    expectClose(run(y, [xd]), expected, 0, 'dilate');
  });

  it('broadcastTo repeats size-1 and new leading axes (x=[3,1] to [2,3,4])', () => {
    const g = new Graph({ dtype: 'float64' });
    const y = g.node('broadcastTo', [g.input('x', [3, 1])], { shape: [2, 3, 4] });
    const xd = new Float64Array([1, 2, 3]);
    const expected = [...indices([2, 3, 4])].map(([, i]) => xd[i!]!);
    expectClose(run(y, [xd]), expected, 0, 'broadcastTo');
  });

  it('constant rounds its float64 values to float32; reshape copies', () => {
    const g = new Graph({ dtype: 'float32' });
    const c = g.constant([0.1, 0.2, 0.3, 0.4], [2, 2]);
    const cd = run(c, []);
    expect([...cd]).toEqual([0.1, 0.2, 0.3, 0.4].map(Math.fround));
    expect([...run(g.reshape(c, [4]), [cd])]).toEqual([...cd]);
  });
});

describe('matmul', () => {
  it('batch axes broadcast as tf.linalg.matmul (a=[2,1,3,4] b=[3,4,5])', () => {
    const g = new Graph({ dtype: 'float64' });
    const as = [2, 1, 3, 4];
    const bs = [3, 4, 5];
    const y = g.matmul(g.input('a', as), g.input('b', bs));
    expect(y.shape).toEqual([2, 3, 3, 5]);
    const ad = randomArray(24, 9);
    const bd = randomArray(60, 10);
    const expected = [...indices(y.shape)].map(([p, q, i, j]) => {
      let s = 0;
      for (let k = 0; k < 4; k++) s += ad[flatIndex(as, [p!, 0, i!, k])]! * bd[flatIndex(bs, [q!, k, j!])]!;
      return s;
    });
    expectClose(run(y, [ad, bd]), expected, 1e-14, 'matmul');
  });
});

describe('pooling', () => {
  type Cfg = { x: number[]; ksize: [number, number]; strides: [number, number]; padding: 'SAME' | 'VALID' | [[number, number], [number, number]]; pt: number; pl: number };
  const cfgs: Cfg[] = [
    { x: [2, 4, 4, 3], ksize: [2, 2], strides: [2, 2], padding: 'VALID', pt: 0, pl: 0 },
    // SAME, in 5, k 3, s 2: out 3, total (3−1)·2 + 3 − 5 = 2, before 1.
    { x: [1, 5, 5, 2], ksize: [3, 3], strides: [2, 2], padding: 'SAME', pt: 1, pl: 1 },
    { x: [1, 5, 4, 1], ksize: [2, 3], strides: [1, 2], padding: [[1, 0], [0, 2]], pt: 1, pl: 0 },
    // SAME, in 6, k 2, s 1: total 1, before 0 (the extra goes after).
    { x: [2, 6, 6, 2], ksize: [2, 2], strides: [1, 1], padding: 'SAME', pt: 0, pl: 0 },
  ];

  /** Window elements of output (n, i, j, c) as x offsets, in row-major (a, b) order. */
  function window(c: Cfg, oh: number, ow: number, [n, i, j, ch]: number[]): number[] {
    const [, h, w, cc] = c.x as [number, number, number, number];
    void oh;
    void ow;
    const r: number[] = [];
    for (let a = 0; a < c.ksize[0]; a++)
      for (let b = 0; b < c.ksize[1]; b++) {
        const p = i! * c.strides[0] + a - c.pt;
        const q = j! * c.strides[1] + b - c.pl;
        if (p >= 0 && p < h && q >= 0 && q < w) r.push(((n! * h + p) * w + q) * cc + ch!);
      }
    return r;
  }

  it.each(cfgs)('x=$x k=$ksize s=$strides p=$padding', (c) => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', c.x);
    const opts = { ksize: c.ksize, strides: c.strides, padding: c.padding };
    const mp = g.maxPool(x, opts);
    const ap = g.avgPool(x, opts);
    // Ties (from rounding to quarters) exercise the first-maximum rule.
    const xd = randomArray(x.size, 11).map((v) => Math.round(v * 4) / 4);
    const [, oh, ow] = mp.shape as [number, number, number, number];
    const windows = [...indices(mp.shape)].map((idx) => window(c, oh, ow, idx));
    expectClose(run(mp, [xd]), windows.map((ws) => Math.max(...ws.map((s) => xd[s]!))), 0, 'maxPool');
    expectClose(run(ap, [xd]), windows.map((ws) => ws.reduce((s, k) => s + xd[k]!, 0) / ws.length), 1e-15, 'avgPool');

    const argmax = windows.map((ws) => ws.reduce((best, s) => (xd[s]! > xd[best]! ? s : best), ws[0]!));
    const dy = randomArray(mp.size, 12);
    const dxExpected = new Float64Array(x.size);
    argmax.forEach((s, o) => (dxExpected[s]! += dy[o]!));
    const grad = g.node('maxPoolGrad', [x, g.input('dy', mp.shape)], opts);
    expectClose(run(grad, [xd, dy]), dxExpected, 1e-15, 'maxPoolGrad');
    const ddx = randomArray(x.size, 13);
    const gradGrad = g.node('maxPoolGradGrad', [x, g.input('ddx', c.x)], opts);
    expectClose(run(gradGrad, [xd, ddx]), argmax.map((s) => ddx[s]!), 0, 'maxPoolGradGrad');
  });
});
