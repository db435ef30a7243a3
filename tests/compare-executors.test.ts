/**
 * compareExecutors: two executors run every node; the report names the first node, in
 * topological order, whose values diverge, with its op, attrs, provenance, worst element and
 * both values. Checked by injecting a wrong kernel into a test backend (cpu() with one step's
 * node swapped for another op over the same buffers) and by executors that agree.
 */
import { describe, expect, it } from 'vitest';
import {
  AttrError,
  FeedError,
  Graph,
  compareExecutors,
  cpu,
  formatComparison,
  gpujs,
  type Backend,
  type FloatArray,
  type Node,
} from 'graft';
import { exampleGraphs, smallCnn, smallCnnFeeds, tinyCnn } from 'graft/programs';
import { grad } from 'graft';
import { expectValues } from './util/error-values.ts';

/**
 * cpu() with a wrong kernel: every kernel step whose node `target` picks runs `replace`'s node
 * instead, built over inputs of the same shapes in a side graph, so it reads the same buffers
 * and writes the same output — a kernel computing the wrong thing, whose error then flows on.
 */
function wrongKernel(target: (n: Node) => boolean, replace: (g: Graph, inputs: Node[], n: Node) => Node): Backend & { readonly swapped: Node[] } {
  const inner = cpu();
  const swapped: Node[] = [];
  return {
    name: 'cpu with a wrong kernel',
    maxElements: inner.maxElements,
    swapped,
    prepare(plan, options) {
      const steps = plan.steps.map((s) => {
        if (s.kind !== 'kernel' || !target(s.node)) return s;
        const g = new Graph({ dtype: s.node.dtype });
        const inputs = s.node.inputs.map((x, i) => g.input(`x${i}`, x.shape, x.dtype));
        swapped.push(s.node);
        return { ...s, node: replace(g, inputs, s.node) };
      });
      return inner.prepare({ ...plan, steps }, options);
    },
  };
}

function cnn() {
  const net = smallCnn(tinyCnn);
  const names = Object.keys(net.params);
  const grads = grad(net.loss, Object.values(net.params));
  const outputs: Record<string, Node> = { loss: net.loss };
  grads.forEach((d, i) => (outputs[`d${names[i]}`] = d));
  return { net, outputs, feeds: smallCnnFeeds(net, 5) as Record<string, FloatArray> };
}

describe('compareExecutors', () => {
  it('a wrong maxPool kernel (it averages): the report names the first maxPool node, its attrs and worst element', async () => {
    const { net, outputs, feeds } = cnn();
    const backend = wrongKernel((n) => n.op === 'maxPool', (g, [x], n) => g.avgPool(x!, n.attrs as never));
    const c = await compareExecutors(outputs, feeds, { candidate: { backend, dtype: 'float64' } });
    expect(backend.swapped.length).toBe(2);
    const d = c.first!;
    expect(d).toBeDefined();
    // The first maxPool of the caller's own graph, not a copy.
    const pools = net.g.nodes.filter((n) => n.op === 'maxPool');
    expect(d.node).toBe(pools[0]);
    expect(d.op).toBe('maxPool');
    expect(d.attrs).toBe('ksize=[2,2] strides=[2,2] padding=VALID');
    expect(d.provenance).toBeUndefined();
    // Both values are those of the worst element: the max and the mean of its window.
    expect(d.difference).toBe(Math.abs(d.candidate - d.reference));
    expect(d.difference).toBeGreaterThan(d.allowed);
    expect(d.reference).toBeGreaterThan(d.candidate);
    expect(d.index).toHaveLength(4);
    expect(d.flatIndex).toBe(((d.index[0]! * 4 + d.index[1]!) * 4 + d.index[2]!) * 3 + d.index[3]!);
    // Everything before it agrees exactly (same dtype, same kernels); the error flows on.
    const at = c.ratios.findIndex((r) => r.node === d.node);
    expect(c.ratios.slice(0, at).every((r) => r.ratio === 0)).toBe(true);
    expect(c.diverging).toBeGreaterThan(5);
    expect(c.nodes).toBe(net.g.nodes.filter((n) => n.op !== 'input').length);
  });

  it('a wrong step kernel (a sigmoid): the report names the gradient node, its forward relu and the rule relu.vjp.x', async () => {
    const { outputs, feeds } = cnn();
    const backend = wrongKernel((n) => n.op === 'step', (g, [x]) => g.sigmoid(x!));
    const c = await compareExecutors(outputs, feeds, { candidate: backend });
    expect(c.candidate).toBe('cpu with a wrong kernel float32');
    expect(c.reference).toBe('cpu float64');
    const d = c.first!;
    expect(d.op).toBe('step');
    expect(d.provenance?.rule).toBe('relu.vjp.x');
    expect(d.provenance?.forward.op).toBe('relu');
    // step gives 0 or 1; the sigmoid of the same element lies strictly between.
    expect([0, 1]).toContain(d.reference);
    expect(d.candidate).toBeGreaterThan(0);
    expect(d.candidate).toBeLessThan(1);
    // The first of the step nodes in topological order is the one reported.
    const steps = c.ratios.filter((r) => r.node.op === 'step');
    expect(steps[0]!.node).toBe(d.node);
    const text = formatComparison(c);
    expect(text).toContain(`they part ways at ${d.node}`);
    expect(text).toContain(`first diverging node: ${d.node} = step(`);
    expect(text).toContain(`gradient node of ${d.provenance!.forward} (relu) by rule relu.vjp.x`);
    expect(text).toContain(`worst element [${d.index.join(',')}]: reference ${d.reference}, candidate ${d.candidate}`);
    expect(text).toContain('derivation:');
  });

  it('cpu() in float32 agrees with cpu() in float64 on both example graphs at the default tolerance', async () => {
    for (const [name, build] of Object.entries(exampleGraphs)) {
      const { outputs, feeds } = build();
      const c = await compareExecutors(outputs, feeds(7), { candidate: cpu() });
      expect(c.first, `${name}: ${formatComparison(c)}`).toBeUndefined();
      expect(c.diverging).toBe(0);
      expect(formatComparison(c)).toContain('every node agrees');
      // float32 is not float64: the comparison saw rounding, far inside the tolerance.
      expect(Math.max(...c.ratios.map((r) => r.ratio))).toBeGreaterThan(0);
    }
  });

  it("gpujs({ mode: 'cpu' }) in float32 agrees with the reference on the small CNN and its gradients", async () => {
    const backend = gpujs({ mode: 'cpu' });
    try {
      const { outputs, feeds } = cnn();
      const c = await compareExecutors(outputs, feeds, { candidate: backend, tolerance: { rtol: 1e-3 } });
      expect(c.first, formatComparison(c)).toBeUndefined();
      expect(c.candidate).toBe('gpujs(cpu) float32');
    } finally {
      await backend.dispose();
    }
  });

  it('refuses what it cannot compare, with typed errors', async () => {
    const g = new Graph();
    const y = g.relu(g.input('x', [3]));
    const x = Float32Array.of(1, 2, 3);
    const rejected = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
    expectValues(await rejected(compareExecutors({ y }, {}, { candidate: cpu() })), FeedError);
    expectValues(await rejected(compareExecutors({ y }, { x: Float32Array.of(1) }, { candidate: cpu() })), FeedError);
    expectValues(await rejected(compareExecutors({ y }, { x }, { candidate: 'gpu' as never })), AttrError);
    expectValues(await rejected(compareExecutors({ y }, { x }, { candidate: cpu(), tolerance: { rtol: -1 } })), AttrError);
    expectValues(await rejected(compareExecutors({ y }, Object.create({ x }) as never, { candidate: cpu() })), FeedError);
  });
});
