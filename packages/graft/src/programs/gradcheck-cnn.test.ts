import { describe, expect, it } from 'vitest';
import { gradcheckCnn } from './gradcheck-cnn.ts';

describe('examples/gradcheck-cnn', () => {
  it('checks the small CNN to first and second order in float64', async () => {
    const r = await gradcheckCnn();
    expect(r.first.ok, String(r.first)).toBe(true);
    expect(r.second.ok, String(r.second)).toBe(true);
    expect(r.first.mode).toBe('full');
    // Every parameter element was compared: 27 + 3 + 108 + 4 + 48 + 3.
    expect(r.first.checked).toBe(193);
    expect(r.first.maxError).toBeLessThan(1e-7);
    expect(r.second.maxError).toBeLessThan(1e-6);
    const text = r.lines.join('\n');
    expect(text).toContain('conv2d.vjp.w');
    expect(text).toMatch(/PASS|pass/);
  });
});
