/*
 * Copies and fills on float32 runs in linear memory. Addresses are byte offsets; lengths
 * are in floats. Runs in the conv kernels are one channel vector (a few to a few hundred
 * floats), too short for memory.copy's call overhead to pay, so the body is unrolled v128 moves.
 */

/** `dst[0 : n] = src[0 : n]` (the ranges must not overlap). */
@inline
export function copyF32(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const o = <usize>i << 2;
    v128.store(dst + o, v128.load(src + o), 0);
    v128.store(dst + o, v128.load(src + o, 16), 16);
    v128.store(dst + o, v128.load(src + o, 32), 32);
    v128.store(dst + o, v128.load(src + o, 48), 48);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, v128.load(src + o));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(src + o));
  }
}

/** `dst[0 : n] = 0`. */
@inline
export function zeroF32(dst: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const o = <usize>i << 2;
    v128.store(dst + o, z, 0);
    v128.store(dst + o, z, 16);
    v128.store(dst + o, z, 32);
    v128.store(dst + o, z, 48);
  }
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), z);
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}

/** Exported for the JS side: `dst[0 : n] = src[0 : n]`, non-overlapping. */
export function copy(dst: usize, src: usize, n: i32): void {
  copyF32(dst, src, n);
}

/** Exported for the JS side: `dst[0 : n] = 0`. */
export function zero(dst: usize, n: i32): void {
  zeroF32(dst, n);
}
