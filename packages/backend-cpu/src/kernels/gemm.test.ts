import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gemm, type MatrixView } from './gemm.ts';
import { expectClose, garbage, randomArray } from './test-helpers.ts';

/** A `rows × cols` matrix stored row-major or transposed (column-major), with `pad` unused elements before it. */
function view(rows: number, cols: number, trans: boolean, pad: number, seed: number, dtype: 'float32' | 'float64') {
  const data = randomArray(pad + rows * cols, seed, dtype);
  const v: MatrixView = trans
    ? { data, offset: pad, rowStride: 1, colStride: rows }
    : { data, offset: pad, rowStride: cols, colStride: 1 };
  return v;
}

function at(v: MatrixView, i: number, j: number): number {
  return v.data[v.offset + i * v.rowStride + j * v.colStride]!;
}

/** The textbook triple loop. */
function naive(m: number, n: number, k: number, a: MatrixView, b: MatrixView): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += at(a, i, p) * at(b, p, j);
      c[i * n + j] = s;
    }
  }
  return c;
}

const config = fc.record({
  // Sizes straddle the register block (8 × 8) and cache blocks (MC 128, KC 256).
  m: fc.oneof(fc.integer({ min: 1, max: 17 }), fc.integer({ min: 120, max: 270 })),
  n: fc.oneof(fc.integer({ min: 1, max: 17 }), fc.integer({ min: 18, max: 70 })),
  k: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 250, max: 530 })),
  transA: fc.boolean(),
  transB: fc.boolean(),
  accumulate: fc.boolean(),
  ldcPad: fc.integer({ min: 0, max: 3 }),
  cOffset: fc.integer({ min: 0, max: 5 }),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
});

describe('gemm', () => {
  it('equals the triple loop in float64 (sizes off the block sizes, transposes, accumulate, strided C)', () => {
    fc.assert(
      fc.property(config, ({ m, n, k, transA, transB, accumulate, ldcPad, cOffset, seed }) => {
        const a = view(m, k, transA, 3, seed, 'float64');
        const b = view(k, n, transB, 1, seed + 1, 'float64');
        const ldc = n + ldcPad;
        const c = randomArray(cOffset + m * ldc, seed + 2, 'float64');
        const before = c.slice();
        gemm(m, n, k, a, b, c, cOffset, ldc, accumulate);
        const expected = naive(m, n, k, a, b);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < ldc; j++) {
            const got = c[cOffset + i * ldc + j]!;
            const old = before[cOffset + i * ldc + j]!;
            // Columns past n (the row padding) must be untouched.
            const want = j >= n ? old : expected[i * n + j]! + (accumulate ? old : 0);
            if (Math.abs(got - want) > 1e-12 * Math.max(1, Math.abs(want))) {
              expect.fail(`m=${m} n=${n} k=${k} C[${i},${j}]: got ${got}, expected ${want}`);
            }
          }
        }
        for (let i = 0; i < cOffset; i++) expect(c[i]).toBe(before[i]);
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it('reads float32 operands and writes float32 C (m=37 n=13 k=300)', () => {
    const [m, n, k] = [37, 13, 300];
    const a = view(m, k, false, 0, 5, 'float32');
    const b = view(k, n, true, 0, 6, 'float32');
    const c = garbage(m * n, 'float32');
    gemm(m, n, k, a, b, c, 0, n, false);
    expect(c).toBeInstanceOf(Float32Array);
    expectClose(c, naive(m, n, k, a, b), 1e-5, 'C');
  });

  it('spans several column blocks (n=1030 > NC=512)', () => {
    const [m, n, k] = [5, 1030, 7];
    const a = view(m, k, false, 0, 7, 'float64');
    const b = view(k, n, false, 0, 8, 'float64');
    const c = garbage(m * n);
    gemm(m, n, k, a, b, c, 0, n, false);
    expectClose(c, naive(m, n, k, a, b), 1e-12, 'C');
  });

  it('writes zeros for k = 0 unless accumulating', () => {
    const a = view(2, 0, false, 0, 1, 'float64');
    const b = view(0, 3, false, 0, 1, 'float64');
    const c = garbage(6);
    gemm(2, 3, 0, a, b, c, 0, 3, false);
    expect([...c]).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
