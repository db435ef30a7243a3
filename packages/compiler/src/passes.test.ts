import { AttrError, Graph, GraphError, Node, ops, printGraph } from '@graft/ir';
import { describe, expect, it } from 'vitest';
import { compile } from './compile.ts';
import { csePass } from './passes/cse.ts';
import { dcePass } from './passes/dce.ts';
import { foldConstantsPass } from './passes/fold-constants.ts';
import { fusePass, fusionGroups } from './passes/fuse.ts';
import { simplifyPass } from './passes/simplify.ts';
import { verifyPass } from './passes/verify.ts';
import { defaultPipeline } from './pipeline.ts';
import { liveNodes } from './schedule.ts';
import { createStage, type Pass, type Stage } from './stage.ts';
import { fakeBackend } from './test-backend.ts';

const ctx = { backend: fakeBackend() };
const count = (stage: Stage) => liveNodes(stage.outputs, 'test').length;

describe('cse', () => {
  it('merges two identical subgraphs built separately (constants by value, add commuted)', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [2, 3]);
    const w = g.input('w', [3, 4]);
    const branch = () => g.relu(g.add(g.constant([1, 2, 3, 4], [4]), g.matmul(g.tanh(x), w)));
    const a = branch();
    const b = g.relu(g.add(g.matmul(g.tanh(x), w), g.constant([1, 2, 3, 5], [4])));
    const c = branch();
    const y = g.add(a, c);
    const z = g.add(b, c);
    const stage = createStage({ y, z });
    // x, w, then per branch: constant, tanh, matmul, add, relu (5) ×3, plus y and z.
    expect(count(stage)).toBe(2 + 15 + 2);
    const out = csePass.run(stage, ctx);
    // c merges into a (5 nodes); b shares tanh and matmul (2) but its constant differs, so its add and relu stay.
    expect(count(out.stage), printGraph(liveNodes(out.stage.outputs, 'test'))).toBe(2 + 5 + 3 + 2);
    expect(out.stage.outputs['y']!.inputs[0]).toBe(out.stage.outputs['y']!.inputs[1]);
    expect(out.notes?.[0]).toBe('7 nodes merged');
  });

  it('keeps constants that differ only in the sign of a zero apart', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [2]);
    const y = g.add(g.mul(x, g.constant([0, -0], [2])), g.mul(x, g.constant([0, 0], [2])));
    expect(count(csePass.run(createStage({ y }), ctx).stage)).toBe(count(createStage({ y })));
  });

  it('does not merge ops that differ in attrs or operand order of a non-commutative op', () => {
    const g = new Graph({ dtype: 'float64' });
    const a = g.input('a', [2, 2]);
    const b = g.input('b', [2, 2]);
    const y = g.add(g.add(g.sub(a, b), g.sub(b, a)), g.add(g.sum(a, [0]), g.sum(a, [1])));
    expect(count(csePass.run(createStage({ y }), ctx).stage)).toBe(count(createStage({ y })));
  });
});

describe('dce', () => {
  it('removes what no output needs', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [3]);
    g.input('unused', [3]);
    const y = g.exp(x);
    g.log(y); // dead
    g.mul(g.square(x), 2); // dead
    expect(g.nodes.length).toBe(7);
    const out = dcePass.run(createStage({ y }), ctx).stage;
    expect(out.graph.nodes.map((n) => n.op)).toEqual(['input', 'exp']);
  });
});

describe('fuse', () => {
  it('a chain of four elementwise ops with broadcasts compiles to one step', () => {
    const g = new Graph({ dtype: 'float32' });
    const x = g.input('x', [4, 5]);
    const b = g.input('b', [5]);
    const y = g.sigmoid(g.mul(g.relu(g.biasAdd(x, b)), g.broadcastTo(g.input('s', [4, 1]), [4, 5])));
    const backend = fakeBackend();
    const p = compile({ y }, { backend });
    expect(p.stats().steps).toBe(1);
    expect(p.stats().fusedSteps).toBe(1);
    const step = p.plan.steps[0]!;
    expect(step.node.op).toBe('fused');
    // broadcastTo is no op of the loop: its operand is loaded with broadcast strides.
    expect(p.listing()).toMatch(/fused\[biasAdd,relu,mul,sigmoid\]/);
    expect(p.listing()).toContain('sigmoid(mul(relu(biasAdd(b0, b1)), b2))');
  });

  it('fusion is a graph node, so a second fuse pass (or any pass after it) keeps and extends it', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [2, 3]);
    const y = g.exp(g.neg(g.relu(x)));
    const once = fusePass.run(createStage({ y }), ctx).stage;
    expect(printGraph(liveNodes(once.outputs, 'test'))).toContain('fused(%0) shape=[2,3] expr=exp(neg(relu(x0)))');
    const twice = fusePass.run(once, ctx).stage;
    expect(count(twice)).toBe(2);
    const p = compile({ y: g.square(y) }, { backend: fakeBackend(), passes: [fusePass, simplifyPass, csePass, dcePass, fusePass, verifyPass] });
    expect(p.plan.steps.map((st) => st.node.op)).toEqual(['fused']);
    expect(p.listing()).toContain('square(exp(neg(relu(b0))))');
  });

  it('stops at non-elementwise ops, at outputs and at values read by two groups', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [2, 3]);
    const e = g.exp(x); // read by two groups and not cheap: stored
    const y = g.sum(g.tanh(g.neg(e)), [1]);
    const z = g.sqrt(g.square(e));
    const groups = fusionGroups(createStage({ y, z, e })).map((f) => f.nodes.map((n) => n.op).join(','));
    expect(groups.sort()).toEqual(['exp', 'neg,tanh', 'square,sqrt']);
  });

  it('recomputes a cheap op in each group that reads it instead of storing it', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [2, 3]);
    const h = g.biasAdd(x, g.input('b', [3]));
    const y = g.relu(h);
    const z = g.mul(g.input('dy', [2, 3]), g.step(h));
    expect(fusionGroups(createStage({ y, z })).map((f) => f.nodes.map((n) => n.op).join(',')).sort()).toEqual(['biasAdd,relu', 'biasAdd,step,mul']);
    const p = compile({ y, z }, { backend: fakeBackend() });
    expect(p.stats().steps).toBe(2);
  });
});

describe('foldConstants', () => {
  it('notes that a backend without runSync gets no folding', () => {
    const g = new Graph({ dtype: 'float64' });
    const y = g.add(g.input('x', [2]), g.mul(g.constant(2), g.constant(3)));
    const r = foldConstantsPass.run(createStage({ y }), ctx);
    expect(r.notes?.[0]).toMatch(/no synchronous evaluation/);
    expect(count(r.stage)).toBe(5);
  });
});

describe('pipeline records', () => {
  it('program.passes names every pass with node counts; trace: true keeps each graph', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [2, 3]);
    const y = g.exp(g.neg(g.neg(g.add(x, 0))));
    const p = compile({ y }, { backend: fakeBackend(), trace: true });
    expect(p.passes.map((r) => r.name)).toEqual(['verify', 'simplify', 'foldConstants', 'cse', 'dce', 'fuse']);
    expect(p.passes.map((r) => r.nodes)).toEqual([6, 2, 2, 2, 2, 2]);
    expect(p.passes[1]!.trace.map((t) => t.rule)).toEqual(['add.zero', 'neg.neg']);
    expect(p.passes[1]!.graph?.nodes.map((n) => n.op)).toEqual(['input', 'exp']);
    expect(p.trace.map((t) => t.rule)).toEqual(['add.zero', 'neg.neg']);
    expect(p.stats().sourceNodes).toBe(6);
    const plain = compile({ y }, { backend: fakeBackend() });
    expect(plain.passes[1]!.graph).toBeUndefined();
  });

  it('passes: [] runs none — one kernel step per node', () => {
    const g = new Graph({ dtype: 'float64' });
    const y = g.exp(g.neg(g.neg(g.input('x', [2]))));
    const p = compile({ y }, { backend: fakeBackend(), passes: [] });
    expect(p.plan.steps.map((s) => (s.kind === 'kernel' ? s.node.op : s.kind))).toEqual(['neg', 'neg', 'exp']);
  });

  it('the default pipeline has lowerConvGradients only when asked', () => {
    expect(defaultPipeline().map((p) => p.name)).not.toContain('lowerConvGradients');
    expect(defaultPipeline({ lowerConvGradients: true }).map((p) => p.name)).toEqual([
      'verify',
      'lowerConvGradients',
      'simplify',
      'foldConstants',
      'cse',
      'dce',
      'fuse',
    ]);
  });
});

/** A pass that runs `f` on the stage and returns what it returns. */
const broken = (name: string, f: (s: Stage) => unknown): Pass => ({ name, doc: 'test', run: (s) => ({ stage: f(s) as Stage }) });

function expectGraphError(f: () => unknown, ...parts: string[]): GraphError {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(GraphError);
  for (const p of parts) expect((error as Error).message).toContain(p);
  return error as GraphError;
}

describe('bad input and broken passes give GraphErrors naming the pass and the node', () => {
  const small = () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [2]);
    return { g, x, y: g.exp(x) };
  };

  it('a cycle made by a broken pass (a hand-built node among its own inputs)', () => {
    const { x, y } = small();
    const cyclic = broken('cycler', (s) => {
      const inputs: Node[] = [x];
      const n = new Node(y.id, 'add', inputs, {} as never, y.shape, y.dtype, s.graph, undefined, ops.add, undefined);
      inputs[0] = n; // the input array is the node's own: now n reads itself
      return { ...s, outputs: { y: n } };
    });
    for (const debug of [false, true]) {
      const e = expectGraphError(() => compile({ y }, { backend: fakeBackend(), passes: [cyclic], debug }), 'cycler:', 'acyclic', `${y.id}`);
      expect(e.op).toBe('cycler');
    }
  });

  it('a cycle through two nodes is reported with its path', () => {
    const { g, x, y } = small();
    const a: Node[] = [x];
    const b: Node[] = [x];
    const na = new Node(100, 'exp', a, {} as never, [2], 'float64', g, undefined, ops.exp, undefined);
    const nb = new Node(101, 'neg', b, {} as never, [2], 'float64', g, undefined, ops.neg, undefined);
    a[0] = nb;
    b[0] = na;
    expectGraphError(
      () => compile({ y }, { backend: fakeBackend(), passes: [broken('loop', (s) => ({ ...s, outputs: { y: na } }))] }),
      'loop: the graph must be acyclic',
      'exp#100 → neg#101 → exp#100',
    );
  });

  it('a pass returning a node of another graph', () => {
    const { y } = small();
    const other = new Graph({ dtype: 'float64' });
    const foreign = other.exp(other.input('x', [2]));
    expectGraphError(
      () => compile({ y }, { backend: fakeBackend(), passes: [broken('thief', (s) => ({ ...s, outputs: { y: foreign } }))] }),
      'thief:',
      'output "y"',
      `${foreign}`,
    );
  });

  it('a pass returning an output that is not a node, or losing an output', () => {
    const { y } = small();
    expectGraphError(() => compile({ y }, { backend: fakeBackend(), passes: [broken('nothing', () => undefined)] }), 'nothing:', 'stage');
    expectGraphError(
      () => compile({ y }, { backend: fakeBackend(), passes: [broken('number', (s) => ({ ...s, outputs: { y: 3 } }))] }),
      'number:',
      'output "y" must be a Node',
    );
    expectGraphError(
      () => compile({ y }, { backend: fakeBackend(), passes: [broken('renamer', (s) => ({ ...s, outputs: { z: s.outputs['y'] } }))] }),
      'renamer:',
      'output "y"',
    );
  });

  it('debug: a hand-built node with a wrong shape is caught after the pass that made it', () => {
    const { g, x, y } = small();
    const wrong = broken('shaper', (s) => {
      const n = new Node(g.nodes.length, 'exp', [x], {} as never, [3], 'float64', g, undefined, ops.exp, undefined);
      return { ...s, outputs: { y: n } };
    });
    expectGraphError(() => compile({ y }, { backend: fakeBackend(), passes: [wrong], debug: true }), 'shaper:', `exp#${g.nodes.length}`, 'own node');
  });

  it('a fused node whose expression breaks the rules cannot be built (its op checks it)', () => {
    const { g, x } = small();
    const bad = (expr: unknown, operands = [x]) => () => g.node('fused', operands, { shape: [2], expr } as never);
    expect(bad({ values: [{ kind: 'load', input: 1 }], result: 0 })).toThrow(/fused: expr: value 0 loads operand 1, which does not exist/);
    expect(bad({ values: [{ kind: 'load', input: 0 }, { kind: 'apply', op: ops.sum, args: [0] }], result: 1 })).toThrow(/must apply an elementwise op record/);
    expect(bad({ values: [{ kind: 'load', input: 0 }, { kind: 'apply', op: ops.exp, args: [1] }], result: 1 })).toThrow(/operands must be earlier values/);
    expect(bad({ values: [{ kind: 'literal', value: 1 }], result: 0 })).toThrow(/every operand must be loaded/);
    expect(bad({ values: [{ kind: 'load', input: 0 }], result: 0 }, [x, g.input('z', [3])])).toThrow(/operand 1 \[3\] must broadcast to shape \[2\]/);
    expect(bad({ values: [{ kind: 'load', input: 0 }], result: 0 })).not.toThrow();
    expect(bad({ values: [], result: 0 })).toThrow(AttrError);
  });

  it('a pass that throws something other than a graft error is wrapped, naming it', () => {
    const { y } = small();
    const thrower: Pass = { name: 'thrower', doc: 'test', run: () => { throw new TypeError('oops'); } };
    expectGraphError(() => compile({ y }, { backend: fakeBackend(), passes: [thrower] }), 'thrower: the pass must not throw', 'oops');
  });

  it('passes that are not passes', () => {
    const { y } = small();
    expectGraphError(() => compile({ y }, { backend: fakeBackend(), passes: [{} as Pass] }), 'pass 0 must have a name and a run function');
  });

  it('verify on the input graph names verify and the node', () => {
    const { g, x } = small();
    const fake = new Node(99, 'neg', [x], {} as never, [2], 'float64', g, undefined, ops.neg, undefined);
    expectGraphError(() => compile({ y: fake }, { backend: fakeBackend() }), 'compile:', 'neg#99');
    expectGraphError(() => verifyPass.run(createStage({ y: fake }), ctx), 'verify:', 'neg#99');
  });

  it('the default pipeline in debug mode verifies after every pass without complaint', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [2, 3]);
    const y = g.sum(g.relu(g.mul(g.neg(g.neg(x)), g.reverse(g.reverse(x, [0]), [0]))));
    const p = compile({ y }, { backend: fakeBackend(), debug: true });
    expect(p.stats().steps).toBe(2);
    expect(simplifyPass.name).toBe('simplify');
  });
});
