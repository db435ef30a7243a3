import { describe, expect, it } from 'vitest';
import { convTransposeExample } from './conv-transpose.ts';

describe('examples/conv-transpose', () => {
  it('shows conv2dTranspose = conv2dBackpropInput and the adjoint identity on a strided SAME conv', async () => {
    const r = await convTransposeExample();
    expect(r.lines.join('\n')).toContain('outputShape [1,8,7,2]');
    expect(r.lines.join('\n')).toContain('valid heights: 7 or 8');
    expect(r.maxTransposeDiff).toBe(0);
    expect(r.maxAdjointGap).toBeLessThan(1e-13);
  });
});
