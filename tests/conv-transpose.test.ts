/**
 * `conv2dTranspose(v, w, outputShape)` is `conv2dBackpropInput(v, w, inputShape = outputShape)`
 * for every output shape that a forward conv2d maps to v's shape (several, with stride > 1),
 * and a ShapeError listing the valid sizes for any other.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Graph, ShapeError } from 'graft';
import { convConfigArb, geometryOf, type ConvConfig } from './util/conv-config.ts';
import { refAxis, refBackpropInput, type PaddingSpec } from './util/oracle.ts';
import { mulberry32, uniform } from './util/random.ts';
import { evaluate } from './util/run.ts';
import { assertClose, sizeOfDims, type Tensor } from './util/tensor.ts';

const TOL = 1e-12;
const SEED = 0x7a05e;
const RUNS = 150;

/** Input sizes along one axis that conv2d maps to `out`, found by trying every candidate. */
function validSizes(out: number, k: number, s: number, d: number, padding: PaddingSpec, axis: 0 | 1): number[] {
  const sizes: number[] = [];
  for (let n = 1; n <= (out + 1) * s + (k - 1) * d + 1; n++) {
    if (refAxis(n, k, s, d, padding, axis)?.out === out) sizes.push(n);
  }
  return sizes;
}

interface TransposeCase {
  readonly v: Tensor;
  readonly w: Tensor;
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  readonly padding: PaddingSpec;
  readonly groups?: number;
}

/** Runs conv2dTranspose and conv2dBackpropInput with `outputShape` and checks both against the scatter oracle. */
async function checkOutputShape(c: TransposeCase, outputShape: readonly number[], label: string): Promise<Float64Array> {
  const attrs = { strides: c.strides, padding: c.padding, dilations: c.dilations, groups: c.groups ?? 1 };
  const r = await evaluate('float64', { v: c.v, w: c.w }, (g, i) => ({
    t: g.conv2dTranspose(i.v, i.w, { ...attrs, outputShape }),
    bi: g.conv2dBackpropInput(i.v, i.w, { ...attrs, inputShape: outputShape }),
  }));
  expect(r.nodes.t.shape).toEqual(outputShape);
  const ref = refBackpropInput(c.v, c.w, outputShape, c.strides, c.padding, c.dilations, c.groups ?? 1);
  assertClose(r.out.t, ref, TOL, `conv2dTranspose ${label}`);
  assertClose(r.out.bi, ref, TOL, `conv2dBackpropInput ${label}`);
  return r.out.t as Float64Array;
}

function transposeCase(c: ConvConfig): TransposeCase {
  const rng = mulberry32(c.seed);
  const vShape = geometryOf(c).outShape;
  return {
    v: { shape: vShape, data: uniform(rng, sizeOfDims(vShape)) },
    w: { shape: c.w, data: uniform(rng, sizeOfDims(c.w)) },
    strides: c.strides,
    dilations: c.dilations,
    padding: c.padding,
    groups: c.groups,
  };
}

function expectInvalid(c: TransposeCase, outputShape: readonly number[], hs: number[], ws: number[]): void {
  const g = new Graph({ dtype: 'float64' });
  const v = g.input('v', c.v.shape);
  const w = g.input('w', c.w.shape);
  const build = () => g.conv2dTranspose(v, w, { strides: c.strides, padding: c.padding, dilations: c.dilations, groups: c.groups ?? 1, outputShape });
  expect(build).toThrow(ShapeError);
  expect(build).toThrow(`valid heights: ${hs.join(' or ')}; valid widths: ${ws.join(' or ')}`);
}

describe('conv2dTranspose = conv2dBackpropInput for every valid output shape', () => {
  const v4: TransposeCase = (() => {
    const rng = mulberry32(42);
    return {
      v: { shape: [1, 4, 4, 2], data: uniform(rng, 32) },
      w: { shape: [3, 3, 1, 2], data: uniform(rng, 18) },
      strides: [2, 2],
      dilations: [1, 1],
      padding: 'SAME',
    };
  })();

  it('v=[1,4,4,2] w=[3,3,1,2] s=2 d=1 p=same: output heights 7 and 8 are both accepted and differ', async () => {
    expect(validSizes(4, 3, 2, 1, 'SAME', 0)).toEqual([7, 8]);
    const y7 = await checkOutputShape(v4, [1, 7, 7, 1], 'out=[1,7,7,1]');
    const y8 = await checkOutputShape(v4, [1, 8, 8, 1], 'out=[1,8,8,1]');
    // SAME pads (1, 1) for 7 but (0, 1) for 8: the 8×8 result is shifted, not the 7×7 one plus a row.
    const y8Cropped = Float64Array.from({ length: 49 }, (_, k) => y8[Math.floor(k / 7) * 8 + (k % 7)]!);
    expect(y7).not.toEqual(y8Cropped);
    const maxDiff = y7.reduce((m, v, k) => Math.max(m, Math.abs(v - y8Cropped[k]!)), 0);
    expect(maxDiff).toBeGreaterThan(1e-3);
  });

  it('v=[1,4,4,2] w=[3,3,1,2] s=2 d=1 p=same: mixed valid sizes [1,8,7,1] are accepted', async () => {
    await checkOutputShape(v4, [1, 8, 7, 1], 'out=[1,8,7,1]');
  });

  it('v=[1,4,4,2] w=[3,3,1,2] s=2 d=1 p=same: heights 6 and 9 throw ShapeError listing "valid heights: 7 or 8"', () => {
    for (const bad of [[1, 6, 7, 1], [1, 9, 8, 1], [1, 7, 6, 1], [1, 7, 9, 1]]) {
      expectInvalid(v4, bad, [7, 8], [7, 8]);
    }
  });

  it('v=[1,3,3,1] w=[2,2,1,1] s=3 d=1 p=valid: heights 8, 9 and 10 are valid, 7 and 11 are not', async () => {
    const rng = mulberry32(3);
    const c: TransposeCase = {
      v: { shape: [1, 3, 3, 1], data: uniform(rng, 9) },
      w: { shape: [2, 2, 1, 1], data: uniform(rng, 4) },
      strides: [3, 3],
      dilations: [1, 1],
      padding: 'VALID',
    };
    expect(validSizes(3, 2, 3, 1, 'VALID', 0)).toEqual([8, 9, 10]);
    for (const h of [8, 9, 10]) await checkOutputShape(c, [1, h, 9, 1], `out=[1,${h},9,1]`);
    expectInvalid(c, [1, 7, 9, 1], [8, 9, 10], [8, 9, 10]);
    expectInvalid(c, [1, 11, 9, 1], [8, 9, 10], [8, 9, 10]);
  });

  it(`property: every valid output shape of ${RUNS} generated configurations (seed ${SEED}); the nearest invalid ones throw`, async () => {
    let ambiguous = 0;
    await fc.assert(
      fc.asyncProperty(convConfigArb, async (cfg) => {
        const c = transposeCase(cfg);
        const [n, oh, ow] = c.v.shape as [number, number, number, number];
        const [kh, kw] = c.w.shape as [number, number, number, number];
        const cin = cfg.x[3];
        const hs = validSizes(oh, kh, c.strides[0], c.dilations[0], c.padding, 0);
        const ws = validSizes(ow, kw, c.strides[1], c.dilations[1], c.padding, 1);
        expect(hs).toContain(cfg.x[1]);
        expect(ws).toContain(cfg.x[2]);
        if (hs.length > 1 || ws.length > 1) ambiguous++;
        for (const h of hs) for (const w of ws) await checkOutputShape(c, [n, h, w, cin], `${cfg.name} out=[${n},${h},${w},${cin}]`);
        const badH = [Math.max(...hs) + 1, ...(Math.min(...hs) > 1 ? [Math.min(...hs) - 1] : [])];
        for (const h of badH) expectInvalid(c, [n, h, ws[0]!, cin], hs, ws);
        expectInvalid(c, [n, hs[0]!, Math.max(...ws) + 1, cin], hs, ws);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(ambiguous).toBeGreaterThan(RUNS / 4);
  });
});
