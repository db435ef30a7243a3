/**
 * Forward and reverse mode agree, op by op: for seeded random tangents t (one per operand)
 * and cotangent c,
 *
 *     ⟨jvp(y; t), c⟩ = Σᵢ ⟨tᵢ, vjpᵢ(y; c)⟩
 *
 * since both equal cᵀ J t. Computed by the CPU executor in float64 over every op record's
 * examples; tolerance 1e-10 relative to Σ|termᵢ| of the inner products (the scale of
 * their rounding error). Tangents and the cotangent are fed inputs, so no rewrite can
 * specialise on their values. Operands whose VJP rule gives a zero gradient (maxPoolGrad's x:
 * piecewise constant) get a tangent too, which the JVP must treat as zero.
 */
import { Graph, jvp, vjp, compile, cpu, type Node, type OpName } from 'graft';
import { afterAll, describe, expect, it } from 'vitest';
import { buildOpCase, dims, opsWithOperands, recordOf } from './util/gradcheck-data.ts';
import { mulberry32, uniform } from './util/random.ts';

const SEED = 0x1_7a9;
const RTOL = 1e-10;

function inner(a: ArrayLike<number>, b: ArrayLike<number>): { value: number; scale: number } {
  let value = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    value += a[i]! * b[i]!;
    scale += Math.abs(a[i]! * b[i]!);
  }
  return { value, scale };
}

let largest = { error: 0, label: '' };
afterAll(() => {
  console.log(`jvp-vjp.test.ts: largest |⟨jvp(t), c⟩ − ⟨t, vjp(c)⟩| / Σ|terms| = ${largest.error.toExponential(3)} (${largest.label})`);
});

const cases = opsWithOperands().flatMap((op) =>
  recordOf(op).examples.map((e, k) => ({ op, example: e, seed: SEED + 37 * k, label: `${op} ${e.name} (${e.inputs.map(dims).join(', ')})` })),
);

describe('⟨jvp(t), c⟩ = ⟨t, vjp(c)⟩, every op × its examples (float64)', () => {
  it.each(cases)('$label', async ({ op, example, seed, label }) => {
    const g = new Graph({ dtype: 'float64' });
    const c = buildOpCase(g, op, example.inputs, example.attrs, seed);
    const operands = c.names;
    const differentiable = operands;
    const rng = mulberry32(seed ^ 0x7a9);
    const tangents = c.inputs.map((x, i) => g.input(`t_${operands[i]}`, x.shape));
    const cotangent = g.input('c', c.out.shape);
    const [ty] = jvp([c.out], c.inputs, tangents);
    const xs = differentiable.map((name) => c.inputs[operands.indexOf(name)]!);
    const dxs = vjp([c.out], xs, [cotangent]);
    const outputs: Record<string, Node> = { ty: ty! };
    dxs.forEach((d, i) => (outputs[`d_${differentiable[i]}`] = d));
    const feeds: Record<string, Float64Array> = { ...c.feeds, c: uniform(rng, c.out.size) };
    for (const [i, t] of tangents.entries()) feeds[`t_${operands[i]}`] = uniform(rng, t.size);
    const program = compile(outputs, { backend: cpu() });
    // Only the inputs the program reads may be fed.
    const fed = Object.fromEntries(Object.entries(feeds).filter(([name]) => program.plan.feeds.has(name)));
    const out = await program.run(fed);

    const forward = inner(out['ty']!, feeds['c']!);
    let reverse = { value: 0, scale: 0 };
    for (const name of differentiable) {
      const term = inner(feeds[`t_${name}`]!, out[`d_${name}`]!);
      reverse = { value: reverse.value + term.value, scale: reverse.scale + term.scale };
    }
    const scale = Math.max(forward.scale, reverse.scale);
    const error = scale === 0 ? 0 : Math.abs(forward.value - reverse.value) / scale;
    if (error >= largest.error) largest = { error, label };
    const msg = `${label}: ⟨jvp(t), c⟩ = ${forward.value}, ⟨t, vjp(c)⟩ = ${reverse.value}, Σ|terms| ${scale}, rtol ${RTOL}`;
    expect(Math.abs(forward.value - reverse.value), msg).toBeLessThanOrEqual(RTOL * scale);
    if (op === 'step') {
      // step's derivative is zero: both sides vanish term by term.
      expect(scale, msg).toBe(0);
    } else {
      expect(scale, msg).toBeGreaterThan(0);
    }
  });
});
