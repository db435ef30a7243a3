import { describe, expect, it } from 'vitest';
import { quickstart } from './main.ts';

describe('examples/quickstart', () => {
  it('differentiates a strided conv into the two backprop ops and passes its gradient check', async () => {
    const { lines, ok } = await quickstart();
    expect(ok).toBe(true);
    expect(lines[1]).toBe('dx: conv2dBackpropInput [2,7,7,3], dw: conv2dBackpropFilter [3,3,3,4]');
    expect(lines[2]).toContain('conv2d.vjp.x');
  });
});
