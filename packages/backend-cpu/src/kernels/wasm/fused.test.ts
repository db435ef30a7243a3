import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { ElementwiseProgram, Primitive, ProgramValue } from '@graft/ir';
import { compileElementwise } from '../../fused-kernel.ts';
import { random } from '../test-helpers.ts';
import { compileElementwiseF32 } from './fused.ts';
import { allocateFloat32, freeFloat32 } from './heap.ts';
import { setThreads, threads, whenThreadsReady, workerChunks } from './threads.ts';

/*
 * The WebAssembly elementwise evaluator against the JavaScript loops (the reference), bit for
 * bit, over generated programs: shapes off the block and SIMD widths, broadcast loads
 * (biases, scalars, strided), literals, every primitive it evaluates, NaN and ±0 in the data.
 */

const unary = ['neg', 'abs', 'sqrt'] as const satisfies readonly Primitive[];
const binary = ['add', 'sub', 'mul', 'div', 'max', 'min', 'lt', 'gt'] as const satisfies readonly Primitive[];

interface Case {
  readonly expr: ElementwiseProgram;
  readonly inputShapes: number[][];
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    shape: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 0, maxLength: 4 }),
    big: fc.boolean(),
    inputs: fc.array(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
    ops: fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('unary' as const), op: fc.constantFrom(...unary), x: fc.nat() }),
        fc.record({ kind: fc.constant('binary' as const), op: fc.constantFrom(...binary), a: fc.nat(), b: fc.nat() }),
        fc.record({ kind: fc.constant('select' as const), c: fc.nat(), a: fc.nat(), b: fc.nat() }),
        fc.record({ kind: fc.constant('literal' as const), value: fc.constantFrom(0, -0, 1.5, -2, 1e-3) }),
      ),
      { minLength: 1, maxLength: 6 },
    ),
  })
  .map(({ shape, big, inputs, ops }) => {
    // Sometimes a long last axis (several blocks per row) or many short rows (grouped blocks).
    const s = big && shape.length > 0 ? [...shape.slice(0, -1), 1500 + shape[shape.length - 1]!] : shape;
    const inputShapes = inputs.map((keep) => s.map((d, i) => (keep[i] ? d : 1)));
    const values: ProgramValue[] = inputShapes.map((shp, input) => {
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
      if (op.kind === 'unary') values.push({ kind: 'call', fn: op.op, args: [op.x % n] });
      else if (op.kind === 'binary') values.push({ kind: 'call', fn: op.op, args: [op.a % n, op.b % n] });
      else if (op.kind === 'select') values.push({ kind: 'call', fn: 'select', args: [op.c % n, op.a % n, op.b % n] });
      else values.push({ kind: 'literal', value: Math.fround(op.value) });
    }
    return { expr: { shape: s, dtype: 'float32', inputs: inputShapes.length, values, result: values.length - 1 }, inputShapes };
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

describe('float32 WebAssembly elementwise steps', () => {
  it('equal the JavaScript loops bit for bit (broadcasts, literals, every primitive it has, NaN, ±0)', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 1, max: 1 << 20 }), ({ expr, inputShapes }, seed) => {
        const wasm = compileElementwiseF32(expr);
        if (wasm === undefined) return; // more than two axes after coalescing: the JS loop keeps it
        const inputs = inputShapes.map((s, k) => data(s.reduce((a, b) => a * b, 1), seed + k));
        const size = expr.shape.reduce((a, b) => a * b, 1);
        const expected = new Float32Array(size);
        compileElementwise(expr)(expected, inputs);
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
    // relu(x + b) = select(lt(x + b, 0), 0, x + b), as relu's record states it.
    const bias: ElementwiseProgram = {
      shape,
      dtype: 'float32',
      inputs: 2,
      values: [
        { kind: 'load', input: 0, strides: [455, 91, 13, 1] },
        { kind: 'load', input: 1, strides: [0, 0, 0, 1] },
        { kind: 'call', fn: 'add', args: [0, 1] },
        { kind: 'literal', value: 0 },
        { kind: 'call', fn: 'lt', args: [2, 3] },
        { kind: 'call', fn: 'select', args: [4, 3, 2] },
      ],
      result: 5,
    };
    const x = allocateFloat32(n);
    x.set(data(n, 1));
    const b = data(13, 2);
    const expected = new Float32Array(n);
    compileElementwise(bias)(expected, [x, b]);
    const f = compileElementwiseF32(bias)!;
    expect(f).toBeDefined();
    // In place: the output overwrites the operand it reads at its own index.
    f(x, [x, b]);
    expectSame(x, expected, 'biasAdd+relu in place');
    freeFloat32(x);
  });

  it('large steps run on two threads (runs of blocks in chunks), bit for bit the JavaScript loop', async () => {
    setThreads(2);
    await whenThreadsReady();
    expect(threads()).toBe(2);
    // relu(x + b)·y + s over [64, 28, 28, 32] (short rows grouped, the bias expanded), the same
    // over a [3, 100001] output (rows of many blocks, the last one partial), and with a strided x
    // (a gathered load) and a scalar for b over [600, 1000]. Each call is split into chunks;
    // whether the worker wakes in time for a given call is the OS's choice, so the test asks
    // that it took chunks in the three calls together.
    const programs: { shape: number[]; strides: number[][] }[] = [
      { shape: [64 * 28 * 28, 32], strides: [[32, 1], [0, 1], [32, 1], [0, 0]] },
      { shape: [3, 100001], strides: [[100001, 1], [0, 1], [100001, 1], [0, 0]] },
      { shape: [600, 1000], strides: [[1, 600], [0, 0], [1000, 1], [0, 0]] },
    ];
    const before = workerChunks();
    for (const [k, { shape, strides }] of programs.entries()) {
      const expr: ElementwiseProgram = {
        shape,
        dtype: 'float32',
        inputs: 4,
        values: [
          ...strides.map((st, input): ProgramValue => ({ kind: 'load', input, strides: st })),
          { kind: 'call', fn: 'add', args: [0, 1] },
          { kind: 'literal', value: 0 },
          { kind: 'call', fn: 'lt', args: [4, 5] },
          { kind: 'call', fn: 'select', args: [6, 5, 4] },
          { kind: 'call', fn: 'mul', args: [7, 2] },
          { kind: 'call', fn: 'add', args: [8, 3] },
        ],
        result: 9,
      };
      const lengths = strides.map((st) => 1 + st.reduce((m, s, d) => m + s * (shape[d]! - 1), 0));
      const inputs = lengths.map((n, i) => data(n, 10 * k + i));
      const size = shape[0]! * shape[1]!;
      const expected = new Float32Array(size);
      compileElementwise(expr)(expected, inputs);
      const out = new Float32Array(size).fill(7);
      compileElementwiseF32(expr)!(out, inputs);
      expectSame(out, expected, `shape [${shape}] on two threads`);
    }
    expect(workerChunks(), 'chunks run by the worker').toBeGreaterThan(before);
  });
  afterAll(() => setThreads(1));

  it('declines float64, transcendental primitives and loads that need three axes', () => {
    const load = { kind: 'load', input: 0, strides: [1] } as const;
    expect(compileElementwiseF32({ shape: [4], dtype: 'float64', inputs: 1, values: [load], result: 0 })).toBeUndefined();
    expect(compileElementwiseF32({ shape: [4], dtype: 'float32', inputs: 1, values: [load, { kind: 'call', fn: 'exp', args: [0] }], result: 1 })).toBeUndefined();
    const threeAxes: ElementwiseProgram = {
      shape: [2, 3, 4],
      dtype: 'float32',
      inputs: 2,
      values: [
        { kind: 'load', input: 0, strides: [12, 4, 1] },
        { kind: 'load', input: 1, strides: [0, 1, 0] },
        { kind: 'call', fn: 'mul', args: [0, 1] },
      ],
      result: 2,
    };
    expect(compileElementwiseF32(threeAxes)).toBeUndefined();
  });
});
