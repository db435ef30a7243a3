/** The text printer: one node per line, `%id = op(%inputs) attrs : dtype[shape]`. */
import { describe, expect, it } from 'vitest';
import { Graph, printGraph } from 'graft';

describe('printGraph', () => {
  it('prints one node per line with its op, operands, attrs, dtype and shape', () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [2, 7, 7, 3]);
    const w = g.input('w', [3, 3, 3, 4]);
    const y = g.conv2d(x, w, { strides: 2, padding: 'SAME' });
    g.sum(g.square(g.add(y, 1)), [1, 2]);
    const lines = printGraph(g.nodes).split('\n');
    expect(lines).toHaveLength(g.nodes.length);
    expect(lines).toHaveLength(7);
    expect(lines[0]).toBe('%0 = input "x" : float64[2,7,7,3]');
    expect(lines[1]).toBe('%1 = input "w" : float64[3,3,3,4]');
    // out = ceil(7 / 2) = 4
    expect(lines[2]).toMatch(/^%2 = conv2d\(%0, %1\) .*: float64\[2,4,4,4\]$/);
    expect(lines[2]).toContain('strides=[2,2]');
    expect(lines[2]).toContain('padding=SAME');
    expect(lines[2]).toContain('dilations=[1,1]');
    expect(lines[3]).toBe('%3 = constant [1] : float64[]');
    expect(lines[4]).toBe('%4 = add(%2, %3) : float64[2,4,4,4]');
    expect(lines[5]).toBe('%5 = square(%4) : float64[2,4,4,4]');
    expect(lines[6]).toMatch(/^%6 = sum\(%5\) axes=\[1,2\] keepDims=false : float64\[2,4\]$/);
  });

  it('prints a subset of nodes and float32 dtypes; long constants are elided', () => {
    const g = new Graph();
    const a = g.input('a', [10]);
    const c = g.constant(Float64Array.from({ length: 10 }, (_, i) => i / 4), [10]);
    const m = g.mul(a, c);
    const text = printGraph([c, m]);
    expect(text.split('\n')).toEqual(['%1 = constant [0, 0.25, 0.5, 0.75, … 10 values] : float32[10]', '%2 = mul(%0, %1) : float32[10]']);
  });
});
