/**
 * Adding an elementwise op is writing its record, and nothing else: the two records of
 * util/custom-ops.ts (defined in the tests, not in graft) go through autodiff (first and
 * second order gradient checks in float64), the compiler (fused with their neighbours), the
 * CPU executor in float32 (WebAssembly and JavaScript kernels) and float64, and gpu.js
 * (webasm and cpu here; every mode in the gpu.js suite), each against values computed here
 * from the ops' definitions.
 */
import { describe, expect, it } from 'vitest';
import { Graph, compile, cpu, gradcheck, grad, ops, printGraph, type DType, type Node } from 'graft';
import { gpujs } from '../packages/backend-gpujs/src/index.ts';
import { absolute, softplus } from './util/custom-ops.ts';
import { mulberry32, uniform } from './util/random.ts';

const definitions = [
  { record: absolute, f: (v: number) => Math.abs(v), df: (v: number) => Math.sign(v) },
  { record: softplus, f: (v: number) => Math.log1p(Math.exp(v)), df: (v: number) => 1 / (1 + Math.exp(-v)) },
] as const;

/** Values in [−3, 3) kept 0.05 away from 0 (|x|'s kink), seeded. */
function data(n: number, seed: number): Float64Array {
  const x = uniform(mulberry32(seed), n, -3, 3);
  return x.map((v) => (Math.abs(v) < 0.05 ? v + 0.1 : v));
}

/** `op(x)·b + x` and its gradient: the op fuses with its neighbours, and autodiff needs its rule. */
function model(dtype: DType, record: (typeof definitions)[number]['record']) {
  const g = new Graph({ dtype });
  const x = g.input('x', [3, 4, 5]);
  const b = g.input('b', [5]);
  const y = g.add(g.mul(g.apply(record, [x]), b), x);
  const loss = g.sum(g.square(y));
  const [dx] = grad(loss, [x]);
  return { g, x, b, y, loss, dx: dx! };
}

describe('an elementwise op defined by its record alone', () => {
  it('is in no table of graft', () => {
    expect(Object.keys(ops)).not.toContain('absolute');
    expect(Object.keys(ops)).not.toContain('softplus');
    expect(absolute.traits).toEqual({ elementwise: true, cheap: true, inPlace: true });
    expect(softplus.traits).toEqual({ elementwise: true, cheap: false, inPlace: true });
  });

  for (const { record, f, df } of definitions) {
    describe(record.name, () => {
      const xs = data(60, 7);
      const bs = uniform(mulberry32(8), 5);
      // y = op(x)·b + x,  dloss/dx = 2y·(op'(x)·b + 1), computed here from the definitions.
      const expected = { y: new Float64Array(60), dx: new Float64Array(60) };
      for (let i = 0; i < 60; i++) {
        const y = f(xs[i]!) * bs[i % 5]! + xs[i]!;
        expected.y[i] = y;
        expected.dx[i] = 2 * y * (df(xs[i]!) * bs[i % 5]! + 1);
      }

      it('gradcheck, first and second order (float64)', async () => {
        const m = model('float64', record);
        for (const order of [1, 2] as const) {
          const report = await gradcheck(m.loss, [m.x, m.b], { feeds: { x: xs, b: bs }, order, seed: 3 });
          expect(report.ok, `order ${order}\n${report}`).toBe(true);
        }
      });

      it('compiles fused with its neighbours, and the CPU computes it in float64 (1e-12) and float32 (1e-5)', async () => {
        for (const dtype of ['float64', 'float32'] as const) {
          const m = model(dtype, record);
          const program = compile({ y: m.y, dx: m.dx }, { backend: cpu() });
          expect(program.listing(), printGraph(m.g.nodes)).toMatch(new RegExp(`fused\\[[^\\]]*${record.name}`));
          const cast = (a: Float64Array) => (dtype === 'float32' ? Float32Array.from(a) : a);
          const out = await program.run({ x: cast(xs), b: cast(bs) });
          const tol = dtype === 'float64' ? 1e-12 : 1e-5;
          for (const name of ['y', 'dx'] as const) {
            for (let i = 0; i < 60; i++) {
              const want = expected[name][i]!;
              expect(Math.abs(out[name]![i]! - want), `${dtype} ${name}[${i}]`).toBeLessThanOrEqual(tol * (1 + Math.abs(want)));
            }
          }
        }
      });

      it('runs on gpu.js (webasm and cpu modes) within 1e-4', async () => {
        for (const mode of ['webasm', 'cpu'] as const) {
          const backend = gpujs({ mode });
          try {
            const m = model('float32', record);
            const out = await compile({ y: m.y, dx: m.dx }, { backend }).run({ x: Float32Array.from(xs), b: Float32Array.from(bs) });
            for (const name of ['y', 'dx'] as const) {
              for (let i = 0; i < 60; i++) {
                const want = expected[name][i]!;
                expect(Math.abs(out[name]![i]! - want), `${mode} ${name}[${i}]`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want)));
              }
            }
          } finally {
            await backend.dispose();
          }
        }
      });
    });
  }
});

describe('a vjp rule under a name that is not an operand is a compile error', () => {
  it('(checked by the type checker: the directives below fail `pnpm typecheck` if the errors disappear)', async () => {
    const { defineOp, S: s, arg } = await import('graft');
    const make = () =>
      defineOp<'twice', Record<string, never>, Record<string, never>, 'x'>({
        name: 'twice',
        operands: ['x'],
        doc: 'y = 2x',
        infer: ([x]) => ({ attrs: {}, shape: x!.shape }),
        // @ts-expect-error `X` is not an operand of the record: a typo cannot silently drop x's gradient.
        vjp: { X: ({ g, dy }: { g: Graph; dy: Node }) => g.mul(dy, 2) },
        jvp: () => undefined,
        examples: [],
        arithmetic: s.mul(arg(0), 2),
      });
    const missing = () =>
      defineOp<'twice', Record<string, never>, Record<string, never>, 'x'>({
        name: 'twice',
        operands: ['x'],
        doc: 'y = 2x',
        infer: ([x]) => ({ attrs: {}, shape: x!.shape }),
        // @ts-expect-error an operand without a rule is an error too.
        vjp: {},
        jvp: () => undefined,
        examples: [],
      });
    expect(typeof make).toBe('function');
    expect(typeof missing).toBe('function');
  });
});
