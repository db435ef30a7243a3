import { describe, expect, it } from 'vitest';
import { Trainer, adam, dense, flatten, loadMnist, mnistDigits, randomShift, reconstruction, sequential, subset, syntheticShapes, take, type Rng } from './index.ts';

describe('MNIST from the mnist package', () => {
  it('holds 10,000 labelled 28×28 digits in [0, 1], split 8,000 / 2,000 the same way every time', () => {
    const { pixels, labels } = mnistDigits();
    expect(labels.length).toBe(10000);
    expect(pixels.length).toBe(10000 * 784);
    const counts = Array.from({ length: 10 }, (_, d) => labels.filter((l) => l === d).length);
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    expect(Math.min(...pixels.subarray(0, 78400))).toBe(0);
    expect(Math.max(...pixels.subarray(0, 78400))).toBe(1);
    const { train, test } = loadMnist();
    expect([train.length, test.length]).toEqual([8000, 2000]);
    expect(train.inputShape).toEqual([28, 28, 1]);
    expect(train.targetShape).toEqual([10]);
    // The fixed permutation: the first labels of each split are part of its definition.
    expect(Array.from(train.labels!.subarray(0, 10))).toEqual([8, 2, 9, 8, 8, 3, 3, 9, 1, 0]);
    expect(Array.from(loadMnist().test.labels!.subarray(0, 10))).toEqual(Array.from(test.labels!.subarray(0, 10)));
    // Every class is in the test split; one-hot targets agree with labels.
    expect(new Set(test.labels).size).toBe(10);
    expect(train.targets[0 * 10 + train.labels![0]!]).toBe(1);
  });

  it('smoke: a linear classifier on 512 digits lowers its loss in 16 steps', async () => {
    const { train, test } = loadMnist();
    const m = sequential([flatten(), dense({ units: 10 })], { inputShape: [28, 28, 1], seed: 1 });
    const trainer = new Trainer(m, { batchSize: 32, optimizer: adam({ learningRate: 0.01 }) });
    const small = take(test, 500);
    const before = await trainer.evaluate(small);
    await trainer.fit(take(train, 512), { epochs: 1, quiet: true });
    const after = await trainer.evaluate(small);
    expect(before.loss).toBeGreaterThan(2);
    expect(after.loss).toBeLessThan(before.loss * 0.6);
    expect(after.accuracy!).toBeGreaterThan(0.7);
  });
});

describe('datasets', () => {
  it('syntheticShapes is balanced and seeded', () => {
    const a = syntheticShapes({ length: 40, seed: 5 });
    expect(Array.from(a.labels!.subarray(0, 8))).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    expect(a.inputs).toEqual(syntheticShapes({ length: 40, seed: 5 }).inputs);
    expect(a.inputs).not.toEqual(syntheticShapes({ length: 40, seed: 6 }).inputs);
  });

  it('subset copies the chosen examples; reconstruction makes inputs the targets', () => {
    const a = syntheticShapes({ length: 8, size: 4 });
    const s = subset(a, [3, 0]);
    expect(Array.from(s.labels!)).toEqual([3, 0]);
    expect(Array.from(s.inputs.subarray(0, 16))).toEqual(Array.from(a.inputs.subarray(48, 64)));
    const r = reconstruction(s);
    expect(r.targets).toBe(r.inputs);
    expect(r.targetShape).toEqual([4, 4, 1]);
  });
});

describe('randomShift', () => {
  /** A generator that returns the given uniforms in turn. */
  const fixed = (values: number[]): Rng => ({ next: () => values.shift()!, nextUint32: () => 0 });

  it('translates each image by the drawn (dy, dx), filling the border', () => {
    // Two 3×3×1 images 1 … 9; draws map u ∈ [0, 1) to a shift in {−1, 0, 1} as ⌊3u⌋ − 1.
    const batch = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    randomShift(1, -1)(batch, 2, [3, 3, 1], fixed([0.9, 0.5, 0.1, 0.1]));
    // First: dy = +1, dx = 0 (down one row). Second: dy = −1, dx = −1 (up and left).
    expect(Array.from(batch.subarray(0, 9))).toEqual([-1, -1, -1, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(batch.subarray(9))).toEqual([5, 6, -1, 8, 9, -1, -1, -1, -1]);
  });
});
