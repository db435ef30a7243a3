/**
 * float32 results within 1e-5 of float64 for every op, conv family included.
 *
 * Both graphs are fed the same values (drawn in float64, rounded to float32), so the only
 * difference is float32 arithmetic. Criterion: |y32 − y64| ≤ 1e-5 · scale elementwise, where
 * scale is the largest |y64| — except for ops that sum many terms (reductions, matmul, the conv
 * family, avgPool, maxPoolGrad), whose scale is the largest |op(|operands|)| (the oracle applied
 * to the absolute values of the operands it is linear in, i.e. the largest Σ|terms|), so that
 * cancellation in a correct float32 sum cannot fail the test. Inputs lie in each op's sensible
 * range (exp in [−4, 4], log and sqrt of positive values, divisors of magnitude ≥ 0.25).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { opNames, ops } from 'graft';
import { drawInputs, specOf, type ComputedOp, type OpCase } from './util/op-specs.ts';
import { evaluate } from './util/run.ts';
import { assertCloseToMax, fmtDims, type Tensor } from './util/tensor.ts';

const TOL = 1e-5;
const SEED = 0xf1_0a7;
const RUNS = 40;

const computed = opNames.filter((n): n is ComputedOp => n !== 'input' && n !== 'constant');

async function checkFloat32<K extends ComputedOp>(op: K, c: OpCase<K>, seed: number): Promise<void> {
  const spec = specOf(op);
  const data = drawInputs(spec, c.inputs, seed).map((t) => ({ shape: t.shape, data: Float64Array.from(Float32Array.from(t.data)) }));
  const inputs = Object.fromEntries(data.map((t, i) => [`in${i}`, t])) as Record<string, Tensor>;
  const build = (dtype: 'float32' | 'float64') =>
    evaluate(dtype, inputs, (g, x) => ({ y: spec.build(g, data.map((_, i) => x[`in${i}`]!), c.attrs) }));
  const [r32, r64] = await Promise.all([build('float32'), build('float64')]);
  expect(r32.out.y, `${op} ${c.name}: float32 output array`).toBeInstanceOf(Float32Array);
  expect(r64.out.y, `${op} ${c.name}: float64 output array`).toBeInstanceOf(Float64Array);
  expect(r32.nodes.y.dtype).toBe('float32');
  const reference: Tensor = { shape: r64.nodes.y.shape, data: r64.out.y as Float64Array };
  let scale: number | undefined;
  if (spec.accumulates !== undefined) {
    const abs = data.map((t, i) => (spec.accumulates!.includes(i) ? { shape: t.shape, data: t.data.map(Math.abs) } : t));
    scale = spec.oracle(abs, c.attrs).data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  }
  assertCloseToMax(r32.out.y, reference, TOL, `${op} ${c.name} (data seed ${seed}) float32 vs float64`, scale);
}

function suite<K extends ComputedOp>(op: K): void {
  describe(op, () => {
    const examples = ops[op].examples as readonly OpCase<K>[];
    examples.forEach((ex, i) => {
      it(`example ${ex.name}: ${ex.inputs.map(fmtDims).join(' ')}`, async () => {
        await checkFloat32(op, ex, 2000 + i);
      });
    });
    it(`property: ${RUNS} generated configurations (seed ${SEED})`, async () => {
      await fc.assert(
        fc.asyncProperty(specOf(op).cases, fc.integer({ min: 0, max: 0x7fffffff }), async (c, seed) => {
          await checkFloat32(op, c, seed);
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });
  });
}

describe('float32 within 1e-5 of float64', () => {
  for (const op of computed) suite(op);
});
