/**
 * The adjoint (dot-product) identity of the conv family, computed by the executor in float64:
 *
 *     ⟨conv2d(x, w), dy⟩ = ⟨x, conv2dBackpropInput(dy, w)⟩ = ⟨w, conv2dBackpropFilter(x, dy)⟩
 *
 * over the same generated configurations as the oracle test. Tolerance: relative 1e-12, relative
 * to Σ|termᵢ| of the inner products (the scale their rounding error is proportional to), so
 * cancellation cannot make a correct result fail.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convConfig, convConfigArb, geometryOf, TraitCounter, type ConvConfig } from './util/conv-config.ts';
import { mulberry32, uniform } from './util/random.ts';
import { evaluate } from './util/run.ts';
import { inner, sizeOfDims } from './util/tensor.ts';

const TOL = 1e-12;
const SEED = 0x5eed_c0;
const RUNS = 200;

/** Checks the identity; returns whether it was non-trivial (some term non-zero). */
async function checkAdjoint(c: ConvConfig): Promise<boolean> {
  const rng = mulberry32(c.seed ^ 0xad701);
  const out = geometryOf(c).outShape;
  const x = { shape: c.x, data: uniform(rng, sizeOfDims(c.x)) };
  const w = { shape: c.w, data: uniform(rng, sizeOfDims(c.w)) };
  const dy = { shape: out, data: uniform(rng, sizeOfDims(out)) };
  const attrs = { strides: c.strides, padding: c.padding, dilations: c.dilations, groups: c.groups };
  const r = await evaluate('float64', { x, w, dy }, (g, i) => ({
    y: g.conv2d(i.x, i.w, attrs),
    dx: g.conv2dBackpropInput(i.dy, i.w, { ...attrs, inputShape: c.x }),
    dw: g.conv2dBackpropFilter(i.x, i.dy, { ...attrs, filterShape: c.w }),
  }));
  const lhs = inner(r.out.y, dy.data);
  const viaX = inner(x.data, r.out.dx);
  const viaW = inner(w.data, r.out.dw);
  const scale = Math.max(lhs.scale, viaX.scale, viaW.scale, Number.MIN_VALUE);
  const msg = `${c.name}: ⟨y,dy⟩ = ${lhs.value}, ⟨x,dx⟩ = ${viaX.value}, ⟨w,dw⟩ = ${viaW.value}, scale ${scale}`;
  expect(Math.abs(lhs.value - viaX.value), msg).toBeLessThanOrEqual(TOL * scale);
  expect(Math.abs(lhs.value - viaW.value), msg).toBeLessThanOrEqual(TOL * scale);
  // y is exactly zero when every tap lands in padding (x=[1,1,1,1] w=[4,1,1,1] d=2 p=same
  // reads x at −3, −1, 1, 3), which makes the identity trivial for that configuration.
  return lhs.scale > 0;
}

describe('conv adjoint identity (executor, float64)', () => {
  it('x=[2,7,7,3] w=[3,3,3,4] s=2 d=1 p=same', async () => {
    expect(await checkAdjoint(convConfig({ x: [2, 7, 7, 3], w: [3, 3, 3, 4], strides: [2, 2], dilations: [1, 1], padding: 'SAME' }, 7))).toBe(true);
  });

  it('x=[1,8,7,2] w=[2,3,2,2] s=[3,2] d=[2,1] p=[[0,2],[1,0]]', async () => {
    expect(await checkAdjoint(convConfig({ x: [1, 8, 7, 2], w: [2, 3, 2, 2], strides: [3, 2], dilations: [2, 1], padding: [[0, 2], [1, 0]] }, 8))).toBe(true);
  });

  it(`property: ${RUNS} generated configurations (seed ${SEED})`, async () => {
    const traits = new TraitCounter();
    let nonTrivial = 0;
    await fc.assert(
      fc.asyncProperty(convConfigArb, async (c) => {
        traits.record(c);
        if (await checkAdjoint(c)) nonTrivial++;
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(traits.missing()).toEqual([]);
    expect(nonTrivial).toBeGreaterThan(0.9 * RUNS);
  });
});
