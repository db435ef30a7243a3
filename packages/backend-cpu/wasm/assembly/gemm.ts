/*
 * The register blocks every float32 GEMM here reduces to. WebAssembly SIMD is 128-bit, and V8
 * gives wasm code the 16 XMM registers with one kept as scratch, so the block is 6 rows × 8
 * columns: 12 f32x4 accumulators + 2 B vectors + 1 broadcast A value = 15 registers.
 *
 * One multiply-add step is `madd`: relaxed SIMD's fused `f32x4.relaxed_madd` in the module built
 * with it (kernels-relaxed.wasm, used where the runtime validates it: Chromium, Node ≥ 22), else
 * f32x4.mul + f32x4.add (Node 20 without a flag).
 *
 * The same block runs one of three inner-loop schedules, chosen per machine by measurement when
 * the module is first loaded (src/kernels/wasm/calibrate.ts) and read from the schedule word in
 * shared memory (so worker threads' instances follow it):
 *
 *   0  one step per iteration, A broadcast by load32_splat (6 broadcast loads + 2 B loads per step)
 *   1  two steps per iteration (half the loop overhead and pointer updates)
 *   2  four steps per iteration, each A row loaded once as a v128 and its lanes broadcast by
 *      shuffles (1.5 loads of A per step instead of 6; XNNPACK's "splat" kernels)
 *
 * Measured in L1 on a 2-core AMD EPYC Zen 5 (the machine shared, ±20 %): mul + add 0 ≈ 30 GFLOP/s,
 * 1 ≈ 50, 2 ≈ 42; the relaxed build 0 ≈ 56, 1 ≈ 38, 2 ≈ 47; on the Sapphire Rapids core this was
 * first tuned on, 0 reached ≈ 46. Every schedule adds each accumulator's terms in the same order
 * (p ascending), so results do not depend on the choice.
 *
 * B is always a packed panel or a padded row block: 8 consecutive floats per step, `ldb`
 * bytes apart. C is `ldc` bytes per row, 8 floats per row.
 */

/** Byte address of the schedule words in shared memory (below the thread control words, see src/kernels/wasm/heap.ts). */
const SCHEDULE: usize = 960;

/** The schedule of `kernelRows` / `kernelRowsAdd` (word 0) and of `kernelColsAdd` (word 1). */
export function setSchedules(rows: i32, cols: i32): void {
  store<i32>(SCHEDULE, rows);
  store<i32>(SCHEDULE, cols, 4);
}

/** `c + a·b` per lane: fused where relaxed SIMD is enabled. */
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/*
 * V8 keeps the 12 accumulators in registers only when a kernel is "initialise, loop, store":
 * with `C += …` applied after the loop behind a flag, or with a loop over segments around the
 * step loop, the same loop ran at 35 and 27 GFLOP/s instead of 46 (Sapphire Rapids); with the
 * three schedules' loops in one function, at half speed (Zen 5). So each schedule is its own
 * function in a store (`=`) and an accumulate (`+=`, C loaded before the loop) version, and a
 * multi-part sum is one call per part (except `kernelRowsList`, for parts too short for that).
 */

/**
 * `C[r, 0:8] = Σ_p A[r, p] · B[p, 0:8]` for r < 6, with row r of A at `a + r·lda` (consecutive
 * floats along p: gathered patch rows, matrix rows, or a filter row of windows read in place)
 * and B's rows `ldb` bytes apart, in the schedule of word 0. The schedule's loop takes the
 * largest multiple of its step count; the rest (k mod 2 or k mod 4 steps) is one more call of
 * the one-step accumulate block, which continues every sum in order.
 */
export function kernelRows(k: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize): void {
  const s = load<i32>(SCHEDULE);
  const main = s === 2 ? k & ~3 : s === 1 ? k & ~1 : 0;
  if (main === 0) {
    rowsSet1(k, a, lda, b, ldb, c, ldc);
    return;
  }
  if (s === 2) rowsSet4(main, a, lda, b, ldb, c, ldc);
  else rowsSet2(main, a, lda, b, ldb, c, ldc);
  if (main < k) rowsAdd1(k - main, a + (<usize>main << 2), lda, b + <usize>main * ldb, ldb, c, ldc);
}

/** `C[r, 0:8] += Σ_p A[r, p] · B[p, 0:8]`, as `kernelRows`. */
export function kernelRowsAdd(k: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize): void {
  const s = load<i32>(SCHEDULE);
  const main = s === 2 ? k & ~3 : s === 1 ? k & ~1 : 0;
  if (main === 0) {
    rowsAdd1(k, a, lda, b, ldb, c, ldc);
    return;
  }
  if (s === 2) rowsAdd4(main, a, lda, b, ldb, c, ldc);
  else rowsAdd2(main, a, lda, b, ldb, c, ldc);
  if (main < k) rowsAdd1(k - main, a + (<usize>main << 2), lda, b + <usize>main * ldb, ldb, c, ldc);
}

/**
 * `C[r, 0:8] += Σ_p A[r, p] · B[p, 0:8]` for r < 6, with A[0:6, p] the 6 consecutive floats at
 * `a + p·stepA` (a packed panel), in the schedule of word 1 (2: A's 6 values as two v128 loads,
 * floats 0–3 and 2–5, broadcast by shuffles).
 */
export function kernelColsAdd(k: i32, a: usize, stepA: usize, b: usize, ldb: usize, c: usize, ldc: usize): void {
  const s = load<i32>(SCHEDULE, 4);
  if (s === 2) {
    colsAddShuffled(k, a, stepA, b, ldb, c, ldc);
    return;
  }
  const main = s === 1 ? k & ~1 : 0;
  if (main === 0) {
    colsAdd1(k, a, stepA, b, ldb, c, ldc);
    return;
  }
  colsAdd2(main, a, stepA, b, ldb, c, ldc);
  if (main < k) colsAdd1(k - main, a + <usize>main * stepA, stepA, b + <usize>main * ldb, ldb, c, ldc);
}

/** The 6×8 block, C = A·B: one step per iteration. */
function rowsSet1(k: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  let a0 = a;
  let a1 = a0 + lda;
  let a2 = a1 + lda;
  let a3 = a2 + lda;
  let a4 = a3 + lda;
  let a5 = a4 + lda;
  for (let p = 0; p < k; p++) {
    {
      const b0 = v128.load(b, 0);
      const b1 = v128.load(b, 16);
      let av = v128.load32_splat(a0);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = v128.load32_splat(a1);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = v128.load32_splat(a2);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = v128.load32_splat(a3);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = v128.load32_splat(a4);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      av = v128.load32_splat(a5);
      c50 = madd(av, b0, c50);
      c51 = madd(av, b1, c51);
      b += ldb;
    }
    a0 += 4;
    a1 += 4;
    a2 += 4;
    a3 += 4;
    a4 += 4;
    a5 += 4;
  }
  storeBlock(c, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
}

/** The 6×8 block, C += A·B: one step per iteration. */
function rowsAdd1(k: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize): void {
  let c00 = v128.load(c, 0), c01 = v128.load(c, 16);
  let c10 = v128.load(c + ldc, 0), c11 = v128.load(c + ldc, 16);
  let c20 = v128.load(c + 2 * ldc, 0), c21 = v128.load(c + 2 * ldc, 16);
  let c30 = v128.load(c + 3 * ldc, 0), c31 = v128.load(c + 3 * ldc, 16);
  let c40 = v128.load(c + 4 * ldc, 0), c41 = v128.load(c + 4 * ldc, 16);
  let c50 = v128.load(c + 5 * ldc, 0), c51 = v128.load(c + 5 * ldc, 16);
  let a0 = a;
  let a1 = a0 + lda;
  let a2 = a1 + lda;
  let a3 = a2 + lda;
  let a4 = a3 + lda;
  let a5 = a4 + lda;
  for (let p = 0; p < k; p++) {
    {
      const b0 = v128.load(b, 0);
      const b1 = v128.load(b, 16);
      let av = v128.load32_splat(a0);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = v128.load32_splat(a1);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = v128.load32_splat(a2);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = v128.load32_splat(a3);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = v128.load32_splat(a4);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      av = v128.load32_splat(a5);
      c50 = madd(av, b0, c50);
      c51 = madd(av, b1, c51);
      b += ldb;
    }
    a0 += 4;
    a1 += 4;
    a2 += 4;
    a3 += 4;
    a4 += 4;
    a5 += 4;
  }
  storeBlock(c, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
}

/** The 6×8 block, C = A·B: two steps per iteration (k even). */
function rowsSet2(k: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  let a0 = a;
  let a1 = a0 + lda;
  let a2 = a1 + lda;
  let a3 = a2 + lda;
  let a4 = a3 + lda;
  let a5 = a4 + lda;
  for (let p = 0; p < k; p += 2) {
    {
      const b0 = v128.load(b, 0);
      const b1 = v128.load(b, 16);
      let av = v128.load32_splat(a0, 0);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = v128.load32_splat(a1, 0);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = v128.load32_splat(a2, 0);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = v128.load32_splat(a3, 0);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = v128.load32_splat(a4, 0);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      av = v128.load32_splat(a5, 0);
      c50 = madd(av, b0, c50);
      c51 = madd(av, b1, c51);
      b += ldb;
    }
    {
      const b0 = v128.load(b, 0);
      const b1 = v128.load(b, 16);
      let av = v128.load32_splat(a0, 4);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = v128.load32_splat(a1, 4);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = v128.load32_splat(a2, 4);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = v128.load32_splat(a3, 4);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = v128.load32_splat(a4, 4);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      av = v128.load32_splat(a5, 4);
      c50 = madd(av, b0, c50);
      c51 = madd(av, b1, c51);
      b += ldb;
    }
    a0 += 8;
    a1 += 8;
    a2 += 8;
    a3 += 8;
    a4 += 8;
    a5 += 8;
  }
  storeBlock(c, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
}

/** The 6×8 block, C += A·B: two steps per iteration (k even). */
function rowsAdd2(k: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize): void {
  let c00 = v128.load(c, 0), c01 = v128.load(c, 16);
  let c10 = v128.load(c + ldc, 0), c11 = v128.load(c + ldc, 16);
  let c20 = v128.load(c + 2 * ldc, 0), c21 = v128.load(c + 2 * ldc, 16);
  let c30 = v128.load(c + 3 * ldc, 0), c31 = v128.load(c + 3 * ldc, 16);
  let c40 = v128.load(c + 4 * ldc, 0), c41 = v128.load(c + 4 * ldc, 16);
  let c50 = v128.load(c + 5 * ldc, 0), c51 = v128.load(c + 5 * ldc, 16);
  let a0 = a;
  let a1 = a0 + lda;
  let a2 = a1 + lda;
  let a3 = a2 + lda;
  let a4 = a3 + lda;
  let a5 = a4 + lda;
  for (let p = 0; p < k; p += 2) {
    {
      const b0 = v128.load(b, 0);
      const b1 = v128.load(b, 16);
      let av = v128.load32_splat(a0, 0);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = v128.load32_splat(a1, 0);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = v128.load32_splat(a2, 0);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = v128.load32_splat(a3, 0);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = v128.load32_splat(a4, 0);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      av = v128.load32_splat(a5, 0);
      c50 = madd(av, b0, c50);
      c51 = madd(av, b1, c51);
      b += ldb;
    }
    {
      const b0 = v128.load(b, 0);
      const b1 = v128.load(b, 16);
      let av = v128.load32_splat(a0, 4);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = v128.load32_splat(a1, 4);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = v128.load32_splat(a2, 4);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = v128.load32_splat(a3, 4);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = v128.load32_splat(a4, 4);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      av = v128.load32_splat(a5, 4);
      c50 = madd(av, b0, c50);
      c51 = madd(av, b1, c51);
      b += ldb;
    }
    a0 += 8;
    a1 += 8;
    a2 += 8;
    a3 += 8;
    a4 += 8;
    a5 += 8;
  }
  storeBlock(c, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
}

/** The 6×8 block, C = A·B: four steps per iteration, A rows loaded as v128 and broadcast by shuffles (k a multiple of 4). */
function rowsSet4(k: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  let a0 = a;
  let a1 = a0 + lda;
  let a2 = a1 + lda;
  let a3 = a2 + lda;
  let a4 = a3 + lda;
  let a5 = a4 + lda;
  for (let p = 0; p < k; p += 4) {
    const v0 = v128.load(a0);
    const v1 = v128.load(a1);
    const v2 = v128.load(a2);
    const v3 = v128.load(a3);
    const v4 = v128.load(a4);
    const v5 = v128.load(a5);
    {
      const b0 = v128.load(b, 0);
      const b1 = v128.load(b, 16);
      let av = i32x4.shuffle(v0, v0, 0, 0, 0, 0);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = i32x4.shuffle(v1, v1, 0, 0, 0, 0);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = i32x4.shuffle(v2, v2, 0, 0, 0, 0);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = i32x4.shuffle(v3, v3, 0, 0, 0, 0);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = i32x4.shuffle(v4, v4, 0, 0, 0, 0);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      av = i32x4.shuffle(v5, v5, 0, 0, 0, 0);
      c50 = madd(av, b0, c50);
      c51 = madd(av, b1, c51);
      b += ldb;
    }
    {
      const b0 = v128.load(b, 0);
      const b1 = v128.load(b, 16);
      let av = i32x4.shuffle(v0, v0, 1, 1, 1, 1);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = i32x4.shuffle(v1, v1, 1, 1, 1, 1);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = i32x4.shuffle(v2, v2, 1, 1, 1, 1);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = i32x4.shuffle(v3, v3, 1, 1, 1, 1);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = i32x4.shuffle(v4, v4, 1, 1, 1, 1);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      av = i32x4.shuffle(v5, v5, 1, 1, 1, 1);
      c50 = madd(av, b0, c50);
      c51 = madd(av, b1, c51);
      b += ldb;
    }
    {
      const b0 = v128.load(b, 0);
      const b1 = v128.load(b, 16);
      let av = i32x4.shuffle(v0, v0, 2, 2, 2, 2);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = i32x4.shuffle(v1, v1, 2, 2, 2, 2);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = i32x4.shuffle(v2, v2, 2, 2, 2, 2);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = i32x4.shuffle(v3, v3, 2, 2, 2, 2);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = i32x4.shuffle(v4, v4, 2, 2, 2, 2);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      av = i32x4.shuffle(v5, v5, 2, 2, 2, 2);
      c50 = madd(av, b0, c50);
      c51 = madd(av, b1, c51);
      b += ldb;
    }
    {
      const b0 = v128.load(b, 0);
      const b1 = v128.load(b, 16);
      let av = i32x4.shuffle(v0, v0, 3, 3, 3, 3);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = i32x4.shuffle(v1, v1, 3, 3, 3, 3);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = i32x4.shuffle(v2, v2, 3, 3, 3, 3);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = i32x4.shuffle(v3, v3, 3, 3, 3, 3);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = i32x4.shuffle(v4, v4, 3, 3, 3, 3);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      av = i32x4.shuffle(v5, v5, 3, 3, 3, 3);
      c50 = madd(av, b0, c50);
      c51 = madd(av, b1, c51);
      b += ldb;
    }
    a0 += 16;
    a1 += 16;
    a2 += 16;
    a3 += 16;
    a4 += 16;
    a5 += 16;
  }
  storeBlock(c, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
}

/** The 6×8 block, C += A·B: four steps per iteration, A rows loaded as v128 and broadcast by shuffles (k a multiple of 4). */
function rowsAdd4(k: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize): void {
  let c00 = v128.load(c, 0), c01 = v128.load(c, 16);
  let c10 = v128.load(c + ldc, 0), c11 = v128.load(c + ldc, 16);
  let c20 = v128.load(c + 2 * ldc, 0), c21 = v128.load(c + 2 * ldc, 16);
  let c30 = v128.load(c + 3 * ldc, 0), c31 = v128.load(c + 3 * ldc, 16);
  let c40 = v128.load(c + 4 * ldc, 0), c41 = v128.load(c + 4 * ldc, 16);
  let c50 = v128.load(c + 5 * ldc, 0), c51 = v128.load(c + 5 * ldc, 16);
  let a0 = a;
  let a1 = a0 + lda;
  let a2 = a1 + lda;
  let a3 = a2 + lda;
  let a4 = a3 + lda;
  let a5 = a4 + lda;
  for (let p = 0; p < k; p += 4) {
    const v0 = v128.load(a0);
    const v1 = v128.load(a1);
    const v2 = v128.load(a2);
    const v3 = v128.load(a3);
    const v4 = v128.load(a4);
    const v5 = v128.load(a5);
    {
      const b0 = v128.load(b, 0);
      const b1 = v128.load(b, 16);
      let av = i32x4.shuffle(v0, v0, 0, 0, 0, 0);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = i32x4.shuffle(v1, v1, 0, 0, 0, 0);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = i32x4.shuffle(v2, v2, 0, 0, 0, 0);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = i32x4.shuffle(v3, v3, 0, 0, 0, 0);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = i32x4.shuffle(v4, v4, 0, 0, 0, 0);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      av = i32x4.shuffle(v5, v5, 0, 0, 0, 0);
      c50 = madd(av, b0, c50);
      c51 = madd(av, b1, c51);
      b += ldb;
    }
    {
      const b0 = v128.load(b, 0);
      const b1 = v128.load(b, 16);
      let av = i32x4.shuffle(v0, v0, 1, 1, 1, 1);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = i32x4.shuffle(v1, v1, 1, 1, 1, 1);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = i32x4.shuffle(v2, v2, 1, 1, 1, 1);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = i32x4.shuffle(v3, v3, 1, 1, 1, 1);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = i32x4.shuffle(v4, v4, 1, 1, 1, 1);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      av = i32x4.shuffle(v5, v5, 1, 1, 1, 1);
      c50 = madd(av, b0, c50);
      c51 = madd(av, b1, c51);
      b += ldb;
    }
    {
      const b0 = v128.load(b, 0);
      const b1 = v128.load(b, 16);
      let av = i32x4.shuffle(v0, v0, 2, 2, 2, 2);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = i32x4.shuffle(v1, v1, 2, 2, 2, 2);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = i32x4.shuffle(v2, v2, 2, 2, 2, 2);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = i32x4.shuffle(v3, v3, 2, 2, 2, 2);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = i32x4.shuffle(v4, v4, 2, 2, 2, 2);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      av = i32x4.shuffle(v5, v5, 2, 2, 2, 2);
      c50 = madd(av, b0, c50);
      c51 = madd(av, b1, c51);
      b += ldb;
    }
    {
      const b0 = v128.load(b, 0);
      const b1 = v128.load(b, 16);
      let av = i32x4.shuffle(v0, v0, 3, 3, 3, 3);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = i32x4.shuffle(v1, v1, 3, 3, 3, 3);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = i32x4.shuffle(v2, v2, 3, 3, 3, 3);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = i32x4.shuffle(v3, v3, 3, 3, 3, 3);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = i32x4.shuffle(v4, v4, 3, 3, 3, 3);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      av = i32x4.shuffle(v5, v5, 3, 3, 3, 3);
      c50 = madd(av, b0, c50);
      c51 = madd(av, b1, c51);
      b += ldb;
    }
    a0 += 16;
    a1 += 16;
    a2 += 16;
    a3 += 16;
    a4 += 16;
    a5 += 16;
  }
  storeBlock(c, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
}

/** The packed-A 6×8 block, C += A·B: one step per iteration. */
function colsAdd1(k: i32, a: usize, stepA: usize, b: usize, ldb: usize, c: usize, ldc: usize): void {
  let c00 = v128.load(c, 0), c01 = v128.load(c, 16);
  let c10 = v128.load(c + ldc, 0), c11 = v128.load(c + ldc, 16);
  let c20 = v128.load(c + 2 * ldc, 0), c21 = v128.load(c + 2 * ldc, 16);
  let c30 = v128.load(c + 3 * ldc, 0), c31 = v128.load(c + 3 * ldc, 16);
  let c40 = v128.load(c + 4 * ldc, 0), c41 = v128.load(c + 4 * ldc, 16);
  let c50 = v128.load(c + 5 * ldc, 0), c51 = v128.load(c + 5 * ldc, 16);
  for (let p = 0; p < k; p++) {
    {
      const b0 = v128.load(b, 0);
      const b1 = v128.load(b, 16);
      let av = v128.load32_splat(a, 0);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = v128.load32_splat(a, 4);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = v128.load32_splat(a, 8);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = v128.load32_splat(a, 12);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = v128.load32_splat(a, 16);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      av = v128.load32_splat(a, 20);
      c50 = madd(av, b0, c50);
      c51 = madd(av, b1, c51);
      b += ldb;
    }
    a += stepA;
  }
  storeBlock(c, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
}

/** The packed-A 6×8 block, C += A·B: two steps per iteration (k even). */
function colsAdd2(k: i32, a: usize, stepA: usize, b: usize, ldb: usize, c: usize, ldc: usize): void {
  let c00 = v128.load(c, 0), c01 = v128.load(c, 16);
  let c10 = v128.load(c + ldc, 0), c11 = v128.load(c + ldc, 16);
  let c20 = v128.load(c + 2 * ldc, 0), c21 = v128.load(c + 2 * ldc, 16);
  let c30 = v128.load(c + 3 * ldc, 0), c31 = v128.load(c + 3 * ldc, 16);
  let c40 = v128.load(c + 4 * ldc, 0), c41 = v128.load(c + 4 * ldc, 16);
  let c50 = v128.load(c + 5 * ldc, 0), c51 = v128.load(c + 5 * ldc, 16);
  for (let p = 0; p < k; p += 2) {
    {
      const b0 = v128.load(b, 0);
      const b1 = v128.load(b, 16);
      let av = v128.load32_splat(a, 0);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = v128.load32_splat(a, 4);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = v128.load32_splat(a, 8);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = v128.load32_splat(a, 12);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = v128.load32_splat(a, 16);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      av = v128.load32_splat(a, 20);
      c50 = madd(av, b0, c50);
      c51 = madd(av, b1, c51);
      b += ldb;
    }
    a += stepA;
    {
      const b0 = v128.load(b, 0);
      const b1 = v128.load(b, 16);
      let av = v128.load32_splat(a, 0);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = v128.load32_splat(a, 4);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = v128.load32_splat(a, 8);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = v128.load32_splat(a, 12);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = v128.load32_splat(a, 16);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      av = v128.load32_splat(a, 20);
      c50 = madd(av, b0, c50);
      c51 = madd(av, b1, c51);
      b += ldb;
    }
    a += stepA;
  }
  storeBlock(c, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
}

/** The packed-A 6×8 block, C += A·B: A as two v128 loads broadcast by shuffles. */
function colsAddShuffled(k: i32, a: usize, stepA: usize, b: usize, ldb: usize, c: usize, ldc: usize): void {
  let c00 = v128.load(c, 0), c01 = v128.load(c, 16);
  let c10 = v128.load(c + ldc, 0), c11 = v128.load(c + ldc, 16);
  let c20 = v128.load(c + 2 * ldc, 0), c21 = v128.load(c + 2 * ldc, 16);
  let c30 = v128.load(c + 3 * ldc, 0), c31 = v128.load(c + 3 * ldc, 16);
  let c40 = v128.load(c + 4 * ldc, 0), c41 = v128.load(c + 4 * ldc, 16);
  let c50 = v128.load(c + 5 * ldc, 0), c51 = v128.load(c + 5 * ldc, 16);
  for (let p = 0; p < k; p++) {
    const lo = v128.load(a, 0);
    const hi = v128.load(a, 8);
    {
      const b0 = v128.load(b, 0);
      const b1 = v128.load(b, 16);
      let av = i32x4.shuffle(lo, lo, 0, 0, 0, 0);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = i32x4.shuffle(lo, lo, 1, 1, 1, 1);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = i32x4.shuffle(lo, lo, 2, 2, 2, 2);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = i32x4.shuffle(lo, lo, 3, 3, 3, 3);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = i32x4.shuffle(hi, hi, 2, 2, 2, 2);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      av = i32x4.shuffle(hi, hi, 3, 3, 3, 3);
      c50 = madd(av, b0, c50);
      c51 = madd(av, b1, c51);
      b += ldb;
    }
    a += stepA;
  }
  storeBlock(c, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
}

/**
 * `C[r, 0:8] = Σ_s Σ_{p < len} A_s[r, p] · B[k_s + p, 0:8]` for r < 6, over the `segs` segments
 * listed at `list` as `[a_s, k_s]` pairs (row r of segment s at `a_s + r·lda`): a whole sum in
 * one call, with the accumulators in registers across segments. For short segments (a 1-channel
 * conv's 5-float filter rows) the per-call store and reload of C that one call per segment costs
 * outweighs the nested loop's worse code; each sum's terms come in the same order either way.
 */
export function kernelRowsList(segs: i32, len: i32, list: usize, lda: usize, bp: usize, ldb: usize, c: usize, ldc: usize): void {
  // The filter rows of 1-channel first layers (3×3, 5×5, 7×7) with their steps unrolled; other
  // lengths in a step loop inside the segment loop.
  if (len === 3) rowsList3(segs, list, lda, bp, ldb, c, ldc);
  else if (len === 5) rowsList5(segs, list, lda, bp, ldb, c, ldc);
  else if (len === 7) rowsList7(segs, list, lda, bp, ldb, c, ldc);
  // Even segments take two steps per iteration where the rows schedule is not the one-step one.
  else if ((len & 1) === 0 && load<i32>(SCHEDULE) !== 0) rowsList2(segs, len, list, lda, bp, ldb, c, ldc);
  else rowsList1(segs, len, list, lda, bp, ldb, c, ldc);
}

/**
 * `kernelRowsList` for segments of `len` ≤ 7 floats, a constant: inlined into one function per
 * length, where the optimiser drops the steps past `len`, so each segment is straight-line code
 * with no step loop inside the segment loop (that nested loop ran the 1-channel 5×5 conv at
 * ≈ 27 GFLOP/s, straight-line ≈ 34; 7×7 27 → 31, on Zen 5; a 3×3 on 3 channels, 9 floats, gained
 * only ≈ 4 %, not worth its code in every page's bundle).
 */
@inline
function rowsListShort(len: i32, segs: i32, list: usize, lda: usize, bp: usize, ldb: usize, c: usize, ldc: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let s = 0; s < segs; s++) {
    const e = list + (<usize>s << 3);
    const a0 = load<usize>(e);
    const a1 = a0 + lda;
    const a2 = a1 + lda;
    const a3 = a2 + lda;
    const a4 = a3 + lda;
    const a5 = a4 + lda;
    let b = bp + <usize>load<i32>(e, 4) * ldb;
      {
      const b0 = v128.load(b, 0);
      const b1 = v128.load(b, 16);
      let av = v128.load32_splat(a0, 0);
      c00 = madd(av, b0, c00);
      c01 = madd(av, b1, c01);
      av = v128.load32_splat(a1, 0);
      c10 = madd(av, b0, c10);
      c11 = madd(av, b1, c11);
      av = v128.load32_splat(a2, 0);
      c20 = madd(av, b0, c20);
      c21 = madd(av, b1, c21);
      av = v128.load32_splat(a3, 0);
      c30 = madd(av, b0, c30);
      c31 = madd(av, b1, c31);
      av = v128.load32_splat(a4, 0);
      c40 = madd(av, b0, c40);
      c41 = madd(av, b1, c41);
      av = v128.load32_splat(a5, 0);
      c50 = madd(av, b0, c50);
      c51 = madd(av, b1, c51);
      b += ldb;
      }
      if (len > 1) {
        const b0 = v128.load(b, 0);
        const b1 = v128.load(b, 16);
        let av = v128.load32_splat(a0, 4);
        c00 = madd(av, b0, c00);
        c01 = madd(av, b1, c01);
        av = v128.load32_splat(a1, 4);
        c10 = madd(av, b0, c10);
        c11 = madd(av, b1, c11);
        av = v128.load32_splat(a2, 4);
        c20 = madd(av, b0, c20);
        c21 = madd(av, b1, c21);
        av = v128.load32_splat(a3, 4);
        c30 = madd(av, b0, c30);
        c31 = madd(av, b1, c31);
        av = v128.load32_splat(a4, 4);
        c40 = madd(av, b0, c40);
        c41 = madd(av, b1, c41);
        av = v128.load32_splat(a5, 4);
        c50 = madd(av, b0, c50);
        c51 = madd(av, b1, c51);
        b += ldb;
      }
      if (len > 2) {
        const b0 = v128.load(b, 0);
        const b1 = v128.load(b, 16);
        let av = v128.load32_splat(a0, 8);
        c00 = madd(av, b0, c00);
        c01 = madd(av, b1, c01);
        av = v128.load32_splat(a1, 8);
        c10 = madd(av, b0, c10);
        c11 = madd(av, b1, c11);
        av = v128.load32_splat(a2, 8);
        c20 = madd(av, b0, c20);
        c21 = madd(av, b1, c21);
        av = v128.load32_splat(a3, 8);
        c30 = madd(av, b0, c30);
        c31 = madd(av, b1, c31);
        av = v128.load32_splat(a4, 8);
        c40 = madd(av, b0, c40);
        c41 = madd(av, b1, c41);
        av = v128.load32_splat(a5, 8);
        c50 = madd(av, b0, c50);
        c51 = madd(av, b1, c51);
        b += ldb;
      }
      if (len > 3) {
        const b0 = v128.load(b, 0);
        const b1 = v128.load(b, 16);
        let av = v128.load32_splat(a0, 12);
        c00 = madd(av, b0, c00);
        c01 = madd(av, b1, c01);
        av = v128.load32_splat(a1, 12);
        c10 = madd(av, b0, c10);
        c11 = madd(av, b1, c11);
        av = v128.load32_splat(a2, 12);
        c20 = madd(av, b0, c20);
        c21 = madd(av, b1, c21);
        av = v128.load32_splat(a3, 12);
        c30 = madd(av, b0, c30);
        c31 = madd(av, b1, c31);
        av = v128.load32_splat(a4, 12);
        c40 = madd(av, b0, c40);
        c41 = madd(av, b1, c41);
        av = v128.load32_splat(a5, 12);
        c50 = madd(av, b0, c50);
        c51 = madd(av, b1, c51);
        b += ldb;
      }
      if (len > 4) {
        const b0 = v128.load(b, 0);
        const b1 = v128.load(b, 16);
        let av = v128.load32_splat(a0, 16);
        c00 = madd(av, b0, c00);
        c01 = madd(av, b1, c01);
        av = v128.load32_splat(a1, 16);
        c10 = madd(av, b0, c10);
        c11 = madd(av, b1, c11);
        av = v128.load32_splat(a2, 16);
        c20 = madd(av, b0, c20);
        c21 = madd(av, b1, c21);
        av = v128.load32_splat(a3, 16);
        c30 = madd(av, b0, c30);
        c31 = madd(av, b1, c31);
        av = v128.load32_splat(a4, 16);
        c40 = madd(av, b0, c40);
        c41 = madd(av, b1, c41);
        av = v128.load32_splat(a5, 16);
        c50 = madd(av, b0, c50);
        c51 = madd(av, b1, c51);
        b += ldb;
      }
      if (len > 5) {
        const b0 = v128.load(b, 0);
        const b1 = v128.load(b, 16);
        let av = v128.load32_splat(a0, 20);
        c00 = madd(av, b0, c00);
        c01 = madd(av, b1, c01);
        av = v128.load32_splat(a1, 20);
        c10 = madd(av, b0, c10);
        c11 = madd(av, b1, c11);
        av = v128.load32_splat(a2, 20);
        c20 = madd(av, b0, c20);
        c21 = madd(av, b1, c21);
        av = v128.load32_splat(a3, 20);
        c30 = madd(av, b0, c30);
        c31 = madd(av, b1, c31);
        av = v128.load32_splat(a4, 20);
        c40 = madd(av, b0, c40);
        c41 = madd(av, b1, c41);
        av = v128.load32_splat(a5, 20);
        c50 = madd(av, b0, c50);
        c51 = madd(av, b1, c51);
        b += ldb;
      }
      if (len > 6) {
        const b0 = v128.load(b, 0);
        const b1 = v128.load(b, 16);
        let av = v128.load32_splat(a0, 24);
        c00 = madd(av, b0, c00);
        c01 = madd(av, b1, c01);
        av = v128.load32_splat(a1, 24);
        c10 = madd(av, b0, c10);
        c11 = madd(av, b1, c11);
        av = v128.load32_splat(a2, 24);
        c20 = madd(av, b0, c20);
        c21 = madd(av, b1, c21);
        av = v128.load32_splat(a3, 24);
        c30 = madd(av, b0, c30);
        c31 = madd(av, b1, c31);
        av = v128.load32_splat(a4, 24);
        c40 = madd(av, b0, c40);
        c41 = madd(av, b1, c41);
        av = v128.load32_splat(a5, 24);
        c50 = madd(av, b0, c50);
        c51 = madd(av, b1, c51);
        b += ldb;
      }
  }
  storeBlock(c, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
}

function rowsList3(segs: i32, list: usize, lda: usize, bp: usize, ldb: usize, c: usize, ldc: usize): void {
  rowsListShort(3, segs, list, lda, bp, ldb, c, ldc);
}

function rowsList5(segs: i32, list: usize, lda: usize, bp: usize, ldb: usize, c: usize, ldc: usize): void {
  rowsListShort(5, segs, list, lda, bp, ldb, c, ldc);
}

function rowsList7(segs: i32, list: usize, lda: usize, bp: usize, ldb: usize, c: usize, ldc: usize): void {
  rowsListShort(7, segs, list, lda, bp, ldb, c, ldc);
}

/** `kernelRowsList`, one step per iteration. */
function rowsList1(segs: i32, len: i32, list: usize, lda: usize, bp: usize, ldb: usize, c: usize, ldc: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let s = 0; s < segs; s++) {
    const e = list + (<usize>s << 3);
    let a0 = load<usize>(e);
    let a1 = a0 + lda;
    let a2 = a1 + lda;
    let a3 = a2 + lda;
    let a4 = a3 + lda;
    let a5 = a4 + lda;
    let b = bp + <usize>load<i32>(e, 4) * ldb;
    for (let p = 0; p < len; p += 1) {
      {
        const b0 = v128.load(b, 0);
        const b1 = v128.load(b, 16);
        let av = v128.load32_splat(a0, 0);
        c00 = madd(av, b0, c00);
        c01 = madd(av, b1, c01);
        av = v128.load32_splat(a1, 0);
        c10 = madd(av, b0, c10);
        c11 = madd(av, b1, c11);
        av = v128.load32_splat(a2, 0);
        c20 = madd(av, b0, c20);
        c21 = madd(av, b1, c21);
        av = v128.load32_splat(a3, 0);
        c30 = madd(av, b0, c30);
        c31 = madd(av, b1, c31);
        av = v128.load32_splat(a4, 0);
        c40 = madd(av, b0, c40);
        c41 = madd(av, b1, c41);
        av = v128.load32_splat(a5, 0);
        c50 = madd(av, b0, c50);
        c51 = madd(av, b1, c51);
        b += ldb;
      }
      a0 += 4;
      a1 += 4;
      a2 += 4;
      a3 += 4;
      a4 += 4;
      a5 += 4;
    }
  }
  storeBlock(c, ldc, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51);
}

/** `kernelRowsList`, two steps per iteration (len even). */
function rowsList2(segs: i32, len: i32, list: usize, lda: usize, bp: usize, ldb: usize, c: usize, ldc: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let s = 0; s < segs; s++) {
    const e = list + (<usize>s << 3);
    let a0 = load<usize>(e);
    let a1 = a0 + lda;
    let a2 = a1 + lda;
    let a3 = a2 + lda;
    let a4 = a3 + lda;
    let a5 = a4 + lda;
    let b = bp + <usize>load<i32>(e, 4) * ldb;
    for (let p = 0; p < len; p += 2) {
      {
        const b0 = v128.load(b, 0);
        const b1 = v128.load(b, 16);
        let av = v128.load32_splat(a0, 0);
        c00 = madd(av, b0, c00);
        c01 = madd(av, b1, c01);
        av = v128.load32_splat(a1, 0);
        c10 = madd(av, b0, c10);
        c11 = madd(av, b1, c11);
        av = v128.load32_splat(a2, 0);
        c20 = madd(av, b0, c20);
        c21 = madd(av, b1, c21);
        av = v128.load32_splat(a3, 0);
        c30 = madd(av, b0, c30);
        c31 = madd(av, b1, c31);
        av = v128.load32_splat(a4, 0);
        c40 = madd(av, b0, c40);
        c41 = madd(av, b1, c41);
        av = v128.load32_splat(a5, 0);
        c50 = madd(av, b0, c50);
        c51 = madd(av, b1, c51);
        b += ldb;
      }
      {
        const b0 = v128.load(b, 0);
        const b1 = v128.load(b, 16);
        let av = v128.load32_splat(a0, 4);
        c00 = madd(av, b0, c00);
        c01 = madd(av, b1, c01);
        av = v128.load32_splat(a1, 4);
        c10 = madd(av, b0, c10);
        c11 = madd(av, b1, c11);
        av = v128.load32_splat(a2, 4);
        c20 = madd(av, b0, c20);
        c21 = madd(av, b1, c21);
        av = v128.load32_splat(a3, 4);
        c30 = madd(av, b0, c30);
        c31 = madd(av, b1, c31);
        av = v128.load32_splat(a4, 4);
        c40 = madd(av, b0, c40);
        c41 = madd(av, b1, c41);
        av = v128.load32_splat(a5, 4);
        c50 = madd(av, b0, c50);
        c51 = madd(av, b1, c51);
        b += ldb;
      }
      a0 += 8;
      a1 += 8;
      a2 += 8;
      a3 += 8;
      a4 += 8;
      a5 += 8;
    }
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
