import { Graph, printGraph, type Node } from '@graft/ir';
import { formatTrace } from '@graft/rewrite';
import { describe, expect, it } from 'vitest';
import { simplifyPass } from './passes/simplify.ts';
import { simplifyRules } from './rules/simplify.ts';
import { liveNodes } from './schedule.ts';
import { createStage } from './stage.ts';
import { fakeBackend } from './test-backend.ts';

interface Case {
  /** The rule expected to fire (first firing). */
  readonly rule: string;
  /** Builds the graph containing the pattern; returns the output. */
  readonly build: (g: Graph) => Node;
  /** Nodes the output needs before and after simplification. */
  readonly before: number;
  readonly after: number;
  /** The op of the simplified output. */
  readonly result: string;
  /** The simplified output's attrs, where they matter. */
  readonly attrs?: object;
}

const x4 = (g: Graph) => g.input('x', [2, 3, 4, 5]);

// Each case builds the smallest graph containing one rule's pattern; the node counts are
// what the output needs (inputs and constants included) before and after the pass.
const cases: readonly Case[] = [
  { rule: 'reverse.reverse', build: (g) => g.reverse(g.reverse(x4(g), [1, 2]), [2, 1]), before: 3, after: 1, result: 'input' },
  { rule: 'reverse.reverse', build: (g) => g.reverse(g.reverse(x4(g), [1, 2]), [2, 3]), before: 3, after: 2, result: 'reverse', attrs: { axes: [1, 3] } },
  { rule: 'reverse.unitAxes', build: (g) => g.reverse(g.input('x', [1, 3, 1]), [0, 2]), before: 2, after: 1, result: 'input' },
  { rule: 'transpose.identity', build: (g) => g.transpose(x4(g), [0, 1, 2, 3]), before: 2, after: 1, result: 'input' },
  { rule: 'transpose.transpose', build: (g) => g.transpose(g.transpose(x4(g), [3, 1, 2, 0]), [3, 1, 2, 0]), before: 3, after: 1, result: 'input' },
  // y.shape[k] = x.shape[p[k]], z.shape[k] = y.shape[q[k]] = x.shape[p[q[k]]]: [2,1,0,3].
  { rule: 'transpose.transpose', build: (g) => g.transpose(g.transpose(x4(g), [1, 2, 0, 3]), [1, 0, 2, 3]), before: 3, after: 2, result: 'transpose', attrs: { perm: [2, 1, 0, 3] } },
  { rule: 'transpose.unitAxes', build: (g) => g.transpose(g.input('x', [1, 3, 1, 4]), [1, 0, 3, 2]), before: 2, after: 2, result: 'reshape' },
  { rule: 'pad.zero', build: (g) => g.pad(x4(g), [[0, 0], [0, 0], [0, 0], [0, 0]]), before: 2, after: 1, result: 'input' },
  { rule: 'pad.pad', build: (g) => g.pad(g.pad(g.input('x', [3, 3]), [[1, 0], [0, 2]]), [[0, 1], [1, 1]]), before: 3, after: 2, result: 'pad', attrs: { pads: [[1, 1], [1, 3]] } },
  { rule: 'dilate.one', build: (g) => g.dilate(x4(g), 1), before: 2, after: 1, result: 'input' },
  { rule: 'dilate.one', build: (g) => g.dilate(g.input('x', [2, 1, 1, 3]), [2, 3]), before: 2, after: 1, result: 'input' },
  { rule: 'reshape.same', build: (g) => g.reshape(x4(g), [2, 3, 4, 5]), before: 2, after: 1, result: 'input' },
  { rule: 'reshape.reshape', build: (g) => g.reshape(g.reshape(x4(g), [6, 20]), [120]), before: 3, after: 2, result: 'reshape' },
  { rule: 'reshape.reshape', build: (g) => g.reshape(g.reshape(x4(g), [6, 20]), [2, 3, 4, 5]), before: 3, after: 1, result: 'input' },
  { rule: 'broadcastTo.sameSize', build: (g) => g.broadcastTo(x4(g), [2, 3, 4, 5]), before: 2, after: 1, result: 'input' },
  { rule: 'broadcastTo.sameSize', build: (g) => g.broadcastTo(g.input('x', [3, 4]), [1, 3, 4]), before: 2, after: 2, result: 'reshape' },
  { rule: 'broadcastTo.broadcastTo', build: (g) => g.broadcastTo(g.broadcastTo(g.input('x', [4]), [3, 4]), [2, 3, 4]), before: 3, after: 2, result: 'broadcastTo' },
  { rule: 'reduce.unitAxes', build: (g) => g.sum(x4(g), []), before: 2, after: 1, result: 'input' },
  { rule: 'reduce.unitAxes', build: (g) => g.mean(g.input('x', [2, 1, 3]), [1]), before: 2, after: 2, result: 'reshape' },
  { rule: 'reduce.unitAxes', build: (g) => g.max(g.input('x', [2, 1, 3]), [1], true), before: 2, after: 1, result: 'input' },
  { rule: 'neg.neg', build: (g) => g.neg(g.neg(x4(g))), before: 3, after: 1, result: 'input' },
  { rule: 'square.neg', build: (g) => g.square(g.neg(x4(g))), before: 3, after: 2, result: 'square' },
  { rule: 'mul.one', build: (g) => g.mul(x4(g), 1), before: 3, after: 1, result: 'input' },
  { rule: 'mul.one', build: (g) => g.mul(g.constant(1), x4(g)), before: 3, after: 1, result: 'input' },
  { rule: 'mul.one', build: (g) => g.mul(g.input('x', [5]), g.constant(new Float64Array(10).fill(1), [2, 5])), before: 3, after: 2, result: 'broadcastTo' },
  { rule: 'mul.one', build: (g) => g.mul(x4(g), g.broadcastTo(g.constant(1), [2, 3, 4, 5])), before: 4, after: 1, result: 'input' },
  { rule: 'mul.minusOne', build: (g) => g.mul(x4(g), -1), before: 3, after: 2, result: 'neg' },
  { rule: 'div.one', build: (g) => g.div(x4(g), 1), before: 3, after: 1, result: 'input' },
  { rule: 'add.zero', build: (g) => g.add(x4(g), 0), before: 3, after: 1, result: 'input' },
  { rule: 'add.zero', build: (g) => g.add(0, x4(g)), before: 3, after: 1, result: 'input' },
  { rule: 'sub.zero', build: (g) => g.sub(x4(g), 0), before: 3, after: 1, result: 'input' },
  { rule: 'sub.fromZero', build: (g) => g.sub(0, x4(g)), before: 3, after: 2, result: 'neg' },
  { rule: 'add.neg', build: (g) => g.add(x4(g), g.neg(g.input('y', [5]))), before: 4, after: 3, result: 'sub' },
  { rule: 'add.neg', build: (g) => g.add(g.neg(g.input('y', [5])), x4(g)), before: 4, after: 3, result: 'sub' },
  { rule: 'sub.neg', build: (g) => g.sub(x4(g), g.neg(g.input('y', [5]))), before: 4, after: 3, result: 'add' },
  { rule: 'mul.zero', build: (g) => g.mul(g.constant([-3, 2], [2]), 0), before: 3, after: 1, result: 'constant' },
  { rule: 'biasAdd.zero', build: (g) => g.biasAdd(x4(g), g.constant([0, 0, 0, 0, 0], [5])), before: 3, after: 1, result: 'input' },
];

function simplify(y: Node) {
  const r = simplifyPass.run(createStage({ y }), { backend: fakeBackend() });
  return { y: r.stage.outputs['y']!, trace: r.trace ?? [] };
}

describe('simplify: every rule fires on a graph built to contain its pattern', () => {
  for (const c of cases) {
    it(`${c.rule}: ${c.before} → ${c.after} nodes, result ${c.result}`, () => {
      const g = new Graph({ dtype: 'float64' });
      const y = c.build(g);
      expect(liveNodes({ y }, 'test').length, printGraph(liveNodes({ y }, 'test'))).toBe(c.before);
      const out = simplify(y);
      const after = liveNodes({ y: out.y }, 'test');
      expect(out.trace[0]?.rule, formatTrace(out.trace)).toBe(c.rule);
      expect(after.length, printGraph(after)).toBe(c.after);
      expect(out.y.op).toBe(c.result);
      expect(out.y.shape).toEqual(y.shape);
      if (c.attrs !== undefined) expect(out.y.attrs).toMatchObject(c.attrs);
    });
  }

  it('every rule of simplifyRules has a case above, a dotted name and a one-line identity', () => {
    const tested = new Set(cases.map((c) => c.rule));
    for (const r of simplifyRules) {
      expect(tested.has(r.name), `rule ${r.name} has no test case`).toBe(true);
      expect(r.identity).toMatch(/→/);
      expect(r.identity).not.toMatch(/\n/);
    }
    expect(new Set(simplifyRules.map((r) => r.name)).size).toBe(simplifyRules.length);
  });
});

describe('simplify declines what is not sound', () => {
  it('x·0 is kept for an input x (NaN·0 = NaN, ∞·0 = NaN)', () => {
    const g = new Graph({ dtype: 'float64' });
    const y = g.mul(g.input('x', [3]), 0);
    const out = simplify(y);
    expect(out.trace).toEqual([]);
    expect(out.y.op).toBe('mul');
  });

  it('x·0 is kept for a constant holding ∞', () => {
    const g = new Graph({ dtype: 'float64' });
    const out = simplify(g.mul(g.constant([1, Infinity], [2]), 0));
    expect(out.y.op).toBe('mul');
  });

  it('x·0 of a finite constant keeps the signs of the zeros (−3·0 = −0)', () => {
    const g = new Graph({ dtype: 'float64' });
    const out = simplify(g.mul(g.constant([-3, 2], [2]), 0));
    const values = (out.y as Node<'constant'>).attrs.values;
    expect(Object.is(values[0], -0)).toBe(true);
    expect(Object.is(values[1], 0)).toBe(true);
  });

  it('reverse(reverse(x)) on different axes, transposes that do not cancel and crops of pads stay', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [3, 4]);
    const crop = g.pad(g.pad(x, [[1, 1], [0, 0]]), [[-1, 0], [0, 0]]);
    const out = simplify(crop);
    expect(liveNodes({ y: out.y }, 'test').map((n) => n.op)).toEqual(['input', 'pad', 'pad']);
  });

  it('a chain collapses to a fixed point: neg⁴, reverse³ and transposes compose away', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [2, 3, 4]);
    let y: Node = g.neg(g.neg(g.neg(g.neg(x))));
    y = g.reverse(g.reverse(g.reverse(y, [0]), [0]), [1]);
    y = g.transpose(g.transpose(g.transpose(y, [1, 2, 0]), [1, 2, 0]), [1, 2, 0]);
    const out = simplify(g.mul(g.add(y, 0), 1));
    expect(liveNodes({ y: out.y }, 'test').map((n) => n.op)).toEqual(['input', 'reverse']);
  });
});
