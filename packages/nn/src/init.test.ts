import { describe, expect, it } from 'vitest';
import { conv2d, dense, flatten, glorotUniform, heNormal, heUniform, mulberry32, permutation, sequential, streamFor } from './index.ts';

/** mulberry32 as published (Tommy Ettinger), written out again independently of random.ts. */
function reference(seed: number, n: number): number[] {
  const out: number[] = [];
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    out.push(((z ^ (z >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

const cnn = (seed: number) =>
  sequential([conv2d({ filters: 4, kernel: 3, init: 'heUniform' }), flatten(), dense({ units: 3 })], { inputShape: [5, 5, 2], seed });

describe('seeded initialisation', () => {
  it('mulberry32 matches the reference sequence', () => {
    const rng = mulberry32(12345);
    expect(Array.from({ length: 8 }, () => rng.next())).toEqual(reference(12345, 8));
  });

  it('a parameter is its initialiser applied to the stream of (seed, name)', () => {
    const m = cnn(42);
    const w = m.params.get('conv2d1/w')!;
    // heUniform: U(−√(6/fanIn), √(6/fanIn)) with fanIn = 3·3·2.
    const limit = Math.sqrt(6 / 18);
    const rng = streamFor(42, 'conv2d1/w');
    const expected = Float32Array.from({ length: 5 }, () => -limit + rng.next() * 2 * limit);
    expect(Array.from(w.value.subarray(0, 5))).toEqual(Array.from(expected));
    expect(Array.from(m.params.get('conv2d1/b')!.value)).toEqual([0, 0, 0, 0]);
  });

  it('same seed → identical weights; another seed → different weights', () => {
    const a = cnn(7).getWeights();
    const b = cnn(7).getWeights();
    const c = cnn(8).getWeights();
    expect(b).toEqual(a);
    expect(c['conv2d1/w']).not.toEqual(a['conv2d1/w']);
    expect(c['dense1/w']).not.toEqual(a['dense1/w']);
  });

  it('parameters draw from independent streams: adding a layer leaves the others unchanged', () => {
    const small = sequential([dense({ units: 3 })], { inputShape: [4], seed: 1 });
    const big = sequential([dense({ units: 3 }), dense({ units: 2 })], { inputShape: [4], seed: 1 });
    expect(big.params.get('dense1/w')!.value).toEqual(small.params.get('dense1/w')!.value);
  });

  it('initialisers have their stated spread', () => {
    const n = 20000;
    const fans = { fanIn: 50, fanOut: 30 };
    const moments = (v: Float64Array) => {
      const mean = v.reduce((s, x) => s + x, 0) / v.length;
      return { mean, variance: v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length, max: Math.max(...v.map(Math.abs)) };
    };
    const g = moments(glorotUniform.init(n, fans, mulberry32(1)));
    expect(g.max).toBeLessThanOrEqual(Math.sqrt(6 / 80));
    expect(g.variance).toBeCloseTo(2 / 80, 3);
    const h = moments(heUniform.init(n, fans, mulberry32(2)));
    expect(h.variance).toBeCloseTo(2 / 50, 2);
    const hn = moments(heNormal.init(n, fans, mulberry32(3)));
    expect(Math.abs(hn.mean)).toBeLessThan(0.01);
    expect(hn.variance / (2 / 50)).toBeGreaterThan(0.97);
    expect(hn.variance / (2 / 50)).toBeLessThan(1.03);
  });

  it('permutation is a seeded shuffle of 0 … n−1', () => {
    const p = permutation(100, mulberry32(3));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(permutation(100, mulberry32(3)))).toEqual(Array.from(p));
    expect(Array.from(permutation(100, mulberry32(4)))).not.toEqual(Array.from(p));
  });
});
