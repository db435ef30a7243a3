import { describe, expect, it } from 'vitest';
import { models, randomFlip, trainImages, trainingPictures } from './train.ts';
import { nn } from '../index.ts';

describe('graft train on the official splits (short runs; the accuracy runs are in the README)', () => {
  it('resnet-small learns Fashion-MNIST: the loss falls over two epochs of 768 images and the test accuracy is far above chance', async () => {
    const r = await trainImages({ dataset: 'fashion-mnist', model: 'resnet-small', epochs: 2, batch: 32, lr: 2e-3, seed: 4, trainLimit: 768, testLimit: 300, quiet: true });
    expect(r.split).toBe('first 768 of the official train split (768) / first 300 of the official test split (300)');
    expect(r.history).toHaveLength(2);
    expect(r.history[1]!.loss).toBeLessThan(r.history[0]!.loss);
    expect(r.testAccuracy).toBeGreaterThan(0.4);
    expect(r.confusion.reduce((a, b) => a + b, 0)).toBe(300);
    // Mistakes: wrong predictions only, the most confident first.
    expect(r.mistakes.every((m) => m.predicted !== m.label)).toBe(true);
    expect(r.mistakes.map((m) => m.confidence)).toEqual([...r.mistakes.map((m) => m.confidence)].sort((a, b) => b - a));
    const pictures = trainingPictures(r);
    expect(Object.keys(pictures).sort()).toEqual(['accuracy.svg', 'confusion.svg', 'loss.svg', 'mistakes.svg']);
    expect(pictures['confusion.svg']).toContain('Ankle boot');
  }, 120_000);

  it('every model builds for 28×28×1 images and 10 classes, batch-normalised ones with moving statistics', () => {
    for (const [name, spec] of Object.entries(models)) {
      const m = spec.build(1);
      expect(m.outputShape, name).toEqual([10]);
      if (name !== 'demo-cnn') expect(m.state.size, name).toBeGreaterThan(0);
    }
  });

  it('randomFlip mirrors about half the images left to right, seeded', () => {
    const batch = Float32Array.from({ length: 8 * 2 * 3 }, (_, i) => i);
    const rng = nn.mulberry32(5);
    randomFlip()(batch, 8, [2, 3, 1], rng);
    let flipped = 0;
    for (let n = 0; n < 8; n++) {
      const img = Array.from(batch.subarray(n * 6, n * 6 + 6));
      const base = n * 6;
      const straight = [0, 1, 2, 3, 4, 5].map((i) => base + i);
      const mirrored = [2, 1, 0, 5, 4, 3].map((i) => base + i);
      expect([straight, mirrored]).toContainEqual(img);
      if (img[0] === base + 2) flipped++;
    }
    expect(flipped).toBeGreaterThan(0);
    expect(flipped).toBeLessThan(8);
  });
});
