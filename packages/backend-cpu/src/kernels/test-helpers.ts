import { expect } from 'vitest';
import type { FloatArray } from '@graft/ir';

/** A seeded generator of floats in [−1, 1) (mulberry32), so every test run sees the same data. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2147483648 - 1;
  };
}

/** A Float64Array (or Float32Array) of `n` seeded values in [−1, 1). */
export function randomArray(n: number, seed: number, dtype: 'float32' | 'float64' = 'float64'): FloatArray {
  const next = random(seed);
  const a = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = next();
  return a;
}

/** An output buffer full of NaN, so a kernel that skips an element (or accumulates into stale data) is caught. */
export function garbage(n: number, dtype: 'float32' | 'float64' = 'float64'): FloatArray {
  return (dtype === 'float32' ? new Float32Array(n) : new Float64Array(n)).fill(Number.NaN);
}

/**
 * Asserts `|actual − expected| ≤ tol · max(1, |expected|)` elementwise (NaN and ∞ must match
 * exactly), naming the first bad index and both values.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = ''): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const ok = Number.isFinite(e) ? Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)) : Object.is(a, e) || (a !== a && e !== e);
    if (!ok) expect.fail(`${what} element ${i}: got ${a}, expected ${e} (tolerance ${tol})`);
  }
}

/** Row-major flat index of `idx` in `shape`. */
export function flatIndex(shape: readonly number[], idx: readonly number[]): number {
  let f = 0;
  for (let d = 0; d < shape.length; d++) f = f * shape[d]! + idx[d]!;
  return f;
}

/** Every multi-index of `shape` in row-major order (for naive reference loops in tests). */
export function* indices(shape: readonly number[]): Generator<number[]> {
  const total = shape.reduce((p, d) => p * d, 1);
  const idx = new Array<number>(shape.length).fill(0);
  for (let f = 0; f < total; f++) {
    yield [...idx];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
}
