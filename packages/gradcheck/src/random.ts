/** mulberry32: a small seeded 32-bit PRNG, uniform in [0, 1). */
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

/** `n` values uniform in [−1, 1). */
export function uniformSigned(rng: () => number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 * rng() - 1;
  return out;
}

/** Seeds of the independent random streams a check draws, so that each is reproducible alone. */
export const streams = {
  cotangent: 0x00c0_7a46,
  secondOrder: 0x0002_0d0e,
  directions: 0x00d1_2ec7,
  adjoint: 0x00ad_7017,
} as const;
