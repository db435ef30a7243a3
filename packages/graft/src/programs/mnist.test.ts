import { describe, expect, it } from 'vitest';
import { lossCurveSvg, predictionsSvg, trainMnist } from './mnist.ts';

describe('examples/mnist', () => {
  it('smoke: one short epoch on 512 digits learns something and reports samples', async () => {
    const r = await trainMnist({ epochs: 1, batch: 16, lr: 0.003, trainSize: 512, testSize: 256, quiet: true, samples: 8 });
    expect(r.epochs).toBe(1);
    expect(r.history).toHaveLength(1);
    // 32 Adam steps from chance (10%, loss ln 10 ≈ 2.30): measured 43%, loss 2.06 (seed 1).
    expect(r.testAccuracy).toBeGreaterThan(0.35);
    expect(r.testLoss).toBeLessThan(2.2);
    expect(r.imagesPerSecond).toBeGreaterThan(0);
    expect(r.samples).toHaveLength(8);
    expect(r.samples[0]!.pixels).toHaveLength(784);
    expect(r.lines.join('\n')).toMatch(/test accuracy \d+\.\d\d% on 256 held-out digits/);
    expect(predictionsSvg(r)).toContain('<image');
    expect(lossCurveSvg(r)).toContain('<polyline');
  });
});
