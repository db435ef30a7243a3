/**
 * The identities of docs/semantics.md, built from public primitive ops (conv2d, pad, dilate, reverse,
 * transpose) and run by the executor, against the independent scatter / sum oracles. These are
 * the forms the conv-lowering rewrite emits, so a wrong formula shows up here first.
 *
 * With keff = (k − 1)·d + 1 and r = (in + pt + pb − keff) mod s:
 *   backprop_input  = conv2d(pad(dilate(dy, s), [keff − 1 − pt, keff − 1 − pb + r]),
 *                            rot180(transposeIO(w)), strides 1, dilations d, VALID)
 *   backprop_filter = transpose(conv2d(transpose(x, [3,1,2,0]), transpose(dy, [1,2,0,3]),
 *                            strides d, dilations s, padding (pt, ·, pl, ·)), [1,2,0,3]) cropped to [kh, kw]
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { convConfig, convConfigArb, geometryOf, type ConvConfig } from './util/conv-config.ts';
import { refBackpropFilter, refBackpropInput } from './util/oracle.ts';
import { mulberry32, uniform } from './util/random.ts';
import { evaluate } from './util/run.ts';
import { assertClose, sizeOfDims } from './util/tensor.ts';

const TOL = 1e-12;
const SEED = 0x1de_a7;
const RUNS = 150;

async function checkIdentities(c: ConvConfig): Promise<void> {
  const g0 = geometryOf(c);
  const { h, w: wa } = g0;
  const rng = mulberry32(c.seed);
  const x = { shape: c.x, data: uniform(rng, sizeOfDims(c.x)) };
  const w = { shape: c.w, data: uniform(rng, sizeOfDims(c.w)) };
  const dy = { shape: g0.outShape, data: uniform(rng, sizeOfDims(g0.outShape)) };
  const r = await evaluate('float64', { x, w, dy }, (g, i) => {
    const dilated = g.dilate(i.dy, c.strides);
    const padded = g.pad(dilated, [
      [0, 0],
      [h.keff - 1 - h.before, h.keff - 1 - h.after + h.unread],
      [wa.keff - 1 - wa.before, wa.keff - 1 - wa.after + wa.unread],
      [0, 0],
    ]);
    const flipped = g.reverse(g.transpose(i.w, [0, 1, 3, 2]), [0, 1]);
    const dx = g.conv2d(padded, flipped, { strides: 1, dilations: c.dilations, padding: 'VALID' });

    // The bottom/right padding pb − r makes the output exactly [kh, kw]; explicit padding must be
    // non-negative, so it is clamped at 0 and the surplus cropped afterwards.
    const pb = Math.max(h.after - h.unread, 0);
    const pr = Math.max(wa.after - wa.unread, 0);
    const swapped = g.conv2d(g.transpose(i.x, [3, 1, 2, 0]), g.transpose(i.dy, [1, 2, 0, 3]), {
      strides: c.dilations,
      dilations: c.strides,
      padding: [
        [h.before, pb],
        [wa.before, pr],
      ],
    });
    const full = g.transpose(swapped, [1, 2, 0, 3]);
    const dw = g.pad(full, [
      [0, c.w[0] - full.shape[0]!],
      [0, c.w[1] - full.shape[1]!],
      [0, 0],
      [0, 0],
    ]);
    return { dx, dw };
  });
  assertClose(r.out.dx, refBackpropInput(dy, w, c.x, c.strides, c.padding, c.dilations), TOL, `lowered backprop_input ${c.name}`);
  assertClose(r.out.dw, refBackpropFilter(x, dy, c.w, c.strides, c.padding, c.dilations), TOL, `lowered backprop_filter ${c.name}`);
}

describe('conv gradients composed from primitives (the identities of docs/semantics.md)', () => {
  it('x=[1,7,7,1] w=[3,3,1,1] s=1 d=1 p=same: backprop_input is the FULL conv with rot180(w)', async () => {
    await checkIdentities(convConfig({ x: [1, 7, 7, 1], w: [3, 3, 1, 1], strides: [1, 1], dilations: [1, 1], padding: 'SAME' }));
  });

  it('x=[2,8,7,3] w=[3,2,3,2] s=[3,2] d=[1,2] p=[[2,0],[0,3]] (unread rows, padding crop)', async () => {
    await checkIdentities(convConfig({ x: [2, 8, 7, 3], w: [3, 2, 3, 2], strides: [3, 2], dilations: [1, 2], padding: [[2, 0], [0, 3]] }));
  });

  it(`property: ${RUNS} generated configurations (seed ${SEED})`, async () => {
    // Ungrouped configurations: the grouped forms of these identities are the lowering rules' (lower-conv-gradients.test.ts).
    await fc.assert(fc.asyncProperty(convConfigArb.filter((c) => c.groups === 1), checkIdentities), { seed: SEED, numRuns: RUNS });
  });
});
