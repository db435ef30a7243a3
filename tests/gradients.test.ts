/**
 * Every op's gradient, checked numerically (house rule 4): central differences in float64
 * on the CPU executor, over each op record's example configurations and over
 * fast-check-generated conv configurations; the gradient of the gradient (order 2) for every
 * op and for generated conv configurations; and the adjoint (dot-product) test for every op
 * that is linear in an operand. The largest error seen is printed at the end.
 *
 * Each check differentiates `y = Σ op(…) ⊙ r` for fixed random weights r, so that every
 * output element enters with its own weight. Data avoids non-differentiable points (see
 * `operandData`). Tolerance: gradcheck's default, |analytic − numeric| ≤ 1e-8 + 1e-6·max(|a|, |n|).
 */
import fc from 'fast-check';
import { Graph, ops, type Node, type OpName } from 'graft';
import { adjointCheck, DEFAULT_TOLERANCE, gradcheck } from '@graft/gradcheck';
import { afterAll, describe, expect, it } from 'vitest';
import { convConfigArb, depthwiseConfigArb, depthwiseGeometryOf, geometryOf, TraitCounter, type ConvConfig, type DepthwiseConfig } from './util/conv-config.ts';
import { buildOpCase, dims, ErrorTracker, operandNameOf, opsWithOperands, recordOf } from './util/gradcheck-data.ts';

const SEED = 0x9_4ad;
const tracker = new ErrorTracker();

afterAll(() => {
  console.log(tracker.summary('gradients.test.ts', DEFAULT_TOLERANCE.rtol, DEFAULT_TOLERANCE.atol));
});

/** Gradcheck of `Σ op(…) ⊙ r` w.r.t. every operand (each has a rule: the record's vjp table is typed by operand name). */
async function checkOp(op: OpName, shapes: readonly (readonly number[])[], attrs: unknown, seed: number, order: 1 | 2, label: string) {
  const c = buildOpCase(new Graph({ dtype: 'float64' }), op, shapes, attrs, seed);
  const report = await gradcheck(c.y, c.inputs, { feeds: c.feeds, order, seed });
  tracker.record(`${label} (order ${order})`, report);
  expect(report.ok, `${label}\n${report}`).toBe(true);
  return report;
}

const exampleCases = opsWithOperands().flatMap((op) =>
  recordOf(op).examples.map((e, k) => ({
    op,
    example: e,
    seed: SEED + 101 * k,
    label: `${op} ${e.name} (${e.inputs.map(dims).join(', ')})`,
  })),
);

describe('first order, every op × its examples', () => {
  it('covers every op but input and constant', () => {
    const covered = new Set(exampleCases.map((c) => c.op));
    expect((Object.keys(ops) as OpName[]).filter((op) => !covered.has(op)).sort()).toEqual(['constant', 'input']);
  });

  it.each(exampleCases)('$label', async ({ op, example, seed, label }) => {
    const report = await checkOp(op, example.inputs, example.attrs, seed, 1, label);
    expect(report.mode).toBe('full');
    if (op === 'step') {
      // step is piecewise constant: its gradient is exactly zero, not merely small.
      for (const p of report.perInput) expect([...p.analytic].every((v) => v === 0), `${label}: ${p.input}`).toBe(true);
    } else {
      // A check of an all-zero gradient would pass trivially.
      const largest = Math.max(...report.perInput.map((p) => Math.max(...p.analytic.map(Math.abs))));
      expect(largest, label).toBeGreaterThan(1e-3);
    }
  });
});

/**
 * Second order for every op: the conv family, the elementwise ops and the reductions have
 * nonzero second derivatives; for the linear ops the check still builds and runs the VJPs
 * of their VJP graphs (whose Hessian·v is zero), and for maxPool it needs maxPoolGrad to be
 * differentiable in x (zero almost everywhere).
 */
describe('second order (gradient of ⟨∇f, v⟩ = Hessian·v), every op × its examples', () => {
  it.each(exampleCases)('$label', async ({ op, example, seed, label }) => {
    await checkOp(op, example.inputs, example.attrs, seed, 2, label);
  });
});

type ConvFamily = 'conv2d' | 'conv2dBackpropInput' | 'conv2dBackpropFilter' | 'conv2dTranspose';

/** Operand shapes and attrs of a conv-family op for the forward configuration c. */
function convFamilyCase(op: ConvFamily, c: ConvConfig): { shapes: (readonly number[])[]; attrs: object } {
  const conv = { strides: c.strides, padding: c.padding, dilations: c.dilations, groups: c.groups };
  const out = geometryOf(c).outShape;
  switch (op) {
    case 'conv2d':
      return { shapes: [c.x, c.w], attrs: conv };
    case 'conv2dBackpropInput':
      return { shapes: [out, c.w], attrs: { ...conv, inputShape: c.x } };
    case 'conv2dBackpropFilter':
      return { shapes: [c.x, out], attrs: { ...conv, filterShape: c.w } };
    case 'conv2dTranspose':
      return { shapes: [out, c.w], attrs: { ...conv, outputShape: c.x } };
  }
}

const convFamily: readonly ConvFamily[] = ['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter', 'conv2dTranspose'];
const RUNS = 40;
const RUNS_ORDER2 = 15;

describe('generated conv configurations (fast-check)', () => {
  it.each(convFamily)(`%s: first order over ${RUNS} configurations, and the adjoint test in each operand`, async (op) => {
    const traits = new TraitCounter();
    await fc.assert(
      fc.asyncProperty(convConfigArb, async (c) => {
        traits.record(c);
        const { shapes, attrs } = convFamilyCase(op, c);
        await checkOp(op, shapes, attrs, c.seed, 1, `${op} ${c.name}`);
        const g = new Graph({ dtype: 'float64' });
        const inputs = shapes.map((shape, i) => g.input(operandNameOf(op, i), shape));
        const y = g.node(op, inputs, attrs as never) as Node;
        for (const x of inputs) {
          const r = await adjointCheck(y, x, { seed: c.seed });
          expect(r.ok, `${op} ${c.name}\n${r}`).toBe(true);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // Every geometry trait of the generator (dilation > 1, asymmetric SAME, unread rows, …) occurs.
    expect(traits.missing()).toEqual([]);
  });

  it.each(convFamily)(`%s: second order over ${RUNS_ORDER2} configurations`, async (op) => {
    await fc.assert(
      fc.asyncProperty(convConfigArb, async (c) => {
        const { shapes, attrs } = convFamilyCase(op, c);
        await checkOp(op, shapes, attrs, c.seed, 2, `${op} ${c.name}`);
      }),
      { seed: SEED + 2, numRuns: RUNS_ORDER2 },
    );
  });
});

type DepthwiseFamily = 'depthwiseConv2d' | 'depthwiseConv2dBackpropInput' | 'depthwiseConv2dBackpropFilter';

/** Operand shapes and attrs of a depthwise op for the forward configuration c. */
function depthwiseCase(op: DepthwiseFamily, c: DepthwiseConfig): { shapes: (readonly number[])[]; attrs: object } {
  const window = { strides: c.strides, padding: c.padding, dilations: c.dilations };
  const out = depthwiseGeometryOf(c).outShape;
  switch (op) {
    case 'depthwiseConv2d':
      return { shapes: [c.x, c.w], attrs: window };
    case 'depthwiseConv2dBackpropInput':
      return { shapes: [out, c.w], attrs: { ...window, inputShape: c.x } };
    case 'depthwiseConv2dBackpropFilter':
      return { shapes: [c.x, out], attrs: { ...window, filterShape: c.w } };
  }
}

const depthwiseFamily: readonly DepthwiseFamily[] = ['depthwiseConv2d', 'depthwiseConv2dBackpropInput', 'depthwiseConv2dBackpropFilter'];

describe('generated depthwise configurations (fast-check, multiplier 1 and > 1)', () => {
  it.each(depthwiseFamily)(`%s: first order over ${RUNS} configurations, and the adjoint test in each operand`, async (op) => {
    await fc.assert(
      fc.asyncProperty(depthwiseConfigArb, async (c) => {
        const { shapes, attrs } = depthwiseCase(op, c);
        await checkOp(op, shapes, attrs, c.seed, 1, `${op} ${c.name}`);
        const g = new Graph({ dtype: 'float64' });
        const inputs = shapes.map((shape, i) => g.input(operandNameOf(op, i), shape));
        const y = g.node(op, inputs, attrs as never) as Node;
        for (const x of inputs) {
          const r = await adjointCheck(y, x, { seed: c.seed });
          expect(r.ok, `${op} ${c.name}\n${r}`).toBe(true);
        }
      }),
      { seed: SEED + 3, numRuns: RUNS },
    );
  });

  it.each(depthwiseFamily)(`%s: second order over ${RUNS_ORDER2} configurations`, async (op) => {
    await fc.assert(
      fc.asyncProperty(depthwiseConfigArb, async (c) => {
        const { shapes, attrs } = depthwiseCase(op, c);
        await checkOp(op, shapes, attrs, c.seed, 2, `${op} ${c.name}`);
      }),
      { seed: SEED + 4, numRuns: RUNS_ORDER2 },
    );
  });
});

/** For each op, the operands it is linear (or affine) in, holding the others fixed. */
const linearIn: Partial<Record<OpName, readonly string[]>> = {
  neg: ['x'],
  add: ['a', 'b'],
  sub: ['a', 'b'],
  mul: ['a', 'b'],
  div: ['a'],
  sum: ['x'],
  mean: ['x'],
  reshape: ['x'],
  transpose: ['x'],
  reverse: ['x'],
  pad: ['x'],
  dilate: ['x'],
  broadcastTo: ['x'],
  matmul: ['a', 'b'],
  biasAdd: ['x', 'b'],
  conv2d: ['x', 'w'],
  conv2dBackpropInput: ['dy', 'w'],
  conv2dBackpropFilter: ['x', 'dy'],
  conv2dTranspose: ['v', 'w'],
  depthwiseConv2d: ['x', 'w'],
  depthwiseConv2dBackpropInput: ['dy', 'w'],
  depthwiseConv2dBackpropFilter: ['x', 'dy'],
  concat: ['xs'],
  maxPoolGrad: ['dy'],
  maxPoolGradGrad: ['ddx'],
  avgPool: ['x'],
};

describe('adjoint test ⟨A x, c⟩ = ⟨x, Aᵀc⟩ of every linear op × its examples', () => {
  const cases = exampleCases.flatMap((c) =>
    c.example.inputs.flatMap((_, i) => ((linearIn[c.op] ?? []).includes(operandNameOf(c.op, i)) ? [{ ...c, index: i, label: `${c.label} in operand ${i} (${operandNameOf(c.op, i)})` }] : [])),
  );
  it.each(cases)('$label', async ({ op, example, seed, index, label }) => {
    const c = buildOpCase(new Graph({ dtype: 'float64' }), op, example.inputs, example.attrs, seed);
    const x = c.inputs[index]!;
    // The other operands keep their gradient-check data (distinct values for maxPoolGrad's x).
    const feeds = Object.fromEntries(Object.entries(c.feeds).filter(([name]) => name !== c.names[index]));
    const r = await adjointCheck(c.out, x, { feeds, seed });
    expect(r.ok, `${label}\n${r}`).toBe(true);
    expect(r.trivial, `${label}\n${r}`).toBe(false);
  });
});
