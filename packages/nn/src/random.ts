/**
 * Seeded randomness that gives the same numbers on every machine: a 32-bit integer
 * generator (mulberry32, Tommy Ettinger's) built from `Math.imul` and shifts only, and
 * Box–Muller for normals. Nothing here calls `Math.random`.
 */

/** A generator of uniform numbers in [0, 1), each a multiple of 2⁻³². */
export interface Rng {
  /** The next uniform in [0, 1). */
  next(): number;
  /** The next 32-bit unsigned integer. */
  nextUint32(): number;
}

/**
 * mulberry32: state a ← a + 0x6D2B79F5 (mod 2³²), output a 32-bit mix of a. Period 2³²;
 * the i-th output (from 1) depends only on `seed + i·0x6D2B79F5`, so streams are cheap.
 */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  const nextUint32 = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return { nextUint32, next: () => nextUint32() / 4294967296 };
}

/** FNV-1a hash of a string's UTF-16 code units: a stable 32-bit stream id for a name. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * An independent stream for `(seed, name)`: the generator seeded with a mix of both, so
 * adding a parameter or a layer does not change the numbers any other name receives.
 */
export function streamFor(seed: number, name: string): Rng {
  // murmur3's 32-bit finaliser spreads the combined bits before seeding.
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ hashString(name)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return mulberry32((h ^ (h >>> 16)) >>> 0);
}

/**
 * Standard normals by Box–Muller: for u₁ ∈ (0, 1], u₂ ∈ [0, 1),
 * `z₀ = √(−2 ln u₁)·cos 2πu₂` and `z₁ = √(−2 ln u₁)·sin 2πu₂` are independent N(0, 1).
 * Both are used, in that order.
 */
export function fillNormal(out: Float64Array, rng: Rng, mean = 0, std = 1): Float64Array {
  for (let i = 0; i < out.length; i += 2) {
    const u1 = 1 - rng.next();
    const u2 = rng.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = mean + std * r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = mean + std * r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** Uniforms in [lo, hi). */
export function fillUniform(out: Float64Array | Float32Array, rng: Rng, lo = 0, hi = 1): Float64Array | Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = lo + rng.next() * (hi - lo);
  return out;
}

/** A uniformly random permutation of 0 … n−1 (Fisher–Yates, from the top). */
export function permutation(n: number, rng: Rng): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    // Multiply-shift maps a 32-bit integer to [0, i] without a modulo; its bias ≤ i/2³² is negligible here.
    const j = Math.floor(rng.next() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
