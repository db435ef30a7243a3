import type { FloatArray } from '@graft/ir';
import { Slot, scratch } from './workspace.ts';

/**
 * A strided matrix view: element `(i, j)` is `data[offset + i·rowStride + j·colStride]`.
 * A transpose is the same data with the strides swapped.
 */
export interface MatrixView {
  readonly data: FloatArray;
  readonly offset: number;
  readonly rowStride: number;
  readonly colStride: number;
}

/** A row-major `rows × cols` matrix starting at `offset`. */
export function rowMajor(data: FloatArray, offset: number, cols: number): MatrixView {
  return { data, offset, rowStride: cols, colStride: 1 };
}

/** The transpose of a row-major matrix with `cols` columns: element `(i, j)` is `data[offset + j·cols + i]`. */
export function transposed(data: FloatArray, offset: number, cols: number): MatrixView {
  return { data, offset, rowStride: 1, colStride: cols };
}

// Register block MR × NR. V8 emits scalar mulsd + addsd, so peak is about one multiply-add per
// cycle whatever the block; a larger block amortises the loads of a and b. Measured on conv
// shapes (Node 20 / V8 11.3, AVX-512 Xeon): 8×8 ≈ 5.0 GFLOP/s, 4×8 ≈ 4.7, 4×4 ≈ 4.4. The 64 accumulators
// exceed the 16 XMM registers; the spilled ones live in L1 stack slots at little cost.
const MR = 8;
const NR = 8;
// Cache blocks: a packed B panel (KC × NR doubles, 16 KiB) stays in L1 while the packed A block
// (MC × KC doubles, 256 KiB) stays in L2; NC bounds the packed B block (KC × NC doubles, 1 MiB).
// Timings were flat (±3%) for MC 64–256 and KC 128–512.
const MC = 128;
const KC = 256;
const NC = 512;

/**
 * `C[m, n] = A[m, k] · B[k, n]` (or `C += A · B` when `accumulate`), with C row-major at
 * `cOffset` with row stride `ldc`. A and B are any strided views (transposes are free);
 * they are packed into float64 micro-panels, so the inner kernel is the same for float32 and
 * float64 and sums in float64 within each KC block. Every element of C in the `m × n`
 * block is written (even when `k = 0`).
 */
export function gemm(
  m: number,
  n: number,
  k: number,
  a: MatrixView,
  b: MatrixView,
  c: FloatArray,
  cOffset: number,
  ldc: number,
  accumulate: boolean,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate) {
      for (let i = 0; i < m; i++) c.fill(0, cOffset + i * ldc, cOffset + i * ldc + n);
    }
    return;
  }
  // Equal K blocks (800 = 4 × 200, not 3 × 256 + 32): a short last block wastes its C traffic.
  const kcMax = Math.ceil(k / Math.ceil(k / KC));
  const pa = scratch(Slot.packA, roundUp(Math.min(MC, m), MR) * kcMax);
  const pb = scratch(Slot.packB, roundUp(Math.min(NC, n), NR) * kcMax);
  const tile = scratch(Slot.tile, MR * NR);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += kcMax) {
      const kc = Math.min(kcMax, k - pc);
      packB(b, pc, kc, jc, nc, pb);
      const overwrite = !accumulate && pc === 0;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(a, ic, mc, pc, kc, pa);
        macroKernel(mc, nc, kc, pa, pb, c, cOffset + ic * ldc + jc, ldc, overwrite, tile);
      }
    }
  }
}

function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}

/**
 * Packs `A[i0 : i0 + mc, p0 : p0 + kc]` into MR-row micro-panels: panel `r`, step `p`, row `i`
 * lands at `r·kc·MR + p·MR + i`. Rows past `mc` are zero, so edge tiles need no special inner loop.
 */
function packA(a: MatrixView, i0: number, mc: number, p0: number, kc: number, pa: Float64Array): void {
  const data = a.data;
  const rs = a.rowStride;
  const cs = a.colStride;
  for (let r = 0; r < mc; r += MR) {
    const panel = r * kc;
    const rows = Math.min(MR, mc - r);
    for (let i = 0; i < MR; i++) {
      let d = panel + i;
      if (i >= rows) {
        for (let p = 0; p < kc; p++, d += MR) pa[d] = 0;
        continue;
      }
      let s = a.offset + (i0 + r + i) * rs + p0 * cs;
      for (let p = 0; p < kc; p++, d += MR, s += cs) pa[d] = data[s]!;
    }
  }
}

/**
 * Packs `B[p0 : p0 + kc, j0 : j0 + nc]` into NR-column micro-panels: panel `q`, step `p`,
 * column `j` lands at `q·kc·NR + p·NR + j`; columns past `nc` are zero.
 */
function packB(b: MatrixView, p0: number, kc: number, j0: number, nc: number, pb: Float64Array): void {
  const data = b.data;
  const rs = b.rowStride;
  const cs = b.colStride;
  for (let q = 0; q < nc; q += NR) {
    const panel = q * kc;
    const cols = Math.min(NR, nc - q);
    for (let j = 0; j < NR; j++) {
      let d = panel + j;
      if (j >= cols) {
        for (let p = 0; p < kc; p++, d += NR) pb[d] = 0;
        continue;
      }
      let s = b.offset + p0 * rs + (j0 + q + j) * cs;
      for (let p = 0; p < kc; p++, d += NR, s += rs) pb[d] = data[s]!;
    }
  }
}

function macroKernel(
  mc: number,
  nc: number,
  kc: number,
  pa: Float64Array,
  pb: Float64Array,
  c: FloatArray,
  cOffset: number,
  ldc: number,
  overwrite: boolean,
  tile: Float64Array,
): void {
  for (let q = 0; q < nc; q += NR) {
    const ib = q * kc;
    const cols = Math.min(NR, nc - q);
    for (let r = 0; r < mc; r += MR) {
      const ia = r * kc;
      const rows = Math.min(MR, mc - r);
      const ic = cOffset + r * ldc + q;
      if (rows === MR && cols === NR) {
        microKernel(kc, pa, ia, pb, ib, c, ic, ldc, overwrite);
      } else {
        microKernel(kc, pa, ia, pb, ib, tile, 0, NR, true);
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j < cols; j++) {
            const t = tile[i * NR + j]!;
            c[ic + i * ldc + j] = overwrite ? t : c[ic + i * ldc + j]! + t;
          }
        }
      }
    }
  }
}

/**
 * The 8 × 8 register block: `C[0:8, 0:8] (+)= Σ_p a_p b_pᵀ` over `kc` packed steps, with the
 * 64 partial sums in local variables (V8 keeps most in registers, the rest in stack slots).
 */
function microKernel(
  kc: number,
  pa: Float64Array,
  ia: number,
  pb: Float64Array,
  ib: number,
  c: FloatArray,
  ic: number,
  ldc: number,
  overwrite: boolean,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c06 = 0, c07 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0, c16 = 0, c17 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0, c25 = 0, c26 = 0, c27 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0, c34 = 0, c35 = 0, c36 = 0, c37 = 0;
  let c40 = 0, c41 = 0, c42 = 0, c43 = 0, c44 = 0, c45 = 0, c46 = 0, c47 = 0;
  let c50 = 0, c51 = 0, c52 = 0, c53 = 0, c54 = 0, c55 = 0, c56 = 0, c57 = 0;
  let c60 = 0, c61 = 0, c62 = 0, c63 = 0, c64 = 0, c65 = 0, c66 = 0, c67 = 0;
  let c70 = 0, c71 = 0, c72 = 0, c73 = 0, c74 = 0, c75 = 0, c76 = 0, c77 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ia]!;
    const a1 = pa[ia + 1]!;
    const a2 = pa[ia + 2]!;
    const a3 = pa[ia + 3]!;
    const a4 = pa[ia + 4]!;
    const a5 = pa[ia + 5]!;
    const a6 = pa[ia + 6]!;
    const a7 = pa[ia + 7]!;
    let b = pb[ib]!;
    c00 += a0 * b; c10 += a1 * b; c20 += a2 * b; c30 += a3 * b; c40 += a4 * b; c50 += a5 * b; c60 += a6 * b; c70 += a7 * b;
    b = pb[ib + 1]!;
    c01 += a0 * b; c11 += a1 * b; c21 += a2 * b; c31 += a3 * b; c41 += a4 * b; c51 += a5 * b; c61 += a6 * b; c71 += a7 * b;
    b = pb[ib + 2]!;
    c02 += a0 * b; c12 += a1 * b; c22 += a2 * b; c32 += a3 * b; c42 += a4 * b; c52 += a5 * b; c62 += a6 * b; c72 += a7 * b;
    b = pb[ib + 3]!;
    c03 += a0 * b; c13 += a1 * b; c23 += a2 * b; c33 += a3 * b; c43 += a4 * b; c53 += a5 * b; c63 += a6 * b; c73 += a7 * b;
    b = pb[ib + 4]!;
    c04 += a0 * b; c14 += a1 * b; c24 += a2 * b; c34 += a3 * b; c44 += a4 * b; c54 += a5 * b; c64 += a6 * b; c74 += a7 * b;
    b = pb[ib + 5]!;
    c05 += a0 * b; c15 += a1 * b; c25 += a2 * b; c35 += a3 * b; c45 += a4 * b; c55 += a5 * b; c65 += a6 * b; c75 += a7 * b;
    b = pb[ib + 6]!;
    c06 += a0 * b; c16 += a1 * b; c26 += a2 * b; c36 += a3 * b; c46 += a4 * b; c56 += a5 * b; c66 += a6 * b; c76 += a7 * b;
    b = pb[ib + 7]!;
    c07 += a0 * b; c17 += a1 * b; c27 += a2 * b; c37 += a3 * b; c47 += a4 * b; c57 += a5 * b; c67 += a6 * b; c77 += a7 * b;
    ia += MR;
    ib += NR;
  }
  if (overwrite) {
    let r = ic;
    c[r] = c00; c[r + 1] = c01; c[r + 2] = c02; c[r + 3] = c03; c[r + 4] = c04; c[r + 5] = c05; c[r + 6] = c06; c[r + 7] = c07;
    r += ldc;
    c[r] = c10; c[r + 1] = c11; c[r + 2] = c12; c[r + 3] = c13; c[r + 4] = c14; c[r + 5] = c15; c[r + 6] = c16; c[r + 7] = c17;
    r += ldc;
    c[r] = c20; c[r + 1] = c21; c[r + 2] = c22; c[r + 3] = c23; c[r + 4] = c24; c[r + 5] = c25; c[r + 6] = c26; c[r + 7] = c27;
    r += ldc;
    c[r] = c30; c[r + 1] = c31; c[r + 2] = c32; c[r + 3] = c33; c[r + 4] = c34; c[r + 5] = c35; c[r + 6] = c36; c[r + 7] = c37;
    r += ldc;
    c[r] = c40; c[r + 1] = c41; c[r + 2] = c42; c[r + 3] = c43; c[r + 4] = c44; c[r + 5] = c45; c[r + 6] = c46; c[r + 7] = c47;
    r += ldc;
    c[r] = c50; c[r + 1] = c51; c[r + 2] = c52; c[r + 3] = c53; c[r + 4] = c54; c[r + 5] = c55; c[r + 6] = c56; c[r + 7] = c57;
    r += ldc;
    c[r] = c60; c[r + 1] = c61; c[r + 2] = c62; c[r + 3] = c63; c[r + 4] = c64; c[r + 5] = c65; c[r + 6] = c66; c[r + 7] = c67;
    r += ldc;
    c[r] = c70; c[r + 1] = c71; c[r + 2] = c72; c[r + 3] = c73; c[r + 4] = c74; c[r + 5] = c75; c[r + 6] = c76; c[r + 7] = c77;
  } else {
    let r = ic;
    c[r]! += c00; c[r + 1]! += c01; c[r + 2]! += c02; c[r + 3]! += c03; c[r + 4]! += c04; c[r + 5]! += c05; c[r + 6]! += c06; c[r + 7]! += c07;
    r += ldc;
    c[r]! += c10; c[r + 1]! += c11; c[r + 2]! += c12; c[r + 3]! += c13; c[r + 4]! += c14; c[r + 5]! += c15; c[r + 6]! += c16; c[r + 7]! += c17;
    r += ldc;
    c[r]! += c20; c[r + 1]! += c21; c[r + 2]! += c22; c[r + 3]! += c23; c[r + 4]! += c24; c[r + 5]! += c25; c[r + 6]! += c26; c[r + 7]! += c27;
    r += ldc;
    c[r]! += c30; c[r + 1]! += c31; c[r + 2]! += c32; c[r + 3]! += c33; c[r + 4]! += c34; c[r + 5]! += c35; c[r + 6]! += c36; c[r + 7]! += c37;
    r += ldc;
    c[r]! += c40; c[r + 1]! += c41; c[r + 2]! += c42; c[r + 3]! += c43; c[r + 4]! += c44; c[r + 5]! += c45; c[r + 6]! += c46; c[r + 7]! += c47;
    r += ldc;
    c[r]! += c50; c[r + 1]! += c51; c[r + 2]! += c52; c[r + 3]! += c53; c[r + 4]! += c54; c[r + 5]! += c55; c[r + 6]! += c56; c[r + 7]! += c57;
    r += ldc;
    c[r]! += c60; c[r + 1]! += c61; c[r + 2]! += c62; c[r + 3]! += c63; c[r + 4]! += c64; c[r + 5]! += c65; c[r + 6]! += c66; c[r + 7]! += c67;
    r += ldc;
    c[r]! += c70; c[r + 1]! += c71; c[r + 2]! += c72; c[r + 3]! += c73; c[r + 4]! += c74; c[r + 5]! += c75; c[r + 6]! += c76; c[r + 7]! += c77;
  }
}
