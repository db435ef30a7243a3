/**
 * Seeded randomness for test data. Property tests draw a `seed` as part of their
 * configuration, so a printed counterexample reproduces the exact data.
 */

/** mulberry32: a tiny 32-bit PRNG, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` values uniform in `[lo, hi)`. */
export function uniform(rng: () => number, n: number, lo = -1, hi = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng();
  return out;
}

/** `n` values with magnitude in `[lo, hi)` and a random sign (for divisors away from zero). */
export function signedAwayFromZero(rng: () => number, n: number, lo: number, hi: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (rng() < 0.5 ? -1 : 1) * (lo + (hi - lo) * rng());
  return out;
}
