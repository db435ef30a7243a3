import { Graph, GraphError, printGraph, type Node } from '@graft/ir';
import { describe, expect, it } from 'vitest';
import { any, constant, match, op } from './pattern.ts';
import { rewrite, rewriteNodes } from './rewrite.ts';
import { rule, type RuleSet } from './rule.ts';
import { formatTrace } from './trace.ts';

const sameAxes = (a: Node, b: Node) =>
  a.is('reverse') && b.is('reverse') && a.attrs.axes.join() === b.attrs.axes.join();

// reverse(reverse(x, a), a) → x
const reverseReverse = rule({
  name: 'reverse.reverse',
  identity: 'reverse(reverse(x, a), a) → x',
  pattern: op('reverse', [op('reverse', [any('x')], { as: 'inner' })]),
  rewrite: ({ x, inner }, outer) => (sameAxes(inner, outer) ? x : undefined),
});

// −(−x) → x
const negNeg = rule({
  name: 'neg.neg',
  identity: '−(−x) → x',
  pattern: op('neg', [op('neg', [any('x')])]),
  rewrite: ({ x }) => x,
});

// reverse(−x, a) → −reverse(x, a): reversal commutes with elementwise ops.
const reverseNeg = rule({
  name: 'reverse.neg',
  identity: 'reverse(−x, a) → −reverse(x, a)',
  pattern: op('reverse', [op('neg', [any('x')])]),
  rewrite: ({ x }, node, g) => g.neg(g.reverse(x, node.attrs.axes)),
});

// x − x → x · 0 (a capture name used twice must bind one node)
const subSelf = rule({
  name: 'sub.self',
  identity: 'x − x → x · 0',
  pattern: op('sub', [any('x'), any('x')]),
  rewrite: ({ x }, _node, g) => g.mul(x, 0),
});

// x · 0 → zeros
const mulZero = rule({
  name: 'mul.zero',
  identity: 'x · 0 → 0',
  pattern: op('mul', [any(), constant(0)]),
  rewrite: (_captures, node, g) => g.constant(new Float64Array(node.size), node.shape),
});

const algebra: RuleSet = [reverseReverse, negNeg, reverseNeg, subSelf, mulZero];

function reverses(g: Graph, x: Node, times: number): Node {
  let y = x;
  for (let i = 0; i < times; i++) y = g.reverse(y, [0]);
  return y;
}

describe('rewrite to a fixed point', () => {
  it('collapses reverse(reverse(reverse(reverse(x)))) fully to x', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [3, 2]);
    const { graph, outputs, trace } = rewrite({ y: reverses(g, x, 4) }, algebra);
    expect(outputs.y.op).toBe('input');
    expect(graph.nodes.map(String)).toEqual(['input#0']);
    expect(graph).not.toBe(g);
    expect(graph.dtype).toBe('float64');
    expect(trace.map((t) => [t.rule, String(t.matched), String(t.replacement)])).toEqual([
      ['reverse.reverse', 'reverse#2', 'input#0'],
      ['reverse.reverse', 'reverse#4', 'input#0'],
    ]);
  });

  it('leaves reverse³(x) as one reverse', () => {
    const g = new Graph();
    const x = g.input('x', [3, 2]);
    const { outputs } = rewrite({ y: reverses(g, x, 3) }, algebra);
    expect(outputs.y.op).toBe('reverse');
    expect(outputs.y.inputs[0]!.op).toBe('input');
  });

  it('rewrites replacements until no rule fires: reverse(−reverse(−x)) → x needs three rounds', () => {
    const g = new Graph();
    const x = g.input('x', [4]);
    const y = g.reverse(g.neg(g.reverse(g.neg(x), [0])), [0]);
    const { outputs, trace } = rewrite({ y }, algebra);
    expect(outputs.y.op).toBe('input');
    // reverse(−x) → −reverse(x); then −(−reverse(x)) → reverse(x); then reverse(reverse(x)) → x.
    expect(trace.map((t) => t.rule)).toEqual(['reverse.neg', 'neg.neg', 'reverse.reverse']);
    expect(trace.map((t) => String(t.matched))).toEqual(['reverse#2', 'neg#3', 'reverse#4']);
  });

  it('rewrites inside a replacement and traces the intermediate node to the firing that built it', () => {
    // tanh(x) → sigmoid(reverse(reverse(x))) builds a reverse pair that the next rule removes.
    const detour = rule({
      name: 'tanh.detour',
      identity: 'tanh(x) → sigmoid(reverse(reverse(x)))',
      pattern: op('tanh', [any('x')]),
      rewrite: ({ x }, _node, g) => g.sigmoid(reverses(g, x, 2)),
    });
    const g = new Graph();
    const x = g.input('x', [2]);
    const { graph, outputs, trace } = rewrite({ y: g.tanh(x) }, [detour, reverseReverse]);
    expect(graph.nodes.map(String)).toEqual(['input#0', 'sigmoid#1']);
    expect(outputs.y).toBe(graph.nodes[1]);
    expect(trace.map((t) => [t.rule, t.madeBy, t.matched.op, String(t.replacement)])).toEqual([
      ['tanh.detour', undefined, 'tanh', 'sigmoid#1'],
      ['reverse.reverse', 0, 'reverse', 'input#0'],
    ]);
    expect(formatTrace(trace).split('\n')).toEqual([
      '0  tanh.detour      tanh#1 → sigmoid#1  ; tanh(x) → sigmoid(reverse(reverse(x)))',
      '1  reverse.reverse  reverse (from 0) → input#0  ; reverse(reverse(x, a), a) → x',
    ]);
    expect(formatTrace(trace, { identities: false })).toBe(
      '0  tanh.detour      tanh#1 → sigmoid#1\n1  reverse.reverse  reverse (from 0) → input#0',
    );
  });

  it('changes nothing when rules decline: same printed graph, same node count, empty trace', () => {
    let asked = 0;
    const declineAll = rule({
      name: 'decline.all',
      identity: 'x → x (always declines)',
      pattern: any('x'),
      rewrite: ({ x }, _node, g) => {
        asked++;
        g.neg(x); // built, then dropped: declining must not leave it in the result
        return undefined;
      },
    });
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [2, 3]);
    const w = g.input('w', [3, 2]);
    const y = g.sum(g.square(g.matmul(g.relu(x), g.reverse(w, [1]))));
    const { graph, outputs, trace } = rewrite({ y }, [declineAll, reverseReverse]);
    expect(asked).toBe(g.nodes.length);
    expect(trace).toEqual([]);
    expect(graph.nodes.length).toBe(g.nodes.length);
    expect(printGraph(graph.nodes)).toBe(printGraph(g.nodes));
    expect(String(outputs.y)).toBe(String(y));
  });

  it('binds a capture name used twice only to one and the same node', () => {
    const g = new Graph();
    const a = g.input('a', [2]);
    const b = g.input('b', [2]);
    const same = g.sub(a, a);
    const different = g.sub(a, b);
    const equalButDistinct = g.sub(g.neg(a), g.neg(a));
    const pattern = op('sub', [any('x'), any('x')]);
    expect(match(pattern, same)?.x).toBe(a);
    expect(match(pattern, different)).toBeUndefined();
    expect(match(pattern, equalButDistinct)).toBeUndefined();

    const { outputs, trace } = rewrite({ same, different, equalButDistinct }, [subSelf]);
    expect(outputs.same.op).toBe('mul');
    expect(outputs.different.op).toBe('sub');
    expect(outputs.equalButDistinct.op).toBe('sub');
    expect(trace.map((t) => String(t.matched))).toEqual(['sub#2']);
  });

  it('keeps inputs that rewriting made unused, so the same feeds still fit', () => {
    const g = new Graph();
    const x = g.input('x', [2, 2]);
    const { graph, outputs, trace } = rewrite({ z: g.sub(x, x) }, algebra);
    expect(trace.map((t) => t.rule)).toEqual(['sub.self', 'mul.zero']);
    expect(outputs.z.op).toBe('constant');
    expect([...graph.inputs.keys()]).toEqual(['x']);
  });

  it('throws a GraphError naming the rule when rules keep firing (x → −(−x))', () => {
    const forever = rule({
      name: 'grow.negneg',
      identity: 'x → −(−x)',
      pattern: any('x'),
      rewrite: ({ x }, _node, g) => g.neg(g.neg(x)),
    });
    const g = new Graph();
    const x = g.input('x', [2]);
    expect(() => rewrite({ x }, [forever], { maxFirings: 50 })).toThrow(GraphError);
    expect(() => rewrite({ x }, [forever], { maxFirings: 50 })).toThrow(/rule "grow\.negneg" keeps firing/);
    // The default bound (10 000 firings) is reached without exhausting the call stack.
    expect(() => rewrite({ x }, [forever])).toThrow(/within 10000 firings; rule "grow\.negneg"/);
  });

  it('rejects a replacement of another shape, naming the rule', () => {
    const shrink = rule({
      name: 'bad.shrink',
      identity: 'neg(x) → sum(x)',
      pattern: op('neg'),
      rewrite: (_c, node, g) => g.sum(node.inputs[0]!),
    });
    const g = new Graph();
    const y = g.neg(g.input('x', [2]));
    expect(() => rewrite({ y }, [shrink])).toThrow(/rule "bad\.shrink" must keep the matched node's shape/);
  });

  it('maps outputs by name, shares one result for a node named twice, and accepts a list of roots', () => {
    const g = new Graph();
    const x = g.input('x', [3]);
    const y = reverses(g, g.neg(g.neg(x)), 2);
    const named = rewrite({ a: y, b: y }, algebra);
    expect(named.outputs.a).toBe(named.outputs.b);
    expect(named.outputs.a.op).toBe('input');
    const listed = rewriteNodes([y, g.neg(x)], algebra);
    expect(listed.outputs.map(String)).toEqual(['input#0', 'neg#1']);
  });

  it('keeps provenance: copied nodes point at the copied forward node, built nodes inherit the matched node’s', () => {
    const g = new Graph();
    const x = g.input('x', [3]);
    const forward = g.tanh(x);
    const grad = g.withProvenance({ forward, rule: 'tanh.vjp.x', mode: 'vjp' }, () =>
      g.reverse(g.neg(g.reverse(x, [0])), [0]),
    );
    const { outputs } = rewrite({ forward, grad }, [reverseNeg]);
    // reverse(−reverse(x)) → −reverse(reverse(x)): the new nodes carry the gradient's provenance.
    expect(outputs.grad.op).toBe('neg');
    expect(outputs.grad.provenance?.rule).toBe('tanh.vjp.x');
    expect(outputs.grad.provenance?.forward).toBe(outputs.forward);
    expect(outputs.grad.inputs[0]!.provenance?.forward).toBe(outputs.forward);
  });

  it('rejects empty outputs, outputs of two graphs and malformed rules with typed errors', () => {
    const g = new Graph();
    const h = new Graph();
    expect(() => rewrite({}, algebra)).toThrow(GraphError);
    expect(() => rewrite({ a: g.input('a', [1]), b: h.input('b', [1]) }, algebra)).toThrow(/one graph/);
    expect(() => rewrite({ a: g.neg(g.input('c', [1])) }, [{} as never])).toThrow(/rule 0 must have a name/);
  });
});

describe('patterns', () => {
  it('match op lists, attr predicates and constants', () => {
    const g = new Graph();
    const x = g.input('x', [2, 3]);
    const padded = g.pad(x, [[0, 0], [1, 0]]);
    const zeroPad = g.pad(x, [[0, 0], [0, 0]]);
    const noPad = op('pad', [any('x')], { where: (a) => a.pads.every(([b, e]) => b === 0 && e === 0) });
    expect(match(noPad, zeroPad)?.x).toBe(x);
    expect(match(noPad, padded)).toBeUndefined();
    const unary = op(['neg', 'exp'], [any('x')], { as: 'y' });
    const e = g.exp(x);
    expect(match(unary, e)).toEqual({ x, y: e });
    expect(match(unary, g.log(x))).toBeUndefined();
    const ones = g.constant([1, 1, 1], [3]);
    expect(match(constant(1), ones)).toEqual({});
    expect(match(constant(1), g.constant([1, 2, 1], [3]))).toBeUndefined();
    expect(match(constant(undefined, { as: 'c' }), ones)?.c).toBe(ones);
    expect(match(any('n', (n) => n.rank === 2), x)?.n).toBe(x);
    expect(match(any('n', (n) => n.rank === 3), x)).toBeUndefined();
  });
});
