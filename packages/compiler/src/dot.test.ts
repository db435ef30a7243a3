import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Graph, GraphError, type Node } from '@graft/ir';
import { describe, expect, it } from 'vitest';
import { compile } from './compile.ts';
import { dotString, toDot } from './dot.ts';
import { toSvg } from './svg.ts';
import { fakeBackend } from './test-backend.ts';

/** y = relu(x·w + b) with a hand-made "gradient" node carrying provenance, as autodiff makes them. */
function smallGraph() {
  const g = new Graph({ dtype: 'float32' });
  const x = g.input('x', [2, 3]);
  const w = g.input('w', [3, 4]);
  const b = g.input('b', [4]);
  const m = g.matmul(x, w);
  const y = g.relu(g.add(m, b));
  const dy = g.withProvenance({ forward: y, rule: 'relu.vjp.x', mode: 'vjp' }, () => g.mul(g.step(y), y));
  const dw = g.withProvenance({ forward: m, rule: 'matmul.vjp.b', mode: 'vjp' }, () => g.matmul(g.transpose(x), dy));
  return { g, x, w, b, m, y, dw };
}

describe('toDot', () => {
  it('draws the nodes, edges with shapes, outputs and gradient provenance of a known graph', () => {
    const { x, w, m, y, dw } = smallGraph();
    const dot = toDot({ y, dw });
    expect(dot.startsWith('digraph graft {')).toBe(true);
    expect(dot.trimEnd().endsWith('}')).toBe(true);
    expect(dot).toContain(`n${x.id} [label="input \\"x\\"\\nfloat32[2,3]"`);
    expect(dot).toContain(`n${m.id} [label="matmul#${m.id}"`);
    expect(dot).toContain(`n${x.id} -> n${m.id} [label="f32[2,3]"];`);
    expect(dot).toContain(`n${w.id} -> n${m.id} [label="f32[3,4]"];`);
    expect(dot).toContain(`→ y  float32[2,4]`);
    expect(dot).toContain(`∂ of ${m} by matmul.vjp.b`);
    expect(dot).toContain(`∂ of ${y} by relu.vjp.x`);
    // Two rules, two colours, and a legend naming them.
    const dwLine = dot.split('\n').find((l) => l.includes(`n${dw.id} [`))!;
    const dyLine = dot.split('\n').find((l) => l.includes(`n${dw.inputs[1]!.id} [`))!;
    const colour = (line: string) => /fillcolor="(#[0-9a-f]+)"/.exec(line)?.[1];
    expect(colour(dwLine)).toBeDefined();
    expect(colour(dwLine)).not.toBe(colour(dyLine));
    expect(dot).toContain('subgraph cluster_legend');
    expect(dot).toContain('label="matmul.vjp.b"');
    // Every edge of the graph is drawn once per operand.
    const edges = dot.split('\n').filter((l) => l.includes(' -> '));
    expect(edges.length).toBe(11);
  });

  it('draws a compiled program with its fused nodes as clusters named by step', () => {
    const { y, dw } = smallGraph();
    const p = compile({ y, dw }, { backend: fakeBackend() });
    const dot = toDot(p);
    const fusedSteps = p.plan.steps.filter((s) => s.node.is('fused'));
    expect(fusedSteps.length).toBeGreaterThan(0);
    for (const s of fusedSteps) {
      const ops = (s.node as Node<'fused'>).attrs.expr.values.filter((v) => v.kind === 'apply').length;
      expect(dot).toContain(`fused step ${p.plan.steps.indexOf(s)}: ${ops} ops`);
    }
    expect(dot).toMatch(/subgraph cluster_fused_\d+ \{/);
    expect(toDot(p, { fusion: false })).not.toContain('cluster_fused');
  });

  it('escapes user strings (input names) and respects options', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('say "hi"\\ \n now', [2]);
    const dot = toDot(g, { rankdir: 'LR', shapes: false, title: 'a "title"' });
    expect(dot).toContain('rankdir=LR;');
    expect(dot).toContain('label="a \\"title\\""');
    expect(dot).toContain(`n${x.id} [label="input \\"say \\\\\\"hi\\\\\\"\\\\\\\\ \\\\n now\\"`);
    expect(dotString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
  });

  it('refuses what it cannot draw', () => {
    expect(() => toDot({ y: 3 } as never)).toThrow(GraphError);
    expect(() => toDot([] as never)).toThrow(GraphError);
  });
});

describe('toSvg', () => {
  it('renders a program through Graphviz in WebAssembly to an SVG file', async () => {
    const { y, dw } = smallGraph();
    const p = compile({ y, dw }, { backend: fakeBackend() });
    const svg = await toSvg(p, { title: 'small graph' });
    const dir = mkdtempSync(join(tmpdir(), 'graft-svg-'));
    const file = join(dir, 'program.svg');
    writeFileSync(file, svg);
    const text = readFileSync(file, 'utf8');
    expect(statSync(file).size).toBeGreaterThan(2000);
    expect(text.startsWith('<?xml') || text.startsWith('<svg')).toBe(true);
    expect(text).toMatch(/<svg[\s>]/);
    expect(text.trimEnd().endsWith('</svg>')).toBe(true);
    expect(text).toContain('matmul#');
    expect(text).toContain('small graph');
  });

  it('rejects DOT that Graphviz refuses with a GraphError carrying its message', async () => {
    await expect(toSvg('digraph { a -> }')).rejects.toThrow(GraphError);
    await expect(toSvg('digraph { a -> }')).rejects.toThrow(/toSvg: Graphviz must accept the DOT text/);
  });
});
