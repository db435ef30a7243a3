/*
 * The register blocks every float32 GEMM here reduces to. WebAssembly SIMD is 128-bit, and V8
 * (Node 20) gives wasm code the 16 XMM registers with one kept as scratch, so the block is
 * 6 rows × 8 columns: 12 f32x4 accumulators + 2 B vectors + 1 broadcast A value = 15 registers.
 * Fused multiply-add (relaxed SIMD) is behind a flag in Node 20, so each step is f32x4.mul +
 * f32x4.add; the core issues the adds and multiplies on separate ports, so this reaches
 * ≈ 46 GFLOP/s on a 3.x GHz Sapphire Rapids core with A and B in L1 (4×8: 45, 5×8: 46,
 * 4×16 with 16 accumulators, which spill: 43).
 *
 * B is always a packed panel or a padded row block: 8 consecutive floats per step, `ldb`
 * bytes apart. C is `ldc` bytes per row, 8 floats per row.
 */

/*
 * V8 keeps the 12 accumulators in registers only when a kernel is "initialise, loop, store":
 * with `C += …` applied after the loop behind a flag, or with a loop over segments around the
 * step loop, the same loop ran at 35 and 27 GFLOP/s instead of 46. So each block comes in a
 * store (`=`) and an accumulate (`+=`, C loaded before the loop) version, both inlined from one
 * body with a constant flag, and a multi-part sum is one call per part.
 */

/**
 * `C[r, 0:8] = Σ_p A[r, p] · B[p, 0:8]` for r < 6, with row r of A at `a + r·lda` (consecutive
 * floats along p: gathered patch rows, matrix rows, or a filter row of windows read in place)
 * and B's rows `ldb` bytes apart.
 */
export function kernelRows(k: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize): void {
  rowsBlock(k, a, lda, b, ldb, c, ldc, false);
}

/** `C[r, 0:8] += Σ_p A[r, p] · B[p, 0:8]`, as `kernelRows`. */
export function kernelRowsAdd(k: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize): void {
  rowsBlock(k, a, lda, b, ldb, c, ldc, true);
}

@inline
function rowsBlock(k: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  if (accumulate) {
    c00 = v128.load(c, 0);
    c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc, 0);
    c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc, 0);
    c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc, 0);
    c31 = v128.load(c + 3 * ldc, 16);
    c40 = v128.load(c + 4 * ldc, 0);
    c41 = v128.load(c + 4 * ldc, 16);
    c50 = v128.load(c + 5 * ldc, 0);
    c51 = v128.load(c + 5 * ldc, 16);
  }
  let a0 = a;
  let a1 = a + lda;
  let a2 = a1 + lda;
  let a3 = a2 + lda;
  let a4 = a3 + lda;
  let a5 = a4 + lda;
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(b, 0);
    const b1 = v128.load(b, 16);
    let av = v128.load32_splat(a0);
    c00 = f32x4.add(c00, f32x4.mul(av, b0));
    c01 = f32x4.add(c01, f32x4.mul(av, b1));
    av = v128.load32_splat(a1);
    c10 = f32x4.add(c10, f32x4.mul(av, b0));
    c11 = f32x4.add(c11, f32x4.mul(av, b1));
    av = v128.load32_splat(a2);
    c20 = f32x4.add(c20, f32x4.mul(av, b0));
    c21 = f32x4.add(c21, f32x4.mul(av, b1));
    av = v128.load32_splat(a3);
    c30 = f32x4.add(c30, f32x4.mul(av, b0));
    c31 = f32x4.add(c31, f32x4.mul(av, b1));
    av = v128.load32_splat(a4);
    c40 = f32x4.add(c40, f32x4.mul(av, b0));
    c41 = f32x4.add(c41, f32x4.mul(av, b1));
    av = v128.load32_splat(a5);
    c50 = f32x4.add(c50, f32x4.mul(av, b0));
    c51 = f32x4.add(c51, f32x4.mul(av, b1));
    a0 += 4;
    a1 += 4;
    a2 += 4;
    a3 += 4;
    a4 += 4;
    a5 += 4;
    b += ldb;
  }
  storeBlock(c, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
}

/**
 * `C[r, 0:8] += Σ_p A[r, p] · B[p, 0:8]` for r < 6, with A[0:6, p] the 6 consecutive floats at
 * `a + p·stepA` (a packed panel, or the transpose of row-major rows read without transposing).
 */
export function kernelColsAdd(k: i32, a: usize, stepA: usize, b: usize, ldb: usize, c: usize, ldc: usize): void {
  let c00 = v128.load(c, 0), c01 = v128.load(c, 16);
  let c10 = v128.load(c + ldc, 0), c11 = v128.load(c + ldc, 16);
  let c20 = v128.load(c + 2 * ldc, 0), c21 = v128.load(c + 2 * ldc, 16);
  let c30 = v128.load(c + 3 * ldc, 0), c31 = v128.load(c + 3 * ldc, 16);
  let c40 = v128.load(c + 4 * ldc, 0), c41 = v128.load(c + 4 * ldc, 16);
  let c50 = v128.load(c + 5 * ldc, 0), c51 = v128.load(c + 5 * ldc, 16);
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(b, 0);
    const b1 = v128.load(b, 16);
    let av = v128.load32_splat(a, 0);
    c00 = f32x4.add(c00, f32x4.mul(av, b0));
    c01 = f32x4.add(c01, f32x4.mul(av, b1));
    av = v128.load32_splat(a, 4);
    c10 = f32x4.add(c10, f32x4.mul(av, b0));
    c11 = f32x4.add(c11, f32x4.mul(av, b1));
    av = v128.load32_splat(a, 8);
    c20 = f32x4.add(c20, f32x4.mul(av, b0));
    c21 = f32x4.add(c21, f32x4.mul(av, b1));
    av = v128.load32_splat(a, 12);
    c30 = f32x4.add(c30, f32x4.mul(av, b0));
    c31 = f32x4.add(c31, f32x4.mul(av, b1));
    av = v128.load32_splat(a, 16);
    c40 = f32x4.add(c40, f32x4.mul(av, b0));
    c41 = f32x4.add(c41, f32x4.mul(av, b1));
    av = v128.load32_splat(a, 20);
    c50 = f32x4.add(c50, f32x4.mul(av, b0));
    c51 = f32x4.add(c51, f32x4.mul(av, b1));
    a += stepA;
    b += ldb;
  }
  storeBlock(c, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
}

@inline
function storeBlock(
  c: usize, ldc: usize,
  c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128,
  c30: v128, c31: v128, c40: v128, c41: v128, c50: v128, c51: v128,
): void {
  v128.store(c, c00, 0);
  v128.store(c, c01, 16);
  c += ldc;
  v128.store(c, c10, 0);
  v128.store(c, c11, 16);
  c += ldc;
  v128.store(c, c20, 0);
  v128.store(c, c21, 16);
  c += ldc;
  v128.store(c, c30, 0);
  v128.store(c, c31, 16);
  c += ldc;
  v128.store(c, c40, 0);
  v128.store(c, c41, 16);
  c += ldc;
  v128.store(c, c50, 0);
  v128.store(c, c51, 16);
}

/**
 * `c[r·ldc] = Σ_p A[r, p] · b[p]` for r < 6, A rows at `a + r·lda`: one output column for
 * GEMMs narrower than a register block (fewer than 8 columns), vectorised along p instead.
 * Per 4 steps: 7 loads, 6 multiplies, 6 adds, so it runs near the block's rate.
 */
export function dotRows(k: i32, a: usize, lda: usize, b: usize, c: usize, ldc: usize): void {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0);
  let s3 = f32x4.splat(0), s4 = f32x4.splat(0), s5 = f32x4.splat(0);
  const a1 = a + lda;
  const a2 = a1 + lda;
  const a3 = a2 + lda;
  const a4 = a3 + lda;
  const a5 = a4 + lda;
  const k4 = k & ~3;
  let o: usize = 0;
  const end = <usize>k4 << 2;
  for (; o < end; o += 16) {
    const bv = v128.load(b + o);
    s0 = f32x4.add(s0, f32x4.mul(v128.load(a + o), bv));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(a1 + o), bv));
    s2 = f32x4.add(s2, f32x4.mul(v128.load(a2 + o), bv));
    s3 = f32x4.add(s3, f32x4.mul(v128.load(a3 + o), bv));
    s4 = f32x4.add(s4, f32x4.mul(v128.load(a4 + o), bv));
    s5 = f32x4.add(s5, f32x4.mul(v128.load(a5 + o), bv));
  }
  let t0 = hsum(s0), t1 = hsum(s1), t2 = hsum(s2), t3 = hsum(s3), t4 = hsum(s4), t5 = hsum(s5);
  for (let p = k4; p < k; p++) {
    const q = <usize>p << 2;
    const bv = load<f32>(b + q);
    t0 += load<f32>(a + q) * bv;
    t1 += load<f32>(a1 + q) * bv;
    t2 += load<f32>(a2 + q) * bv;
    t3 += load<f32>(a3 + q) * bv;
    t4 += load<f32>(a4 + q) * bv;
    t5 += load<f32>(a5 + q) * bv;
  }
  store<f32>(c, t0);
  store<f32>(c + ldc, t1);
  store<f32>(c + 2 * ldc, t2);
  store<f32>(c + 3 * ldc, t3);
  store<f32>(c + 4 * ldc, t4);
  store<f32>(c + 5 * ldc, t5);
}

/**
 * `dotRows` over a K split into parts: `dotRowsFirst` and `dotRowsNext` carry the 6 rows' lane
 * sums in the 96 bytes at `acc` (part lengths multiples of 4, so that every term lands in the
 * lane it has in one `dotRows` call), and `dotRowsEnd` adds the lanes: the same sums in the
 * same order as `dotRows` over the whole K.
 */
export function dotRowsFirst(k: i32, a: usize, lda: usize, b: usize, acc: usize): void {
  dotPart(k, a, lda, b, acc, false);
}

export function dotRowsNext(k: i32, a: usize, lda: usize, b: usize, acc: usize): void {
  dotPart(k, a, lda, b, acc, true);
}

@inline
function dotPart(k: i32, a: usize, lda: usize, b: usize, acc: usize, accumulate: bool): void {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0);
  let s3 = f32x4.splat(0), s4 = f32x4.splat(0), s5 = f32x4.splat(0);
  if (accumulate) {
    s0 = v128.load(acc, 0);
    s1 = v128.load(acc, 16);
    s2 = v128.load(acc, 32);
    s3 = v128.load(acc, 48);
    s4 = v128.load(acc, 64);
    s5 = v128.load(acc, 80);
  }
  const a1 = a + lda;
  const a2 = a1 + lda;
  const a3 = a2 + lda;
  const a4 = a3 + lda;
  const a5 = a4 + lda;
  const end = <usize>k << 2;
  for (let o: usize = 0; o < end; o += 16) {
    const bv = v128.load(b + o);
    s0 = f32x4.add(s0, f32x4.mul(v128.load(a + o), bv));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(a1 + o), bv));
    s2 = f32x4.add(s2, f32x4.mul(v128.load(a2 + o), bv));
    s3 = f32x4.add(s3, f32x4.mul(v128.load(a3 + o), bv));
    s4 = f32x4.add(s4, f32x4.mul(v128.load(a4 + o), bv));
    s5 = f32x4.add(s5, f32x4.mul(v128.load(a5 + o), bv));
  }
  v128.store(acc, s0, 0);
  v128.store(acc, s1, 16);
  v128.store(acc, s2, 32);
  v128.store(acc, s3, 48);
  v128.store(acc, s4, 64);
  v128.store(acc, s5, 80);
}

export function dotRowsEnd(acc: usize, c: usize, ldc: usize): void {
  store<f32>(c, hsum(v128.load(acc, 0)));
  store<f32>(c + ldc, hsum(v128.load(acc, 16)));
  store<f32>(c + 2 * ldc, hsum(v128.load(acc, 32)));
  store<f32>(c + 3 * ldc, hsum(v128.load(acc, 48)));
  store<f32>(c + 4 * ldc, hsum(v128.load(acc, 64)));
  store<f32>(c + 5 * ldc, hsum(v128.load(acc, 80)));
}

@inline
function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/**
 * Packs the `rows × cols` matrix with element (k, n) at `src + (k·rs + n·cs)·4` into 8-column
 * panels of a `[kTotal, ·]` B operand, rows from `k0`: element (k0 + k, n) lands at
 * `dst + ((n >> 3)·kTotal·8 + (k0 + k)·8 + (n & 7))·4`. Columns from `cols` to the panel's end are zero.
 */
export function packPanels(src: usize, rows: i32, cols: i32, rs: i32, cs: i32, dst: usize, k0: i32, kTotal: i32): void {
  const panels = (cols + 7) >> 3;
  for (let q = 0; q < panels; q++) {
    const n0 = q << 3;
    const width = min(8, cols - n0);
    let d = dst + ((<usize>q * <usize>kTotal * 8 + <usize>k0 * 8) << 2);
    if (width === 8 && cs === 1) {
      for (let k = 0; k < rows; k++, d += 32) {
        const s = src + ((<usize>(k * rs + n0)) << 2);
        v128.store(d, v128.load(s), 0);
        v128.store(d, v128.load(s, 16), 16);
      }
      continue;
    }
    for (let k = 0; k < rows; k++, d += 32) {
      for (let j = 0; j < 8; j++) {
        const v: f32 = j < width ? load<f32>(src + ((<usize>(k * rs + (n0 + j) * cs)) << 2)) : 0;
        store<f32>(d + (<usize>j << 2), v);
      }
    }
  }
}

/**
 * Packs the same matrix column by column for `dotRows`: element (k0 + k, n) lands at
 * `dst + (n·kTotal + k0 + k)·4`.
 */
export function packColumns(src: usize, rows: i32, cols: i32, rs: i32, cs: i32, dst: usize, k0: i32, kTotal: i32): void {
  for (let n = 0; n < cols; n++) {
    const d = dst + ((<usize>n * <usize>kTotal + <usize>k0) << 2);
    for (let k = 0; k < rows; k++) {
      store<f32>(d + (<usize>k << 2), load<f32>(src + ((<usize>(k * rs + n * cs)) << 2)));
    }
  }
}
