import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FusedExpr, FusedValue } from '@graft/compiler';
import { compileFused } from '../../fused-kernel.ts';
import { random } from '../test-helpers.ts';
import { compileFusedF32 } from './fused.ts';
import { allocateFloat32, freeFloat32 } from './heap.ts';

/*
 * The WebAssembly fused evaluator against the JavaScript fused loops (the reference), bit for
 * bit, over generated expressions: shapes off the block and SIMD widths, broadcast loads
 * (biases, scalars, strided), literals, every supported op, NaN and ±0 in the data.
 */

const unaryOps = ['neg', 'relu', 'step', 'square', 'sqrt'] as const;
const binaryOps = ['add', 'sub', 'mul', 'div'] as const;

interface Case {
  readonly expr: FusedExpr;
  readonly inputShapes: number[][];
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    shape: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 0, maxLength: 4 }),
    big: fc.boolean(),
    inputs: fc.array(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
    ops: fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('unary' as const), op: fc.constantFrom(...unaryOps), x: fc.nat() }),
        fc.record({ kind: fc.constant('binary' as const), op: fc.constantFrom(...binaryOps), a: fc.nat(), b: fc.nat() }),
        fc.record({ kind: fc.constant('literal' as const), value: fc.constantFrom(0, -0, 1.5, -2, 1e-3) }),
      ),
      { minLength: 1, maxLength: 6 },
    ),
  })
  .map(({ shape, big, inputs, ops }) => {
    // Sometimes a long last axis (several blocks per row) or many short rows (grouped blocks).
    const s = big && shape.length > 0 ? [...shape.slice(0, -1), 1500 + shape[shape.length - 1]!] : shape;
    const inputShapes = inputs.map((keep) => s.map((d, i) => (keep[i] ? d : 1)));
    const values: FusedValue[] = inputShapes.map((shp, input) => {
      let stride = 1;
      const strides = new Array<number>(s.length).fill(0);
      for (let d = s.length - 1; d >= 0; d--) {
        strides[d] = shp[d] === 1 ? 0 : stride;
        stride *= shp[d]!;
      }
      return { kind: 'load', input, strides };
    });
    for (const op of ops) {
      const n = values.length;
      if (op.kind === 'unary') values.push({ kind: 'unary', op: op.op, x: op.x % n });
      else if (op.kind === 'binary') values.push({ kind: 'binary', op: op.op, a: op.a % n, b: op.b % n });
      else values.push({ kind: 'literal', value: Math.fround(op.value) });
    }
    return { expr: { shape: s, dtype: 'float32', values, result: values.length - 1 }, inputShapes };
  });

function data(n: number, seed: number): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length: n }, () => {
    const r = next();
    return r > 0.95 ? Number.NaN : r > 0.9 ? -0 : r > 0.85 ? 0 : r * 4;
  });
}

const show = (v: number | undefined) => (Object.is(v, -0) ? '-0' : String(v));

function expectSame(actual: Float32Array, expected: Float32Array, what: string): void {
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${what}: element ${i} is ${show(actual[i])}, JavaScript loop ${show(expected[i])}`);
  }
}

describe('float32 WebAssembly fused elementwise steps', () => {
  it('equal the JavaScript fused loops bit for bit (broadcasts, literals, every op, NaN, ±0)', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 1, max: 1 << 20 }), ({ expr, inputShapes }, seed) => {
        const wasm = compileFusedF32(expr);
        if (wasm === undefined) return; // more than two axes after coalescing: the JS loop keeps it
        const inputs = inputShapes.map((s, k) => data(s.reduce((a, b) => a * b, 1), seed + k));
        const size = expr.shape.reduce((a, b) => a * b, 1);
        const expected = new Float32Array(size);
        compileFused(expr)(expected, inputs);
        const out = new Float32Array(size).fill(7);
        wasm(out, inputs);
        expectSame(out, expected, `shape [${expr.shape}] inputs ${JSON.stringify(inputShapes)}`);
      }),
      { seed: 0xf05e, numRuns: 400 },
    );
  });

  it('the bias-relu and relu-gradient steps of a conv layer, in place and in the shared memory', () => {
    const shape = [3, 5, 7, 13];
    const n = 3 * 5 * 7 * 13;
    const bias: FusedExpr = {
      shape,
      dtype: 'float32',
      values: [
        { kind: 'load', input: 0, strides: [455, 91, 13, 1] },
        { kind: 'load', input: 1, strides: [0, 0, 0, 1] },
        { kind: 'binary', op: 'add', a: 0, b: 1 },
        { kind: 'unary', op: 'relu', x: 2 },
      ],
      result: 3,
    };
    const x = allocateFloat32(n);
    x.set(data(n, 1));
    const b = data(13, 2);
    const expected = new Float32Array(n);
    compileFused(bias)(expected, [x, b]);
    const f = compileFusedF32(bias)!;
    expect(f).toBeDefined();
    // In place: the output overwrites the operand it reads at its own index.
    f(x, [x, b]);
    expectSame(x, expected, 'biasAdd+relu in place');
    freeFloat32(x);
  });

  it('declines float64, transcendental ops and loads that need three axes', () => {
    const load = { kind: 'load', input: 0, strides: [1] } as const;
    expect(compileFusedF32({ shape: [4], dtype: 'float64', values: [load], result: 0 })).toBeUndefined();
    expect(compileFusedF32({ shape: [4], dtype: 'float32', values: [load, { kind: 'unary', op: 'exp', x: 0 }], result: 1 })).toBeUndefined();
    const threeAxes: FusedExpr = {
      shape: [2, 3, 4],
      dtype: 'float32',
      values: [
        { kind: 'load', input: 0, strides: [12, 4, 1] },
        { kind: 'load', input: 1, strides: [0, 1, 0] },
        { kind: 'binary', op: 'mul', a: 0, b: 1 },
      ],
      result: 2,
    };
    expect(compileFusedF32(threeAxes)).toBeUndefined();
  });
});
