import { compile } from '@graft/compiler';
import { Graph, GraphError, elementwiseOps, elementwiseProgram, ops, type DType, type ElementwiseProgram, type FloatArray, type Node } from '@graft/ir';
import { describe, expect, it } from 'vitest';
import { cpu } from './executor.ts';
import { coalesce } from '@graft/compiler';
import { compileElementwise, elementwiseSource } from './fused-kernel.ts';

const unaryOps = elementwiseOps.filter((op) => ops[op].operands.length === 1 && op !== 'broadcastTo');
const binaryOps = elementwiseOps.filter((op) => ops[op].operands.length === 2 && op !== 'biasAdd');

/** Seeded values in [−3, 3) with the IEEE edge cases mixed in. */
function values(n: number, seed: number, dtype: DType): FloatArray {
  const special = [NaN, Infinity, -Infinity, 0, -0, 1e-300, -1e300, 88.8, -104];
  const a = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s ^ (s >>> 15), 2246822519) + 0x6d2b79f5) >>> 0;
    a[i] = i % 7 === 3 ? special[(s >>> 8) % special.length]! : ((s >>> 8) / 2 ** 24) * 6 - 3;
  }
  return a;
}

/** Bit-for-bit equality (NaN equals NaN, −0 differs from 0). */
function expectIdentical(got: FloatArray, want: FloatArray, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect.fail(`${what}: element ${i} is ${got[i]}, the kernels give ${want[i]}`);
  }
}

/** Runs `build`'s output fused (default pipeline) and unfused (no passes) and compares bit for bit. */
async function compareFused(dtype: DType, shapes: Record<string, number[]>, build: (g: Graph, inputs: Record<string, Node>) => Node, minFused = 1) {
  const g = new Graph({ dtype });
  const inputs = Object.fromEntries(Object.entries(shapes).map(([name, s]) => [name, g.input(name, s)]));
  const y = build(g, inputs);
  const feeds = Object.fromEntries(Object.entries(inputs).map(([name, n], k) => [name, values(n.size, 17 + k, dtype)]));
  const fused = compile({ y }, { backend: cpu({ poison: true }) });
  const plain = compile({ y }, { backend: cpu(), passes: [] });
  expect(fused.plan.steps.filter((s) => s.node.op === 'fused').length).toBeGreaterThanOrEqual(minFused);
  expectIdentical((await fused.run(feeds)).y, (await plain.run(feeds)).y, `${dtype} ${fused.listing()}`);
}

describe('fused kernels compute exactly what the kernels of their ops compute', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const op of unaryOps) {
      // Fused with an exp after it, so the loop joins two ops.
      it(`${op} ${dtype} (edge values included)`, () => compareFused(dtype, { x: [3, 37] }, (g, { x }) => g.exp(g.node(op as 'exp', [x!], {}))));
    }
    for (const op of binaryOps) {
      for (const [a, b] of [[[2, 3, 4], [2, 3, 4]], [[2, 3, 4], [4]], [[2, 3, 4], [3, 1]], [[2, 1, 4], [1, 3, 1]], [[2, 3, 4], []], [[], [5]]]) {
        it(`${op} ${dtype} a=[${a}] b=[${b}]`, () => compareFused(dtype, { a: a!, b: b! }, (g, { a, b }) => g.exp(g.node(op as 'add', [a!, b!], {}))));
      }
    }
    it(`a long chain rounds every intermediate as the kernels do (${dtype})`, () =>
      compareFused(dtype, { x: [4, 6, 5], b: [5], s: [4, 1, 1] }, (g, { x, b, s }) => {
        let y: Node = g.biasAdd(x!, b!);
        y = g.mul(g.sigmoid(y), g.broadcastTo(s!, [4, 6, 5]));
        y = g.sub(g.div(g.exp(y), g.add(g.square(y), 0.3)), g.tanh(g.neg(y)));
        return g.add(g.mul(g.step(y), g.sqrt(g.relu(y))), g.log(g.add(g.square(y), 1e-3)));
      }));
  }
});

describe('code generation', () => {
  it('coalesces same-shape axes into one loop and a bias add into two', () => {
    expect(coalesce([64, 28, 28, 32], [[25088, 896, 32, 1]])).toEqual({ dims: [1605632], strides: [[1]] });
    expect(coalesce([64, 28, 28, 32], [[25088, 896, 32, 1], [0, 0, 0, 1]])).toEqual({
      dims: [50176, 32],
      strides: [[32, 1], [0, 1]],
    });
    expect(coalesce([2, 1, 3], [[3, 3, 1], [0, 0, 1]])).toEqual({ dims: [2, 3], strides: [[3, 1], [0, 1]] });
  });

  it('a fused step of relu(x + bias) is a two-level loop nest with the bias read at stride 1', () => {
    const g = new Graph({ dtype: 'float32' });
    const y = g.relu(g.biasAdd(g.input('x', [8, 4, 4, 16]), g.input('b', [16])));
    const p = compile({ y }, { backend: cpu() });
    const source = elementwiseSource(elementwiseProgram(p.plan.steps[0]!.node));
    expect(source).toContain('i0 < 128');
    expect(source).toContain('i1 < 16');
    expect(source).toMatch(/in1\[p\d_1\]/);
    expect(source).toContain('fr(');
  });

  it('refuses malformed programs instead of generating code from them', () => {
    const good: ElementwiseProgram = { shape: [2], dtype: 'float64', inputs: 1, values: [{ kind: 'load', input: 0, strides: [1] }, { kind: 'call', fn: 'neg', args: [0] }], result: 1 };
    expect(() => compileElementwise(good)).not.toThrow();
    const bad = (patch: object) => () => compileElementwise({ ...good, ...patch } as ElementwiseProgram);
    expect(bad({ shape: [2.5] })).toThrow(GraphError);
    expect(bad({ values: [{ kind: 'load', input: 0, strides: ['1; evil()'] }] })).toThrow(GraphError);
    expect(bad({ values: [{ kind: 'load', input: 0, strides: [1] }, { kind: 'call', fn: 'alert', args: [0] }] })).toThrow(GraphError);
    expect(bad({ values: [{ kind: 'load', input: 0, strides: [1] }, { kind: 'call', fn: 'add', args: [0] }] })).toThrow(GraphError);
    expect(bad({ values: [{ kind: 'literal', value: '1); evil(' }], result: 0 })).toThrow(GraphError);
    expect(bad({ values: [{ kind: 'call', fn: 'neg', args: [0] }], result: 0 })).toThrow(GraphError);
    expect(bad({ result: 5 })).toThrow(GraphError);
    expect(bad({ dtype: 'int8' })).toThrow(GraphError);
  });

  it('literals keep −0, ±∞ and NaN exactly', () => {
    const p: ElementwiseProgram = {
      shape: [4],
      dtype: 'float64',
      inputs: 1,
      values: [
        { kind: 'load', input: 0, strides: [1] },
        { kind: 'literal', value: -0 },
        { kind: 'call', fn: 'mul', args: [0, 1] },
        { kind: 'literal', value: -Infinity },
        { kind: 'call', fn: 'add', args: [2, 3] },
      ],
      result: 2,
    };
    const out = new Float64Array(4);
    compileElementwise(p)(out, [Float64Array.from([1, -1, 0, 2])]);
    expect(Array.from(out).map((v) => Object.is(v, -0))).toEqual([true, false, true, true]);
    compileElementwise({ ...p, result: 4 })(out, [Float64Array.from([1, NaN, 0, 2])]);
    expect(Array.from(out)).toEqual([-Infinity, NaN, -Infinity, -Infinity]);
  });
});
