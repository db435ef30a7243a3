import { describe, expect, it } from 'vitest';
import { lossCurveSvg, predictionsSvg, trainMnist } from './main.ts';

describe('examples/mnist', () => {
  it('smoke: one short epoch on 256 digits learns something and reports samples', async () => {
    const r = await trainMnist({ epochs: 1, batch: 32, trainSize: 256, testSize: 256, quiet: true, samples: 8 });
    expect(r.epochs).toBe(1);
    expect(r.history).toHaveLength(1);
    // 8 Adam steps from chance (10%): well above it, far from trained.
    expect(r.testAccuracy).toBeGreaterThan(0.3);
    expect(r.testLoss).toBeLessThan(Math.log(10));
    expect(r.imagesPerSecond).toBeGreaterThan(0);
    expect(r.samples).toHaveLength(8);
    expect(r.samples[0]!.pixels).toHaveLength(784);
    expect(r.lines.join('\n')).toMatch(/test accuracy \d+\.\d\d% on 256 held-out digits/);
    expect(predictionsSvg(r)).toContain('<image');
    expect(lossCurveSvg(r)).toContain('<polyline');
  });
});
