import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Layouts, between, identity, invert, permuteData, permuteShape } from './layouts.ts';

/** All permutations of 0..r−1 as an arbitrary. */
const permArb = (r: number) => fc.shuffledSubarray([...Array(r).keys()], { minLength: r, maxLength: r });

/** transpose(x, perm) element by element from the definition y[i₀…] = x[j] with j[perm[k]] = i[k]. */
function naiveTranspose(data: Float64Array, shape: number[], perm: number[]): Float64Array {
  const outShape = perm.map((p) => shape[p]!);
  const out = new Float64Array(data.length);
  const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  for (let o = 0; o < data.length; o++) {
    let rest = o;
    let src = 0;
    for (let k = outShape.length - 1; k >= 0; k--) {
      const i = rest % outShape[k]!;
      rest = Math.floor(rest / outShape[k]!);
      src += i * strides[perm[k]!]!;
    }
    out[o] = data[src]!;
  }
  return out;
}

describe('layouts', () => {
  it('permuteData is transpose: NHWC [2,3,4,5] → NCHW puts x[n,h,w,c] at [n,c,h,w]', () => {
    const shape = [2, 3, 4, 5];
    const x = Float64Array.from({ length: 120 }, (_, i) => i);
    const y = permuteData(x, shape, [0, 3, 1, 2], (n) => new Float64Array(n));
    // x[1,2,3,4] = ((1·3 + 2)·4 + 3)·5 + 4 = 119; in NCHW [2,5,3,4] it sits at ((1·5 + 4)·3 + 2)·4 + 3.
    expect(y[((1 * 5 + 4) * 3 + 2) * 4 + 3]).toBe(119);
    expect(permuteShape(shape, [3, 2, 0, 1])).toEqual([5, 4, 2, 3]);
  });

  it('permuteData equals the element-wise definition for ranks 0–5 (fast-check, seed 7)', () => {
    const arb = fc.integer({ min: 0, max: 5 }).chain((r) => fc.tuple(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: r, maxLength: r }), permArb(r)));
    fc.assert(
      fc.property(arb, ([shape, perm]) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const x = Float64Array.from({ length: n }, (_, i) => i * 1.5 - 3);
        expect(Array.from(permuteData(x, shape, perm, (k) => new Float64Array(k)))).toEqual(Array.from(naiveTranspose(x, shape, perm)));
      }),
      { seed: 7, numRuns: 150 },
    );
  });

  it('between(from, to) moves a view: transpose(transpose(v, from), between) = transpose(v, to) (fast-check, seed 8)', () => {
    const arb = fc.integer({ min: 1, max: 5 }).chain((r) => fc.tuple(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: r, maxLength: r }), permArb(r), permArb(r)));
    fc.assert(
      fc.property(arb, ([shape, from, to]) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const x = Float64Array.from({ length: n }, (_, i) => i);
        const viaFrom = permuteData(permuteData(x, shape, from, (k) => new Float64Array(k)), permuteShape(shape, from), between(from, to), (k) => new Float64Array(k));
        expect(Array.from(viaFrom)).toEqual(Array.from(permuteData(x, shape, to, (k) => new Float64Array(k))));
        expect(between(from, from)).toEqual(identity(shape.length));
        expect(invert(invert(from))).toEqual(from);
      }),
      { seed: 8, numRuns: 150 },
    );
  });

  it('makes a view directly where it can, else by one transpose of the first view, and caches it', () => {
    const made: string[] = [];
    const layouts = new Layouts<string, string>(
      (id, from, perm, to) => {
        made.push(`T(${from}, [${perm}]) as [${to}]`);
        return `${id}@${to.join('')}`;
      },
      (id, perm) => (id === 'w' ? `w@${perm.join('')}` : undefined),
      () => 4,
    );
    layouts.set('y', [0, 3, 1, 2], 'y_nchw');
    expect(layouts.get('y', [0, 3, 1, 2])).toBe('y_nchw');
    expect(layouts.get('y', [0, 1, 2, 3])).toBe('y@0123');
    expect(layouts.get('y', [0, 1, 2, 3])).toBe('y@0123');
    expect(made).toEqual(['T(y_nchw, [0,2,3,1]) as [0,1,2,3]']);
    expect(layouts.get('w', [3, 2, 0, 1])).toBe('w@3201');
    expect(layouts.first('w')).toEqual({ perm: [3, 2, 0, 1], value: 'w@3201' });
    expect(made).toHaveLength(1);
  });
});
