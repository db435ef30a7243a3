import { describe, expect, it } from 'vitest';
import { fourWaysTable, settings } from './four-ways.ts';

describe('examples/conv-transpose-four-ways', () => {
  it('computes d_x four ways and d_w three ways that agree for every setting', async () => {
    const { lines, results } = await fourWaysTable();
    expect(results).toHaveLength(settings.length);
    for (const r of results) {
      expect(r.maxDxDiff, r.label).toBeLessThan(1e-12);
      expect(r.maxDwDiff, r.label).toBeLessThan(1e-12);
    }
    const text = lines.join('\n');
    expect(text).toContain('lower.conv2dBackpropInput');
    expect(text).toContain('lower.conv2dBackpropFilter');
    // The lowered graph has dilate (stride 2) and a crop/pad, and no dedicated gradient op.
    const lowered = text.slice(text.lastIndexOf('lower.conv2dBackpropFilter'));
    expect(lowered).toMatch(/= dilate\(/);
    expect(lowered).not.toMatch(/= conv2dBackprop/);
  });
});
