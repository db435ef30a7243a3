import { Graph } from '@graft/ir';
import { describe, expect, it } from 'vitest';
import { adjointCheck } from './adjoint.ts';

describe('adjointCheck', () => {
  it('passes for conv2d in x and in w (x=[2,6,5,3] w=[3,2,3,4] s=[2,1] d=[1,2] p=[[1,0],[2,1]])', async () => {
    const g = new Graph();
    const x = g.input('x', [2, 6, 5, 3]);
    const w = g.input('w', [3, 2, 3, 4]);
    const y = g.conv2d(x, w, { strides: [2, 1], dilations: [1, 2], padding: [[1, 0], [2, 1]] });
    for (const v of [x, w]) {
      const r = await adjointCheck(y, v, { seed: 3 });
      expect(r.ok, String(r)).toBe(true);
      expect(r.error).toBeLessThan(1e-13);
      expect(r.scale).toBeGreaterThan(1);
      expect(r.trivial).toBe(false);
      expect(String(r)).toMatch(/^adjointCheck passed/);
    }
  });

  it('handles affine maps (biasAdd in x) through y(x) − y(0)', async () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [4, 3]);
    const b = g.input('b', [3]);
    const r = await adjointCheck(g.biasAdd(x, b), x, { feeds: { b: new Float64Array([1, 2, 3]) } });
    expect(r.ok, String(r)).toBe(true);
  });

  it('reports a map that is zero for every x as trivial (x=[1,1,1,1] w=[1,2,1,1] d=[1,2] p=same: both taps in the padding)', async () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [1, 1, 1, 1]);
    const w = g.input('w', [1, 2, 1, 1]);
    const r = await adjointCheck(g.conv2d(x, w, { dilations: [1, 2], padding: 'SAME' }), x);
    expect(r.ok, String(r)).toBe(true);
    expect(r.trivial).toBe(true);
    expect(String(r)).toContain('trivial');
  });

  it('fails, saying why, for a map that is not linear', async () => {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [5]);
    const r = await adjointCheck(g.tanh(x), x);
    expect(r.ok).toBe(false);
    expect(r.linearityError).toBeGreaterThan(1e-3);
    expect(String(r)).toContain('not affine');
  });
});
