/*
 * 3×3 convolutions at stride 1 by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2016). A 2×2 tile of outputs is
 *
 *     Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
 *
 * for the 4×4 input tile d and each 3×3 filter slice g, with
 *
 *     Bᵀ = | 1  0 −1  0 |     G = | 1    0    0  |     Aᵀ = | 1  1  1  0 |
 *          | 0  1  1  0 |         | ½    ½    ½  |          | 0  1 −1 −1 |
 *          | 0 −1  1  0 |         | ½   −½    ½  |
 *          | 0  1  0 −1 |         | 0    0    1  |
 *
 * Summed over input channels, the 16 elementwise products become 16 GEMMs
 * M_e[tile, co] = Σ_ci V_e[tile, ci] · U_e[ci, co] (V = Bᵀ d B, U = G g Gᵀ), run on the same 6×8
 * register block as the direct kernels: 16 multiply-adds per 4 outputs instead of 36 (2.25×
 * fewer), for transforms that cost only additions. Its rounding stays close to the direct sum:
 * Bᵀ and Aᵀ hold only 0 and ±1, G only 0, ±½ and 1.
 *
 * Dilation keeps the algorithm: a tile is the outputs (i, j), (i, j + dw), (i + dh, j),
 * (i + dh, j + dw), and its input tile the 4×4 pixels dh and dw apart. Tile rows are numbered so
 * that the tile rows of one residue class of i mod dh come in order:
 * tile row r starts at output row ⌊r / dh⌋·2dh + (r mod dh). Tiles that reach past the output
 * (odd sizes) are computed whole and written in part.
 *
 * A chunk is a run of consecutive tiles (a multiple of 6, so that the GEMMs run whole blocks):
 * its V and M live in the calling thread's scratch, sized to stay in L2.
 */
import { Geometry } from './geometry';
import { kernelColsAdd, kernelRows } from './gemm';
import { zeroF32 } from './memory';

/** What both chunk functions read: the geometry, the tensor the windows slide over, the tile grid. */
@unmanaged
class Tiles extends Geometry {
  x: i32;
  tilesH: i32;
  tilesW: i32;
  scratch: i32;
  scratchStride: i32;
  chunkTiles: i32;
  /** inC rounded up (V's row width: its tail channels are 0). */
  cp: i32;
  /** outC rounded up (M's or Z's row width). */
  op: i32;
}

@unmanaged
class WinogradArgs extends Tiles {
  /** U = G g Gᵀ as 16 blocks of `cp × op` (cp = inC rounded up to 4, op = outC to 8), each packed in 8-column panels. */
  u: i32;
  y: i32;
}

@unmanaged
class FilterArgs extends Tiles {
  dy: i32;
  /** The groups' accumulators Ŵ_eᵀ: 16 blocks of `op × cp` (cp = inC rounded up to 8, op = outC to 12), `accStride` bytes per group. */
  acc: i32;
  accStride: i32;
  groupChunks: i32;
}

/** Bytes of a thread's scratch for `tiles` tiles per chunk: V (16 × tiles × cp), M or Z (16 × tiles × op), a 4×4 tile of vectors. */
export function winogradScratchBytes(tiles: i32, cp: i32, op: i32): i32 {
  return 64 * tiles * (cp + op) + 256;
}

/** The 4 floats at `p`, of which the first `n` are read (the rest 0). */
function loadPart(p: usize, n: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Input pixel (row base, column) → the channel vector at channel c; 0 outside x. */
@inline
function pixel(x: usize, row: i32, col: i32, inC: i32, c: i32, part: i32): v128 {
  if (row < 0 || col < 0) return f32x4.splat(0);
  const p = x + (<usize>((row + col) * inC + c) << 2);
  return part === 4 ? v128.load(p) : loadPart(p, part);
}

/**
 * U_e = G g Gᵀ for every (ci, co): filter element (a, b, ci, co) at
 * `w + a·sa + b·sb + ci·sc + co·so` (byte strides, signed: the input gradient reads the filter
 * rotated and with its channels swapped). Written packed for `kernelRows` (panels of 8 co, K = cp);
 * rows ci ≥ inC and columns co ≥ outC are 0.
 */
export function winogradFilter(w: usize, sa: i32, sb: i32, sc: i32, so: i32, inC: i32, outC: i32, cp: i32, op: i32, u: usize): void {
  const block = <usize>cp * <usize>op << 2;
  zeroF32(u, 16 * cp * op);
  for (let ci = 0; ci < inC; ci++) {
    for (let co = 0; co < outC; co++) {
      const base = w + <usize>(ci * sc + co * so);
      // g, then t = G g (4×3), then U = t Gᵀ (4×4).
      const g00 = load<f32>(base), g01 = load<f32>(base + <usize>sb), g02 = load<f32>(base + <usize>(2 * sb));
      const r1 = base + <usize>sa, r2 = base + <usize>(2 * sa);
      const g10 = load<f32>(r1), g11 = load<f32>(r1 + <usize>sb), g12 = load<f32>(r1 + <usize>(2 * sb));
      const g20 = load<f32>(r2), g21 = load<f32>(r2 + <usize>sb), g22 = load<f32>(r2 + <usize>(2 * sb));
      const t00 = g00, t01 = g01, t02 = g02;
      const t10 = <f32>0.5 * (g00 + g10 + g20), t11 = <f32>0.5 * (g01 + g11 + g21), t12 = <f32>0.5 * (g02 + g12 + g22);
      const t20 = <f32>0.5 * (g00 - g10 + g20), t21 = <f32>0.5 * (g01 - g11 + g21), t22 = <f32>0.5 * (g02 - g12 + g22);
      const t30 = g20, t31 = g21, t32 = g22;
      const dst = u + ((<usize>(co >> 3) * <usize>cp * 8 + <usize>ci * 8 + <usize>(co & 7)) << 2);
      storeRow(dst, block, 0, t00, t01, t02);
      storeRow(dst, block, 4, t10, t11, t12);
      storeRow(dst, block, 8, t20, t21, t22);
      storeRow(dst, block, 12, t30, t31, t32);
    }
  }
}

/** Row `e0 / 4` of U = t Gᵀ: blocks e0 … e0 + 3. */
@inline
function storeRow(dst: usize, block: usize, e0: i32, t0: f32, t1: f32, t2: f32): void {
  store<f32>(dst + <usize>e0 * block, t0);
  store<f32>(dst + <usize>(e0 + 1) * block, <f32>0.5 * (t0 + t1 + t2));
  store<f32>(dst + <usize>(e0 + 2) * block, <f32>0.5 * (t0 - t1 + t2));
  store<f32>(dst + <usize>(e0 + 3) * block, t2);
}

/** Output row of tile row r: ⌊r / dh⌋·2dh + (r mod dh). */
@inline
function tileRow(r: i32, dh: i32): i32 {
  return dh === 1 ? r << 1 : (r / dh) * 2 * dh + (r % dh);
}

/** Tiles `[chunk·chunkTiles, …)`: input transforms, 16 GEMMs, output transforms. */
export function convWinograd(args: usize, chunk: i32, thread: i32): void {
  const g = changetype<WinogradArgs>(args);
  const perImage = g.tilesH * g.tilesW;
  const t0 = chunk * g.chunkTiles;
  const count = min(g.chunkTiles, g.batch * perImage - t0);
  if (count <= 0) return;
  const rows = (count + 5) / 6 * 6;
  const cp = g.cp;
  const op = g.op;
  const v = <usize>g.scratch + <usize>thread * <usize>g.scratchStride;
  const m = v + (<usize>(16 * g.chunkTiles * cp) << 2);
  const eStrideV = <usize>(g.chunkTiles * cp) << 2;
  const eStrideM = <usize>(g.chunkTiles * op) << 2;
  const dh = g.dh;
  const dw = g.dw;
  inputTransforms(g, t0, count, v, eStrideV, cp, v + (<usize>(16 * g.chunkTiles * (cp + op)) << 2));
  for (let t = count; t < rows; t++) {
    for (let e = 0; e < 16; e++) zeroF32(v + <usize>e * eStrideV + (<usize>(t * cp) << 2), cp);
  }

  // ── 16 GEMMs: M_e = V_e · U_e ──
  const uBlock = <usize>cp * <usize>op << 2;
  const lda = <usize>cp << 2;
  const ldc = <usize>op << 2;
  for (let e = 0; e < 16; e++) {
    const ve = v + <usize>e * eStrideV;
    const me = m + <usize>e * eStrideM;
    const ue = <usize>g.u + <usize>e * uBlock;
    for (let r = 0; r < rows; r += 6) {
      const a = ve + <usize>r * lda;
      const c = me + <usize>r * ldc;
      for (let q = 0; q < op; q += 8) {
        kernelRows(cp, a, lda, ue + (<usize>q * <usize>cp << 2), 32, c + (<usize>q << 2), ldc);
      }
    }
  }

  // ── output transforms: Y = Aᵀ M A ──
  let n = t0 / perImage;
  const rest = t0 - n * perImage;
  let tr = rest / g.tilesW;
  let tc = rest - tr * g.tilesW;
  const outC = g.outC;
  const y = <usize>g.y;
  for (let t = 0; t < count; t++) {
    const i = tileRow(tr, dh);
    const j = tileRow(tc, dw);
    const rowOk1 = i + dh < g.outH;
    const colOk1 = j + dw < g.outW;
    if (i < g.outH && j < g.outW) {
      const y00 = y + (<usize>(((n * g.outH + i) * g.outW + j) * outC) << 2);
      const y01 = y00 + (<usize>(dw * outC) << 2);
      const y10 = y00 + (<usize>(dh * g.outW * outC) << 2);
      const y11 = y10 + (<usize>(dw * outC) << 2);
      const src = m + (<usize>(t * op) << 2);
      for (let o = 0; o < outC; o += 4) {
        const s = src + (<usize>o << 2);
        const m0 = v128.load(s), m1 = v128.load(s + eStrideM), m2 = v128.load(s + 2 * eStrideM), m3 = v128.load(s + 3 * eStrideM);
        const m4 = v128.load(s + 4 * eStrideM), m5 = v128.load(s + 5 * eStrideM), m6 = v128.load(s + 6 * eStrideM), m7 = v128.load(s + 7 * eStrideM);
        const m8 = v128.load(s + 8 * eStrideM), m9 = v128.load(s + 9 * eStrideM), m10 = v128.load(s + 10 * eStrideM), m11 = v128.load(s + 11 * eStrideM);
        const m12 = v128.load(s + 12 * eStrideM), m13 = v128.load(s + 13 * eStrideM), m14 = v128.load(s + 14 * eStrideM), m15 = v128.load(s + 15 * eStrideM);
        // Aᵀ M: row 0 = m(0·) + m(1·) + m(2·), row 1 = m(1·) − m(2·) − m(3·).
        const a00 = f32x4.add(f32x4.add(m0, m4), m8), a01 = f32x4.add(f32x4.add(m1, m5), m9);
        const a02 = f32x4.add(f32x4.add(m2, m6), m10), a03 = f32x4.add(f32x4.add(m3, m7), m11);
        const a10 = f32x4.sub(f32x4.sub(m4, m8), m12), a11 = f32x4.sub(f32x4.sub(m5, m9), m13);
        const a12 = f32x4.sub(f32x4.sub(m6, m10), m14), a13 = f32x4.sub(f32x4.sub(m7, m11), m15);
        const part = min(4, outC - o);
        const off = <usize>o << 2;
        storePart(y00 + off, f32x4.add(f32x4.add(a00, a01), a02), part);
        if (colOk1) storePart(y01 + off, f32x4.sub(f32x4.sub(a01, a02), a03), part);
        if (rowOk1) {
          storePart(y10 + off, f32x4.add(f32x4.add(a10, a11), a12), part);
          if (colOk1) storePart(y11 + off, f32x4.sub(f32x4.sub(a11, a12), a13), part);
        }
      }
    }
    if (++tc === g.tilesW) {
      tc = 0;
      if (++tr === g.tilesH) {
        tr = 0;
        n++;
      }
    }
  }
}


/**
 * The filter gradient of the groups' chunks of tiles: by the transposition principle, the
 * adjoint of w ↦ Aᵀ[(G w Gᵀ) ⊙ V]A is dy ↦ Gᵀ[(A dy Aᵀ) ⊙ V]G, so with Z = A dy Aᵀ per tile
 *
 *     Ŵ_e[ci, co] = Σ_tiles V_e[tile, ci] · Z_e[tile, co],   dw = Gᵀ Ŵ G   (winogradFilterSum)
 *
 * — again 16 multiply-adds per 2×2 outputs per (ci, co) instead of 36. Group `group` adds its
 * chunks in order into its own accumulator (zeroed by the caller), so the sum does not depend
 * on which thread ran which group.
 */
export function convWinogradFilter(args: usize, group: i32, thread: i32): void {
  const g = changetype<FilterArgs>(args);
  const tiles = g.batch * g.tilesH * g.tilesW;
  const per = g.chunkTiles;
  const cp = g.cp;
  const op = g.op;
  const v = <usize>g.scratch + <usize>thread * <usize>g.scratchStride;
  const z = v + (<usize>(16 * per * cp) << 2);
  const eStrideV = <usize>(per * cp) << 2;
  const eStrideZ = <usize>(per * op) << 2;
  const acc = <usize>g.acc + <usize>group * <usize>g.accStride;
  const block = <usize>(cp * op) << 2;
  const ldv = <usize>cp << 2;
  const ldz = <usize>op << 2;
  const first = group * g.groupChunks;
  for (let chunk = first; chunk < first + g.groupChunks; chunk++) {
    const t0 = chunk * per;
    const count = min(per, tiles - t0);
    if (count <= 0) break;
    inputTransforms(g, t0, count, v, eStrideV, cp, v + (<usize>(16 * per * (cp + op)) << 2));
    gradientTransforms(g, t0, count, z, eStrideZ, op);
    for (let e = 0; e < 16; e++) {
      const ze = z + <usize>e * eStrideZ;
      const ve = v + <usize>e * eStrideV;
      const ae = acc + <usize>e * block;
      for (let co = 0; co < op; co += 6) {
        for (let ci = 0; ci < cp; ci += 8) {
          kernelColsAdd(count, ze + (<usize>co << 2), ldz, ve + (<usize>ci << 2), ldv, ae + (<usize>(co * cp + ci) << 2), ldv);
        }
      }
    }
  }
}

/**
 * Z_e[t, ·] = (A dy Aᵀ)_e for the `count` tiles from `t0`: dy's 2×2 outputs of the tile (0 past
 * the edge), `width` floats per tile (channels from outC on are 0).
 */
function gradientTransforms(g: FilterArgs, t0: i32, count: i32, z: usize, eStride: usize, width: i32): void {
  const perImage = g.tilesH * g.tilesW;
  const outC = g.outC;
  const dy = <usize>g.dy;
  let n = t0 / perImage;
  const rest = t0 - n * perImage;
  let tr = rest / g.tilesW;
  let tc = rest - tr * g.tilesW;
  const zero = f32x4.splat(0);
  for (let t = 0; t < count; t++) {
    const i = tileRow(tr, g.dh);
    const j = tileRow(tc, g.dw);
    const ok00 = i < g.outH && j < g.outW;
    const ok01 = ok00 && j + g.dw < g.outW;
    const ok10 = ok00 && i + g.dh < g.outH;
    const ok11 = ok01 && ok10;
    const p00 = dy + (<usize>(((n * g.outH + i) * g.outW + j) * outC) << 2);
    const p01 = p00 + (<usize>(g.dw * outC) << 2);
    const p10 = p00 + (<usize>(g.dh * g.outW * outC) << 2);
    const p11 = p10 + (<usize>(g.dw * outC) << 2);
    const dst = z + (<usize>(t * width) << 2);
    for (let c = 0; c < width; c += 4) {
      const part = min(4, outC - c);
      const off = <usize>c << 2;
      const d00 = ok00 && part > 0 ? (part === 4 ? v128.load(p00 + off) : loadPart(p00 + off, part)) : zero;
      const d01 = ok01 && part > 0 ? (part === 4 ? v128.load(p01 + off) : loadPart(p01 + off, part)) : zero;
      const d10 = ok10 && part > 0 ? (part === 4 ? v128.load(p10 + off) : loadPart(p10 + off, part)) : zero;
      const d11 = ok11 && part > 0 ? (part === 4 ? v128.load(p11 + off) : loadPart(p11 + off, part)) : zero;
      // A d: rows (d0, d0 + d1, d0 − d1, −d1); then (A d) Aᵀ along the columns, the same.
      gradientRow(dst + off, eStride, 0, d00, d01);
      gradientRow(dst + off, eStride, 4, f32x4.add(d00, d10), f32x4.add(d01, d11));
      gradientRow(dst + off, eStride, 8, f32x4.sub(d00, d10), f32x4.sub(d01, d11));
      gradientRow(dst + off, eStride, 12, f32x4.neg(d10), f32x4.neg(d11));
    }
    if (++tc === g.tilesW) {
      tc = 0;
      if (++tr === g.tilesH) {
        tr = 0;
        n++;
      }
    }
  }
}

/** Row e0 / 4 of Z from the row (u0, u1) of A dy: (u0, u0 + u1, u0 − u1, −u1). */
@inline
function gradientRow(o: usize, stride: usize, e0: i32, u0: v128, u1: v128): void {
  const base = o + <usize>e0 * stride;
  v128.store(base, u0);
  v128.store(base + stride, f32x4.add(u0, u1));
  v128.store(base + 2 * stride, f32x4.sub(u0, u1));
  v128.store(base + 3 * stride, f32x4.neg(u1));
}

/**
 * dw[a, b, ci, co] = (Gᵀ Ŵ G)[a, b] with Ŵ_e[ci, co] the sum over the `groups` accumulators
 * (in order) of Ŵ_eᵀ[co, ci].
 */
export function winogradFilterSum(acc: usize, accStride: i32, groups: i32, inC: i32, outC: i32, cp: i32, op: i32, dw: usize): void {
  const block = <usize>(cp * op) << 2;
  const tap = <usize>(inC * outC) << 2;
  for (let co = 0; co < outC; co++) {
    for (let ci = 0; ci < inC; ci++) {
      const src = acc + (<usize>(co * cp + ci) << 2);
      // r_a′b = (Ŵ G)[a′, b] from Ŵ's row a′ (blocks 4a′ … 4a′ + 3); then dw = Gᵀ r.
      let w0 = sumGroups(src, 0, block, accStride, groups), w1 = sumGroups(src, 1, block, accStride, groups);
      let w2 = sumGroups(src, 2, block, accStride, groups), w3 = sumGroups(src, 3, block, accStride, groups);
      const r00 = w0 + <f32>0.5 * (w1 + w2), r01 = <f32>0.5 * (w1 - w2), r02 = <f32>0.5 * (w1 + w2) + w3;
      w0 = sumGroups(src, 4, block, accStride, groups); w1 = sumGroups(src, 5, block, accStride, groups);
      w2 = sumGroups(src, 6, block, accStride, groups); w3 = sumGroups(src, 7, block, accStride, groups);
      const r10 = w0 + <f32>0.5 * (w1 + w2), r11 = <f32>0.5 * (w1 - w2), r12 = <f32>0.5 * (w1 + w2) + w3;
      w0 = sumGroups(src, 8, block, accStride, groups); w1 = sumGroups(src, 9, block, accStride, groups);
      w2 = sumGroups(src, 10, block, accStride, groups); w3 = sumGroups(src, 11, block, accStride, groups);
      const r20 = w0 + <f32>0.5 * (w1 + w2), r21 = <f32>0.5 * (w1 - w2), r22 = <f32>0.5 * (w1 + w2) + w3;
      w0 = sumGroups(src, 12, block, accStride, groups); w1 = sumGroups(src, 13, block, accStride, groups);
      w2 = sumGroups(src, 14, block, accStride, groups); w3 = sumGroups(src, 15, block, accStride, groups);
      const r30 = w0 + <f32>0.5 * (w1 + w2), r31 = <f32>0.5 * (w1 - w2), r32 = <f32>0.5 * (w1 + w2) + w3;
      const out = dw + (<usize>(ci * outC + co) << 2);
      store<f32>(out, r00 + <f32>0.5 * (r10 + r20));
      store<f32>(out + tap, r01 + <f32>0.5 * (r11 + r21));
      store<f32>(out + 2 * tap, r02 + <f32>0.5 * (r12 + r22));
      store<f32>(out + 3 * tap, <f32>0.5 * (r10 - r20));
      store<f32>(out + 4 * tap, <f32>0.5 * (r11 - r21));
      store<f32>(out + 5 * tap, <f32>0.5 * (r12 - r22));
      store<f32>(out + 6 * tap, <f32>0.5 * (r10 + r20) + r30);
      store<f32>(out + 7 * tap, <f32>0.5 * (r11 + r21) + r31);
      store<f32>(out + 8 * tap, <f32>0.5 * (r12 + r22) + r32);
    }
  }
}

@inline
function sumGroups(src: usize, e: i32, block: usize, accStride: i32, groups: i32): f32 {
  const p = src + <usize>e * block;
  let s = load<f32>(p);
  for (let t = 1; t < groups; t++) s += load<f32>(p + <usize>t * <usize>accStride);
  return s;
}

/**
 * V_e[t, ·] = (Bᵀ d B)_e for the `count` tiles from tile `t0`: tile t's `width` floats (channels
 * from inC on are 0) at `v + e·eStride + t·width·4`.
 */
function inputTransforms(g: Tiles, t0: i32, count: i32, v: usize, eStrideV: usize, cp: i32, buf: usize): void {
  const perImage = g.tilesH * g.tilesW;
  const inC = g.inC;
  const x = <usize>g.x;
  const dh = g.dh;
  const dw = g.dw;
  let n = t0 / perImage;
  let rest = t0 - n * perImage;
  let tr = rest / g.tilesW;
  let tc = rest - tr * g.tilesW;
  for (let t = 0; t < count; t++) {
    const i0 = tileRow(tr, dh) - g.pt;
    const j0 = tileRow(tc, dw) - g.pl;
    // Row bases (pixel index of the row's column 0) and columns; −1 outside x.
    const imageRow = n * g.inH;
    let r0 = -1, r1 = -1, r2 = -1, r3 = -1;
    let c0 = -1, c1 = -1, c2 = -1, c3 = -1;
    let ih = i0;
    if (ih >= 0 && ih < g.inH) r0 = (imageRow + ih) * g.inW;
    ih += dh;
    if (ih >= 0 && ih < g.inH) r1 = (imageRow + ih) * g.inW;
    ih += dh;
    if (ih >= 0 && ih < g.inH) r2 = (imageRow + ih) * g.inW;
    ih += dh;
    if (ih >= 0 && ih < g.inH) r3 = (imageRow + ih) * g.inW;
    let iw = j0;
    if (iw >= 0 && iw < g.inW) c0 = iw;
    iw += dw;
    if (iw >= 0 && iw < g.inW) c1 = iw;
    iw += dw;
    if (iw >= 0 && iw < g.inW) c2 = iw;
    iw += dw;
    if (iw >= 0 && iw < g.inW) c3 = iw;
    const dst = v + (<usize>(t * cp) << 2);
    for (let c = 0; c < cp; c += 4) {
      const part = min(4, inC - c);
      const o = dst + (<usize>c << 2);
      if (part <= 0) {
        const z = f32x4.splat(0);
        for (let e = 0; e < 16; e++) v128.store(o + <usize>e * eStrideV, z);
        continue;
      }
      // Bᵀ d column by column into buf (row t′, column s at buf + (4t′ + s)·16): rows
      // (d0 − d2, d1 + d2, d2 − d1, d1 − d3); then each row of it times B into V.
      for (let k = 0; k < 4; k++) {
        const col = k === 0 ? c0 : k === 1 ? c1 : k === 2 ? c2 : c3;
        const d0 = pixel(x, r0, col, inC, c, part);
        const d1 = pixel(x, r1, col, inC, c, part);
        const d2 = pixel(x, r2, col, inC, c, part);
        const d3 = pixel(x, r3, col, inC, c, part);
        const b = buf + (<usize>k << 4);
        v128.store(b, f32x4.sub(d0, d2));
        v128.store(b, f32x4.add(d1, d2), 64);
        v128.store(b, f32x4.sub(d2, d1), 128);
        v128.store(b, f32x4.sub(d1, d3), 192);
      }
      for (let k = 0; k < 4; k++) {
        const b = buf + (<usize>k << 6);
        const s0 = v128.load(b), s1 = v128.load(b, 16), s2 = v128.load(b, 32), s3 = v128.load(b, 48);
        const base = o + <usize>(k << 2) * eStrideV;
        v128.store(base, f32x4.sub(s0, s2));
        v128.store(base + eStrideV, f32x4.add(s1, s2));
        v128.store(base + 2 * eStrideV, f32x4.sub(s2, s1));
        v128.store(base + 3 * eStrideV, f32x4.sub(s1, s3));
      }
    }
    if (++tc === g.tilesW) {
      tc = 0;
      if (++tr === g.tilesH) {
        tr = 0;
        n++;
      }
    }
  }
}

/** Stores the first `n` lanes of `v` at `p`. */
function storePart(p: usize, v: v128, n: i32): void {
  if (n === 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}
