/*
 * 3×3 and 5×5 convolutions at stride 1 by Winograd's minimal filtering F(m×m, r×r) (Lavin &
 * Gray, "Fast Algorithms for Convolutional Neural Networks", 2016). With α = r + m − 1, an m×m
 * tile of outputs is
 *
 *     Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
 *
 * for the α×α input tile d and each r×r filter slice g. F(2×2, 3×3) (α = 4, points 0, ±1, ∞):
 *
 *     Bᵀ = | 1  0 −1  0 |     G = | 1    0    0  |     Aᵀ = | 1  1  1  0 |
 *          | 0  1  1  0 |         | ½    ½    ½  |          | 0  1 −1 −1 |
 *          | 0 −1  1  0 |         | ½   −½    ½  |
 *          | 0  1  0 −1 |         | 0    0    1  |
 *
 * F(2×2, 5×5) (α = 6, points 0, ±1, ±2, ∞; the Bᵀ of F(4×4, 3×3), which runs 3×3 convs whose
 * output is not too small, with G and Aᵀ in `applyG` and `applyAT`; 5×5 convs whose output is
 * not too small run F(4×4, 5×5), α = 8, below `bt8`):
 *
 *     Bᵀ = | 4  0 −5  0  1  0 |     G = |  ¼     0     0    0    0  |    Aᵀ = | 1  1  1  1  1  0 |
 *          | 0 −4 −4  1  1  0 |         | −⅙    −⅙    −⅙   −⅙   −⅙  |         | 0  1 −1  2 −2  1 |
 *          | 0  4 −4 −1  1  0 |         | −⅙     ⅙    −⅙    ⅙   −⅙  |
 *          | 0 −2 −1  2  1  0 |         | 1/24  1/12  ⅙    ⅓    ⅔  |
 *          | 0  2 −1 −2  1  0 |         | 1/24 −1/12  ⅙   −⅓    ⅔  |
 *          | 0  4  0 −5  0  1 |         |  0     0     0    0    1  |
 *
 * Summed over input channels, the α² elementwise products become α² GEMMs
 * M_e[tile, co] = Σ_ci V_e[tile, ci] · U_e[ci, co] (V = Bᵀ d B, U = G g Gᵀ), run on the same 6×8
 * register block as the direct kernels: α² multiply-adds per m² outputs instead of m²r² (F(2×2,
 * 3×3): 16 for 36, 2.25× fewer; F(4×4, 3×3): 36 for 144, 4×; F(2×2, 5×5): 36 for 100, 2.8×;
 * F(4×4, 5×5): 64 for 400, 6.25×), for transforms that cost additions and a few multiplications
 * by small constants. F(2×2, 3×3)'s transforms hold only 0, ±1 and ±½; the larger constants of
 * α = 6 and 8 cost precision, measured in the tests (within 1e-5 of Σ|terms|).
 *
 * Dilation keeps the algorithm: a tile is the outputs (i + a·dh, j + b·dw), a, b < m, and its
 * input tile the α×α pixels dh and dw apart. Tile rows are numbered so that the tile rows of one
 * residue class of i mod dh come in order: tile row r starts at output row
 * ⌊r / dh⌋·m·dh + (r mod dh). Tiles that reach past the output
 * (odd sizes) are computed whole and written in part.
 *
 * A chunk is a run of consecutive tiles (a multiple of 6, so that the GEMMs run whole blocks):
 * its V and M live in the calling thread's scratch, sized to stay in L2, followed by the
 * transforms' buffers.
 */
import { Geometry } from './geometry';
import { kernelColsAdd, kernelRows } from './gemm';
import { zeroF32 } from './memory';

/** What both chunk functions read: the geometry (kh = kw = r), the tensor the windows slide over, the tile grid. */
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
  /** Outputs per tile side: 2, or 4 (F(4×4, 3×3), α = 6; F(4×4, 5×5), α = 8). */
  m: i32;
}

@unmanaged
class WinogradArgs extends Tiles {
  /** U = G g Gᵀ as α² blocks of `cp × op` (cp = inC rounded up to 4, op = outC to 8), each packed in 8-column panels. */
  u: i32;
  y: i32;
}

@unmanaged
class FilterArgs extends Tiles {
  dy: i32;
  /** The groups' accumulators Ŵ_eᵀ: α² blocks of `op × cp` (cp = inC rounded up to 8, op = outC to 12), `accStride` bytes per group. */
  acc: i32;
  accStride: i32;
  groupChunks: i32;
}

/*
 * The transforms' buffers after V and M (or Z): an α×α tile of vectors (64 at α = 8; in the
 * output transform Aᵀ M's m × α and the tile's m × m, 48 at α = 8), the tile's α² pixel
 * addresses, and `cp` zero floats that padding pixels read.
 */
const ROWS_BYTES: usize = 64 * 16;
const INDEX_BYTES: usize = 64 * 4 + 16;

/**
 * Bytes of a thread's scratch for `tiles` tiles per chunk of an F(m×m, r×r) (α = r + m − 1):
 * V (α² × tiles × cp), M or Z (α² × tiles × op), the buffers.
 */
export function winogradScratchBytes(tiles: i32, cp: i32, op: i32, alpha: i32): i32 {
  return 4 * alpha * alpha * tiles * (cp + op) + <i32>(ROWS_BYTES + INDEX_BYTES) + 4 * cp;
}

/** The 4 floats at `p`, of which the first `n` are read (the rest 0). */
function loadPart(p: usize, n: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
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

@inline
function splat(c: f32): v128 {
  return f32x4.splat(c);
}

// ── the transforms, as vectors of 4 channels: src / dst are addresses with byte strides ──

/** `dst[i·ds] = (Bᵀ d)_i` for the α vectors d0 … d(α − 1) (d4, d5 unused when α = 4). */
@inline
function bt(alpha: i32, d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, dst: usize, ds: usize): void {
  if (alpha === 4) {
    v128.store(dst, f32x4.sub(d0, d2));
    v128.store(dst + ds, f32x4.add(d1, d2));
    v128.store(dst + 2 * ds, f32x4.sub(d2, d1));
    v128.store(dst + 3 * ds, f32x4.sub(d1, d3));
    return;
  }
  const four = splat(4), two = splat(2);
  const s12 = f32x4.add(d1, d2), m12 = f32x4.sub(d1, d2), m31 = f32x4.sub(d3, d1), m42 = f32x4.sub(d4, d2);
  v128.store(dst, f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(splat(5), d2)), d4));
  v128.store(dst + ds, f32x4.sub(f32x4.add(d4, d3), f32x4.mul(four, s12)));
  v128.store(dst + 2 * ds, f32x4.add(f32x4.sub(d4, d3), f32x4.mul(four, m12)));
  v128.store(dst + 3 * ds, f32x4.add(m42, f32x4.mul(two, m31)));
  v128.store(dst + 4 * ds, f32x4.sub(m42, f32x4.mul(two, m31)));
  v128.store(dst + 5 * ds, f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(splat(5), d3)), d5));
}

/** The channel vector at `off` of the pixel whose address is entry k of the tile's table (`part` < 4: the first `part` floats). */
@inline
function pixel(index: usize, k: i32, off: usize, part: i32): v128 {
  const p = <usize>load<u32>(index + (<usize>k << 2)) + off;
  return part === 4 ? v128.load(p) : loadPart(p, part);
}

/**
 * `dst[i·ds] = (Aᵀ s)_i`, i < m, for the α vectors `s_k` at `src + k·ss` (α = 4, m = 2:
 * F(2×2, 3×3); α = 6, m = 2: F(2×2, 5×5); α = 6, m = 4: F(4×4, 3×3), whose Aᵀ is
 * | 1 1 1 1 1 0 ; 0 1 −1 2 −2 0 ; 0 1 1 4 4 0 ; 0 1 −1 8 −8 1 |).
 */
@inline
function applyAT(alpha: i32, m: i32, src: usize, ss: usize, dst: usize, ds: usize): void {
  const m0 = v128.load(src), m1 = v128.load(src + ss), m2 = v128.load(src + 2 * ss), m3 = v128.load(src + 3 * ss);
  if (alpha === 4) {
    v128.store(dst, f32x4.add(f32x4.add(m0, m1), m2));
    v128.store(dst + ds, f32x4.sub(f32x4.sub(m1, m2), m3));
    return;
  }
  const m4 = v128.load(src + 4 * ss), m5 = v128.load(src + 5 * ss);
  const p12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2), p34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
  v128.store(dst, f32x4.add(f32x4.add(m0, p12), p34));
  if (m === 2) {
    v128.store(dst + ds, f32x4.add(f32x4.add(d12, f32x4.mul(splat(2), d34)), m5));
    return;
  }
  v128.store(dst + ds, f32x4.add(d12, f32x4.mul(splat(2), d34)));
  v128.store(dst + 2 * ds, f32x4.add(p12, f32x4.mul(splat(4), p34)));
  v128.store(dst + 3 * ds, f32x4.add(f32x4.add(d12, f32x4.mul(splat(8), d34)), m5));
}

/**
 * `dst[i·ds] = (A u)_i`, i < α, for the m vectors u0 … u(m − 1) (u2, u3 unused when m = 2): the
 * adjoint of `applyAT` and `applyAT8` (F(4×4, 3×3): A's rows 1 0 0 0 ; 1 1 1 1 ; 1 −1 1 −1 ;
 * 1 2 4 8 ; 1 −2 4 −8 ; 0 0 0 1; F(4×4, 5×5) puts 1 ½ ¼ ⅛ ; 1 −½ ¼ −⅛ before the last).
 */
@inline
function applyA(alpha: i32, m: i32, u0: v128, u1: v128, u2: v128, u3: v128, dst: usize, ds: usize): void {
  if (m === 4) {
    const e = f32x4.add(u0, u2), o = f32x4.add(u1, u3);
    const e4 = f32x4.add(u0, f32x4.mul(splat(4), u2)), o8 = f32x4.add(f32x4.mul(splat(2), u1), f32x4.mul(splat(8), u3));
    v128.store(dst, u0);
    v128.store(dst + ds, f32x4.add(e, o));
    v128.store(dst + 2 * ds, f32x4.sub(e, o));
    v128.store(dst + 3 * ds, f32x4.add(e4, o8));
    v128.store(dst + 4 * ds, f32x4.sub(e4, o8));
    if (alpha === 8) {
      // F(4×4, 5×5): the rows of ±½ (1 ±½ ¼ ±⅛), then ∞.
      const eh = f32x4.add(u0, f32x4.mul(splat(0.25), u2)), oh = f32x4.add(f32x4.mul(splat(0.5), u1), f32x4.mul(splat(0.125), u3));
      v128.store(dst + 5 * ds, f32x4.add(eh, oh));
      v128.store(dst + 6 * ds, f32x4.sub(eh, oh));
      v128.store(dst + 7 * ds, u3);
      return;
    }
    v128.store(dst + 5 * ds, u3);
    return;
  }
  v128.store(dst, u0);
  v128.store(dst + ds, f32x4.add(u0, u1));
  v128.store(dst + 2 * ds, f32x4.sub(u0, u1));
  if (alpha === 4) {
    v128.store(dst + 3 * ds, f32x4.neg(u1));
    return;
  }
  const two = f32x4.add(u1, u1);
  v128.store(dst + 3 * ds, f32x4.add(u0, two));
  v128.store(dst + 4 * ds, f32x4.sub(u0, two));
  v128.store(dst + 5 * ds, u1);
}

/** `dst[i·ds] = (G s)_i`, i < α, for the r vectors s0 … s(r − 1) (s3, s4 unused when r = 3). */
function applyG(r: i32, alpha: i32, s0: v128, s1: v128, s2: v128, s3: v128, s4: v128, dst: usize, ds: usize): void {
  const half = splat(0.5);
  if (r === 3 && alpha === 6) {
    // F(4×4, 3×3): G = | ¼ 0 0 ; −⅙ −⅙ −⅙ ; −⅙ ⅙ −⅙ ; 1/24 1/12 ⅙ ; 1/24 −1/12 ⅙ ; 0 0 1 |.
    const sixth = splat(<f32>1.0 / <f32>6.0);
    const even = f32x4.add(s0, s2);
    const evenP = f32x4.add(f32x4.mul(splat(<f32>1.0 / <f32>24.0), s0), f32x4.mul(sixth, s2));
    const oddP = f32x4.mul(splat(<f32>1.0 / <f32>12.0), s1);
    v128.store(dst, f32x4.mul(splat(0.25), s0));
    v128.store(dst + ds, f32x4.neg(f32x4.mul(sixth, f32x4.add(even, s1))));
    v128.store(dst + 2 * ds, f32x4.neg(f32x4.mul(sixth, f32x4.sub(even, s1))));
    v128.store(dst + 3 * ds, f32x4.add(evenP, oddP));
    v128.store(dst + 4 * ds, f32x4.sub(evenP, oddP));
    v128.store(dst + 5 * ds, s2);
    return;
  }
  if (r === 3) {
    v128.store(dst, s0);
    v128.store(dst + ds, f32x4.mul(half, f32x4.add(f32x4.add(s0, s1), s2)));
    v128.store(dst + 2 * ds, f32x4.mul(half, f32x4.add(f32x4.sub(s0, s1), s2)));
    v128.store(dst + 3 * ds, s2);
    return;
  }
  const even = f32x4.add(f32x4.add(s0, s2), s4), odd = f32x4.add(s1, s3);
  const sixth = splat(<f32>1.0 / <f32>6.0);
  const evenP = f32x4.add(f32x4.add(s0, f32x4.mul(splat(4), s2)), f32x4.mul(splat(16), s4));
  const oddP = f32x4.add(f32x4.mul(splat(2), s1), f32x4.mul(splat(8), s3));
  v128.store(dst, f32x4.mul(splat(0.25), s0));
  v128.store(dst + ds, f32x4.neg(f32x4.mul(sixth, f32x4.add(even, odd))));
  v128.store(dst + 2 * ds, f32x4.neg(f32x4.mul(sixth, f32x4.sub(even, odd))));
  v128.store(dst + 3 * ds, f32x4.mul(splat(<f32>1.0 / <f32>24.0), f32x4.add(evenP, oddP)));
  v128.store(dst + 4 * ds, f32x4.mul(splat(<f32>1.0 / <f32>24.0), f32x4.sub(evenP, oddP)));
  v128.store(dst + 5 * ds, s4);
}

/** `dst[a·ds] = (Gᵀ s)_a`, a < r, for the α vectors `s_i` at `src + i·ss`: the adjoint of `applyG`. */
function applyGT(r: i32, alpha: i32, src: usize, ss: usize, dst: usize, ds: usize): void {
  const s0 = v128.load(src), s1 = v128.load(src + ss), s2 = v128.load(src + 2 * ss), s3 = v128.load(src + 3 * ss);
  const half = splat(0.5);
  if (r === 3 && alpha === 6) {
    const s4 = v128.load(src + 4 * ss), s5 = v128.load(src + 5 * ss);
    const sixth = splat(<f32>1.0 / <f32>6.0);
    const p12 = f32x4.add(s1, s2), p34 = f32x4.add(s3, s4), d21 = f32x4.sub(s2, s1), d34 = f32x4.sub(s3, s4);
    v128.store(dst, f32x4.add(f32x4.sub(f32x4.mul(splat(0.25), s0), f32x4.mul(sixth, p12)), f32x4.mul(splat(<f32>1.0 / <f32>24.0), p34)));
    v128.store(dst + ds, f32x4.add(f32x4.mul(sixth, d21), f32x4.mul(splat(<f32>1.0 / <f32>12.0), d34)));
    v128.store(dst + 2 * ds, f32x4.add(f32x4.mul(sixth, f32x4.sub(p34, p12)), s5));
    return;
  }
  if (r === 3) {
    v128.store(dst, f32x4.add(s0, f32x4.mul(half, f32x4.add(s1, s2))));
    v128.store(dst + ds, f32x4.mul(half, f32x4.sub(s1, s2)));
    v128.store(dst + 2 * ds, f32x4.add(f32x4.mul(half, f32x4.add(s1, s2)), s3));
    return;
  }
  const s4 = v128.load(src + 4 * ss), s5 = v128.load(src + 5 * ss);
  const sixth = splat(<f32>1.0 / <f32>6.0);
  const p = f32x4.add(s1, s2), m = f32x4.sub(s2, s1), q = f32x4.add(s3, s4), n = f32x4.sub(s3, s4);
  const p6 = f32x4.mul(sixth, p), m6 = f32x4.mul(sixth, m);
  v128.store(dst, f32x4.add(f32x4.sub(f32x4.mul(splat(0.25), s0), p6), f32x4.mul(splat(<f32>1.0 / <f32>24.0), q)));
  v128.store(dst + ds, f32x4.add(m6, f32x4.mul(splat(<f32>1.0 / <f32>12.0), n)));
  v128.store(dst + 2 * ds, f32x4.mul(sixth, f32x4.sub(q, p)));
  v128.store(dst + 3 * ds, f32x4.add(m6, f32x4.mul(splat(<f32>1.0 / <f32>3.0), n)));
  v128.store(dst + 4 * ds, f32x4.add(f32x4.sub(f32x4.mul(splat(<f32>2.0 / <f32>3.0), q), p6), s5));
}

// ── F(4×4, 5×5): α = 8, points 0, ±1, ±2, ±½, ∞ (the Bᵀ of the usual F(6×6, 3×3)) ──
//
//     Bᵀ = | 1   0  −21/4    0    21/4   0   −1  0 |    G = |  1      0      0      0     0   |
//          | 0   1    1   −17/4  −17/4   1    1  0 |        | −2/9  −2/9   −2/9   −2/9  −2/9  |
//          | 0  −1    1    17/4  −17/4  −1    1  0 |        | −2/9   2/9   −2/9    2/9  −2/9  |
//          | 0   ½    ¼    −5/2   −5/4   2    1  0 |        | 1/90   1/45   2/45   4/45  8/45 |
//          | 0  −½    ¼     5/2   −5/4  −2    1  0 |        | 1/90  −1/45   2/45  −4/45  8/45 |
//          | 0   2    4    −5/2    −5    ½    1  0 |        | 32/45  16/45  8/45   4/45  2/45 |
//          | 0  −2    4     5/2    −5   −½    1  0 |        | 32/45 −16/45  8/45  −4/45  2/45 |
//          | 0  −1    0    21/4     0  −21/4  0  1 |        |  0      0      0      0     1   |
//
//     Aᵀ = | 1  1  1  1  1  1   1   0 |
//          | 0  1 −1  2 −2  ½  −½   0 |
//          | 0  1  1  4  4  ¼   ¼   0 |
//          | 0  1 −1  8 −8  ⅛  −⅛   1 |
//
// 64 multiply-adds per 16 outputs instead of F(2×2, 5×5)'s 144 (36 per 4); the float32 error
// of the larger constants is measured in the tests, as for α = 6.

/** `dst[i·ds] = (Bᵀ d)_i`, α = 8. */
@inline
function bt8(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, d6: v128, d7: v128, dst: usize, ds: usize): void {
  const c21 = splat(5.25), c17 = splat(4.25);
  v128.store(dst, f32x4.add(f32x4.sub(d0, d6), f32x4.mul(c21, f32x4.sub(d4, d2))));
  v128.store(dst + 7 * ds, f32x4.add(f32x4.sub(d7, d1), f32x4.mul(c21, f32x4.sub(d3, d5))));
  const e1 = f32x4.sub(f32x4.add(d2, d6), f32x4.mul(c17, d4)), o1 = f32x4.sub(f32x4.add(d1, d5), f32x4.mul(c17, d3));
  v128.store(dst + ds, f32x4.add(e1, o1));
  v128.store(dst + 2 * ds, f32x4.sub(e1, o1));
  const e2 = f32x4.add(f32x4.sub(f32x4.mul(splat(0.25), d2), f32x4.mul(splat(1.25), d4)), d6);
  const o2 = f32x4.add(f32x4.sub(f32x4.mul(splat(0.5), d1), f32x4.mul(splat(2.5), d3)), f32x4.mul(splat(2), d5));
  v128.store(dst + 3 * ds, f32x4.add(e2, o2));
  v128.store(dst + 4 * ds, f32x4.sub(e2, o2));
  const e3 = f32x4.add(f32x4.sub(f32x4.mul(splat(4), d2), f32x4.mul(splat(5), d4)), d6);
  const o3 = f32x4.add(f32x4.sub(f32x4.mul(splat(2), d1), f32x4.mul(splat(2.5), d3)), f32x4.mul(splat(0.5), d5));
  v128.store(dst + 5 * ds, f32x4.add(e3, o3));
  v128.store(dst + 6 * ds, f32x4.sub(e3, o3));
}

/** `dst[i·ds] = (Aᵀ s)_i`, i < 4, for the 8 vectors `s_k` at `src + k·ss`. */
@inline
function applyAT8(src: usize, ss: usize, dst: usize, ds: usize): void {
  const s1 = v128.load(src + ss), s2 = v128.load(src + 2 * ss), s3 = v128.load(src + 3 * ss), s4 = v128.load(src + 4 * ss);
  const s5 = v128.load(src + 5 * ss), s6 = v128.load(src + 6 * ss);
  const p12 = f32x4.add(s1, s2), d12 = f32x4.sub(s1, s2), p34 = f32x4.add(s3, s4), d34 = f32x4.sub(s3, s4);
  const p56 = f32x4.add(s5, s6), d56 = f32x4.sub(s5, s6);
  v128.store(dst, f32x4.add(f32x4.add(v128.load(src), p12), f32x4.add(p34, p56)));
  v128.store(dst + ds, f32x4.add(f32x4.add(d12, f32x4.mul(splat(2), d34)), f32x4.mul(splat(0.5), d56)));
  v128.store(dst + 2 * ds, f32x4.add(f32x4.add(p12, f32x4.mul(splat(4), p34)), f32x4.mul(splat(0.25), p56)));
  v128.store(dst + 3 * ds, f32x4.add(f32x4.add(f32x4.add(d12, f32x4.mul(splat(8), d34)), f32x4.mul(splat(0.125), d56)), v128.load(src + 7 * ss)));
}

/** `dst[i·ds] = (G s)_i`, i < 8, for the 5 vectors s0 … s4. */
function applyG8(s0: v128, s1: v128, s2: v128, s3: v128, s4: v128, dst: usize, ds: usize): void {
  const e1 = f32x4.add(f32x4.add(s0, s2), s4), o1 = f32x4.add(s1, s3);
  const e2 = f32x4.add(f32x4.add(s0, f32x4.mul(splat(4), s2)), f32x4.mul(splat(16), s4));
  const o2 = f32x4.add(f32x4.mul(splat(2), s1), f32x4.mul(splat(8), s3));
  const e3 = f32x4.add(f32x4.add(f32x4.mul(splat(16), s0), f32x4.mul(splat(4), s2)), s4);
  const o3 = f32x4.add(f32x4.mul(splat(8), s1), f32x4.mul(splat(2), s3));
  const c1 = splat(<f32>-2.0 / <f32>9.0), c2 = splat(<f32>1.0 / <f32>90.0), c3 = splat(<f32>2.0 / <f32>45.0);
  v128.store(dst, s0);
  v128.store(dst + ds, f32x4.mul(c1, f32x4.add(e1, o1)));
  v128.store(dst + 2 * ds, f32x4.mul(c1, f32x4.sub(e1, o1)));
  v128.store(dst + 3 * ds, f32x4.mul(c2, f32x4.add(e2, o2)));
  v128.store(dst + 4 * ds, f32x4.mul(c2, f32x4.sub(e2, o2)));
  v128.store(dst + 5 * ds, f32x4.mul(c3, f32x4.add(e3, o3)));
  v128.store(dst + 6 * ds, f32x4.mul(c3, f32x4.sub(e3, o3)));
  v128.store(dst + 7 * ds, s4);
}

/** `dst[a·ds] = (Gᵀ s)_a`, a < 5, for the 8 vectors `s_i` at `src + i·ss`: the adjoint of `applyG8`. */
function applyGT8(src: usize, ss: usize, dst: usize, ds: usize): void {
  const s1 = v128.load(src + ss), s2 = v128.load(src + 2 * ss), s3 = v128.load(src + 3 * ss), s4 = v128.load(src + 4 * ss);
  const s5 = v128.load(src + 5 * ss), s6 = v128.load(src + 6 * ss);
  const c1 = splat(<f32>-2.0 / <f32>9.0), c2 = splat(<f32>1.0 / <f32>90.0), c3 = splat(<f32>2.0 / <f32>45.0);
  // G's rows 1–6 scaled by c1, c2, c3 in pairs: the pairs' sums and differences, scaled once.
  const p1 = f32x4.mul(c1, f32x4.add(s1, s2)), m1 = f32x4.mul(c1, f32x4.sub(s1, s2));
  const p2 = f32x4.mul(c2, f32x4.add(s3, s4)), m2 = f32x4.mul(c2, f32x4.sub(s3, s4));
  const p3 = f32x4.mul(c3, f32x4.add(s5, s6)), m3 = f32x4.mul(c3, f32x4.sub(s5, s6));
  const s0 = v128.load(src), s7 = v128.load(src + 7 * ss);
  v128.store(dst, f32x4.add(f32x4.add(f32x4.add(s0, p1), p2), f32x4.mul(splat(16), p3)));
  v128.store(dst + ds, f32x4.add(f32x4.add(m1, f32x4.mul(splat(2), m2)), f32x4.mul(splat(8), m3)));
  v128.store(dst + 2 * ds, f32x4.add(f32x4.add(p1, f32x4.mul(splat(4), p2)), f32x4.mul(splat(4), p3)));
  v128.store(dst + 3 * ds, f32x4.add(f32x4.add(m1, f32x4.mul(splat(8), m2)), f32x4.mul(splat(2), m3)));
  v128.store(dst + 4 * ds, f32x4.add(f32x4.add(f32x4.add(p1, f32x4.mul(splat(16), p2)), p3), s7));
}

/** The `n` (≤ 4) floats at `p`, `step` bytes apart, as a vector (the rest 0). */
@inline
function loadStrided(p: usize, step: usize, n: i32): v128 {
  if (n === 4 && step === 4) return v128.load(p);
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p + step));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * step));
  if (n > 3) v = f32x4.replace_lane(v, 3, load<f32>(p + 3 * step));
  return v;
}

@unmanaged
class FilterTransformArgs {
  w: i32;
  sa: i32;
  sb: i32;
  sc: i32;
  so: i32;
  r: i32;
  inC: i32;
  outC: i32;
  cp: i32;
  op: i32;
  u: i32;
  /** Input channels per chunk. */
  rows: i32;
  /** Outputs per tile side of the kernel U is for (α = r + m − 1). */
  m: i32;
  /** Per thread, FILTER_TMP_BYTES from here: G g (α × r vectors) of one channel pair. */
  tmp: i32;
}

/** Bytes of a thread's buffer for `winogradFilterChunk`'s G g (α × r ≤ 8 × 5 vectors). */
const FILTER_TMP_BYTES: i32 = 1024;

/** FILTER_TMP_BYTES, for the caller that allocates the buffers. */
export function winogradFilterTmpBytes(): i32 {
  return FILTER_TMP_BYTES;
}

/**
 * U_e = G g Gᵀ for every (ci, co) of an r×r filter, input channels `[chunk·rows, …)` of the
 * args' record: element (a, b, ci, co) at `w + a·sa + b·sb + ci·sc + co·so` (byte strides,
 * signed: the input gradient reads the filter rotated and with its channels swapped). Written
 * packed for `kernelRows` (α² blocks of panels of 8 co, K = cp) into U, which the caller has
 * zeroed where channels are padded (rows ci ≥ inC and columns co ≥ outC stay 0). Four co at a
 * time (a panel holds them side by side): G g goes first into the thread's `tmp`, then each row
 * i of it times Gᵀ into U. (Writing G g into U's own cells and reading them back, 64 blocks
 * 8 KB apart at α = 8, took ≈ 0.5 ms of a 5 ms 5×5 conv.)
 */
export function winogradFilterChunk(args: usize, chunk: i32, thread: i32): void {
  const g = changetype<FilterTransformArgs>(args);
  const w = <usize>g.w, sa = g.sa, sb = g.sb, sc = g.sc, so = g.so, r = g.r;
  const cp = g.cp, op = g.op, outC = g.outC, u = <usize>g.u;
  const ci0 = chunk * g.rows;
  const ci1 = min(g.inC, ci0 + g.rows);
  const alpha = r + g.m - 1;
  const block = <usize>cp * <usize>op << 2;
  const zero = f32x4.splat(0);
  const tmp = <usize>g.tmp + <usize>thread * <usize>FILTER_TMP_BYTES;
  const tmpRow = <usize>r << 4;
  for (let ci = ci0; ci < ci1; ci++) {
    for (let co = 0; co < outC; co += 4) {
      const part = min(4, outC - co);
      const base = w + <usize>(ci * sc + co * so);
      const dst = u + ((<usize>(co >> 3) * <usize>cp * 8 + <usize>ci * 8 + <usize>(co & 7)) << 2);
      // G g column by column into tmp (α rows of r vectors), then each row times Gᵀ into U:
      // every cell of U written once.
      for (let b = 0; b < r; b++) {
        const col = base + <usize>(b * sb);
        const s0 = loadStrided(col, <usize>so, part), s1 = loadStrided(col + <usize>sa, <usize>so, part);
        const s2 = loadStrided(col + <usize>(2 * sa), <usize>so, part);
        const s3 = r === 5 ? loadStrided(col + <usize>(3 * sa), <usize>so, part) : zero;
        const s4 = r === 5 ? loadStrided(col + <usize>(4 * sa), <usize>so, part) : zero;
        if (alpha === 8) applyG8(s0, s1, s2, s3, s4, tmp + (<usize>b << 4), tmpRow);
        else applyG(r, alpha, s0, s1, s2, s3, s4, tmp + (<usize>b << 4), tmpRow);
      }
      for (let i = 0; i < alpha; i++) {
        const row = tmp + <usize>i * tmpRow;
        const s0 = v128.load(row), s1 = v128.load(row, 16), s2 = v128.load(row, 32);
        const s3 = r === 5 ? v128.load(row, 48) : zero;
        const s4 = r === 5 ? v128.load(row, 64) : zero;
        const out = dst + <usize>(i * alpha) * block;
        if (alpha === 8) applyG8(s0, s1, s2, s3, s4, out, block);
        else applyG(r, alpha, s0, s1, s2, s3, s4, out, block);
      }
    }
  }
}

/** Output row of tile row t, m outputs to a tile side: ⌊t / dh⌋·m·dh + (t mod dh). */
@inline
function tileRow(t: i32, dh: i32, m: i32): i32 {
  return dh === 1 ? t * m : (t / dh) * m * dh + (t % dh);
}

/*
 * Tile `idx` (images, then tile rows, then tile columns): its image, and the output row and
 * column of its first output. Two divisions per tile, against α²·channels of work per tile.
 */
@inline
function tileImage(g: Tiles, idx: i32): i32 {
  return idx / (g.tilesH * g.tilesW);
}

@inline
function tileI(g: Tiles, idx: i32): i32 {
  return tileRow((idx % (g.tilesH * g.tilesW)) / g.tilesW, g.dh, g.m);
}

@inline
function tileJ(g: Tiles, idx: i32): i32 {
  return tileRow(idx % g.tilesW, g.dw, g.m);
}

/** Tiles `[chunk·chunkTiles, …)`: input transforms, α² GEMMs, output transforms. */
export function convWinograd(args: usize, chunk: i32, thread: i32): void {
  const g = changetype<WinogradArgs>(args);
  const perImage = g.tilesH * g.tilesW;
  const t0 = chunk * g.chunkTiles;
  const count = min(g.chunkTiles, g.batch * perImage - t0);
  if (count <= 0) return;
  const tm = g.m;
  const alpha = g.kh + tm - 1;
  const aa = alpha * alpha;
  const rows = (count + 5) / 6 * 6;
  const cp = g.cp;
  const op = g.op;
  const v = <usize>g.scratch + <usize>thread * <usize>g.scratchStride;
  const m = v + (<usize>(aa * g.chunkTiles * cp) << 2);
  const buf = m + (<usize>(aa * g.chunkTiles * op) << 2);
  const eStrideV = <usize>(g.chunkTiles * cp) << 2;
  const eStrideM = <usize>(g.chunkTiles * op) << 2;
  const dh = g.dh;
  const dw = g.dw;
  inputTransforms(g, t0, count, v, eStrideV, cp, buf);
  for (let t = count; t < rows; t++) {
    for (let e = 0; e < aa; e++) zeroF32(v + <usize>e * eStrideV + (<usize>(t * cp) << 2), cp);
  }

  // ── α² GEMMs: M_e = V_e · U_e ──
  const uBlock = <usize>cp * <usize>op << 2;
  const lda = <usize>cp << 2;
  const ldc = <usize>op << 2;
  for (let e = 0; e < aa; e++) {
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

  // ── output transforms: Y = Aᵀ M A, Aᵀ M column by column into buf (m × α), then its m rows ──
  const outC = g.outC;
  const y = <usize>g.y;
  const out = buf + (<usize>(tm * alpha) << 4);
  const pixel = <usize>outC << 2;
  for (let t = 0; t < count; t++) {
    const n = tileImage(g, t0 + t);
    const i = tileI(g, t0 + t);
    const j = tileJ(g, t0 + t);
    if (i >= g.outH || j >= g.outW) continue;
    // Outputs of the tile inside y: rows i + di·dh, columns j + dj·dw.
    const rowsIn = min(tm, (g.outH - 1 - i) / dh + 1);
    const colsIn = min(tm, (g.outW - 1 - j) / dw + 1);
    const y00 = y + <usize>((n * g.outH + i) * g.outW + j) * pixel;
    const src = m + (<usize>(t * op) << 2);
    for (let o = 0; o < outC; o += 4) {
      const s = src + (<usize>o << 2);
      if (alpha === 8) {
        for (let k = 0; k < 8; k++) applyAT8(s + <usize>k * eStrideM, 8 * eStrideM, buf + (<usize>k << 4), 8 << 4);
        for (let di = 0; di < rowsIn; di++) applyAT8(buf + (<usize>(di * 8) << 4), 16, out + (<usize>(di * 4) << 4), 16);
      } else {
        for (let k = 0; k < alpha; k++) {
          applyAT(alpha, tm, s + <usize>k * eStrideM, <usize>alpha * eStrideM, buf + (<usize>k << 4), <usize>alpha << 4);
        }
        for (let di = 0; di < rowsIn; di++) {
          applyAT(alpha, tm, buf + (<usize>(di * alpha) << 4), 16, out + (<usize>(di * tm) << 4), 16);
        }
      }
      const part = min(4, outC - o);
      const off = <usize>o << 2;
      for (let di = 0; di < rowsIn; di++) {
        const row = y00 + <usize>(di * dh * g.outW) * pixel + off;
        for (let dj = 0; dj < colsIn; dj++) storePart(row + <usize>(dj * dw) * pixel, v128.load(out + (<usize>(di * tm + dj) << 4)), part);
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
 * — again α² multiply-adds per 2×2 outputs per (ci, co) instead of 4r². Group `group` adds its
 * chunks in order into its own accumulator (zeroed by the caller), so the sum does not depend
 * on which thread ran which group.
 */
export function convWinogradFilter(args: usize, group: i32, thread: i32): void {
  const g = changetype<FilterArgs>(args);
  const tiles = g.batch * g.tilesH * g.tilesW;
  const alpha = g.kh + g.m - 1;
  const aa = alpha * alpha;
  const per = g.chunkTiles;
  const cp = g.cp;
  const op = g.op;
  const v = <usize>g.scratch + <usize>thread * <usize>g.scratchStride;
  const z = v + (<usize>(aa * per * cp) << 2);
  const buf = z + (<usize>(aa * per * op) << 2);
  const eStrideV = <usize>(per * cp) << 2;
  const eStrideZ = <usize>(per * op) << 2;
  const acc = <usize>g.acc + <usize>group * <usize>g.accStride;
  const block = <usize>(cp * op) << 2;
  const ldv = <usize>cp << 2;
  const ldz = <usize>op << 2;
  // Rows of 6 output channels: a block wholly past outC (op is rounded to 12) is left out.
  const coEnd = (g.outC + 5) / 6 * 6;
  const first = group * g.groupChunks;
  for (let chunk = first; chunk < first + g.groupChunks; chunk++) {
    const t0 = chunk * per;
    const count = min(per, tiles - t0);
    if (count <= 0) break;
    inputTransforms(g, t0, count, v, eStrideV, cp, buf);
    gradientTransforms(g, t0, count, z, eStrideZ, op, buf);
    for (let e = 0; e < aa; e++) {
      const ze = z + <usize>e * eStrideZ;
      const ve = v + <usize>e * eStrideV;
      const ae = acc + <usize>e * block;
      for (let co = 0; co < coEnd; co += 6) {
        for (let ci = 0; ci < cp; ci += 8) {
          kernelColsAdd(count, ze + (<usize>co << 2), ldz, ve + (<usize>ci << 2), ldv, ae + (<usize>(co * cp + ci) << 2), ldv);
        }
      }
    }
  }
}

/** Zero vectors at `p + e·stride`, e < n: a padding channel group's entries. */
@inline
function zeroEntries(p: usize, n: i32, stride: usize): void {
  const zero = f32x4.splat(0);
  for (let e = 0; e < n; e++) v128.store(p + <usize>e * stride, zero);
}

/** The first `part` floats at `p` when `ok` (0 otherwise, and for `part` ≤ 0). */
@inline
function loadIf(ok: bool, p: usize, part: i32): v128 {
  if (!ok || part <= 0) return f32x4.splat(0);
  return part === 4 ? v128.load(p) : loadPart(p, part);
}

/**
 * Z_e[t, ·] = (A dy Aᵀ)_e for the `count` tiles from `t0`: dy's m×m outputs of the tile (0 past
 * the edge), `width` floats per tile. The channel groups that hold dy's channels are transformed
 * (`gradientTransforms2` / `gradientTransforms4`, the first `live` floats of each tile); the
 * padding groups after them only get zeros. Their accumulator rows are never read (no result
 * depends on them); the zeros keep stale scratch, possibly denormal, out of the multiply-adds.
 */
function gradientTransforms(g: FilterArgs, t0: i32, count: i32, z: usize, eStride: usize, width: i32, buf: usize): void {
  const live = min(width, (g.outC + 3) & ~3);
  if (g.m === 4) gradientTransforms4(g, t0, count, z, eStride, width, live, buf);
  else gradientTransforms2(g, t0, count, z, eStride, width, live, buf);
  const aa = (g.kh + g.m - 1) * (g.kh + g.m - 1);
  for (let t = 0; t < count; t++) {
    for (let c = live; c < width; c += 4) zeroEntries(z + (<usize>(t * width + c) << 2), aa, eStride);
  }
}

/**
 * `gradientTransforms` for 2×2 tiles: per group of 4 channels, A dy goes column by column into
 * buf (α × 2), then each of its α rows times Aᵀ.
 */
function gradientTransforms2(g: FilterArgs, t0: i32, count: i32, z: usize, eStride: usize, width: i32, live: i32, buf: usize): void {
  const alpha = g.kh + 1;
  const outC = g.outC;
  const dy = <usize>g.dy;
  const zero = f32x4.splat(0);
  for (let t = 0; t < count; t++) {
    const n = tileImage(g, t0 + t);
    const i = tileI(g, t0 + t);
    const j = tileJ(g, t0 + t);
    const ok00 = i < g.outH && j < g.outW;
    const ok01 = ok00 && j + g.dw < g.outW;
    const ok10 = ok00 && i + g.dh < g.outH;
    const ok11 = ok01 && ok10;
    const p00 = dy + (<usize>(((n * g.outH + i) * g.outW + j) * outC) << 2);
    const p01 = p00 + (<usize>(g.dw * outC) << 2);
    const p10 = p00 + (<usize>(g.dh * g.outW * outC) << 2);
    const p11 = p10 + (<usize>(g.dw * outC) << 2);
    const dst = z + (<usize>(t * width) << 2);
    for (let c = 0; c < live; c += 4) {
      const part = min(4, outC - c);
      const off = <usize>c << 2;
      const d00 = loadIf(ok00, p00 + off, part), d01 = loadIf(ok01, p01 + off, part);
      const d10 = loadIf(ok10, p10 + off, part), d11 = loadIf(ok11, p11 + off, part);
      applyA(alpha, 2, d00, d10, zero, zero, buf, 32);
      applyA(alpha, 2, d01, d11, zero, zero, buf + 16, 32);
      for (let k = 0; k < alpha; k++) {
        const row = buf + (<usize>k << 5);
        applyA(alpha, 2, v128.load(row), v128.load(row, 16), zero, zero, dst + off + <usize>(k * alpha) * eStride, eStride);
      }
    }
  }
}

/** `gradientTransforms` for 4×4 tiles (F(4×4, 3×3), α = 6; F(4×4, 5×5), α = 8). */
function gradientTransforms4(g: FilterArgs, t0: i32, count: i32, z: usize, eStride: usize, width: i32, live: i32, buf: usize): void {
  const alpha = g.kh + 3;
  const outC = g.outC;
  const dy = <usize>g.dy;
  const pixel = <usize>outC << 2;
  const rowStep = <usize>(g.dh * g.outW) * pixel;
  const colStep = <usize>g.dw * pixel;
  for (let t = 0; t < count; t++) {
    const n = tileImage(g, t0 + t);
    const i = tileI(g, t0 + t);
    const j = tileJ(g, t0 + t);
    const inside = i < g.outH && j < g.outW;
    const rowsIn = inside ? min(4, (g.outH - 1 - i) / g.dh + 1) : 0;
    const colsIn = inside ? min(4, (g.outW - 1 - j) / g.dw + 1) : 0;
    const p00 = dy + <usize>((n * g.outH + i) * g.outW + j) * pixel;
    const dst = z + (<usize>(t * width) << 2);
    for (let c = 0; c < live; c += 4) {
      const part = min(4, outC - c);
      const off = <usize>c << 2;
      for (let dj = 0; dj < 4; dj++) {
        const col = p00 + <usize>dj * colStep + off;
        const ok = dj < colsIn;
        const u0 = loadIf(ok && rowsIn > 0, col, part), u1 = loadIf(ok && rowsIn > 1, col + rowStep, part);
        const u2 = loadIf(ok && rowsIn > 2, col + 2 * rowStep, part), u3 = loadIf(ok && rowsIn > 3, col + 3 * rowStep, part);
        applyA(alpha, 4, u0, u1, u2, u3, buf + (<usize>dj << 4), 64);
      }
      for (let k = 0; k < alpha; k++) {
        const row = buf + (<usize>k << 6);
        applyA(alpha, 4, v128.load(row), v128.load(row, 16), v128.load(row, 32), v128.load(row, 48), dst + off + <usize>(k * alpha) * eStride, eStride);
      }
    }
  }
}

@unmanaged
class FilterSumArgs {
  acc: i32;
  accStride: i32;
  groups: i32;
  r: i32;
  m: i32;
  inC: i32;
  outC: i32;
  cp: i32;
  op: i32;
  dw: i32;
  /** Output channels per chunk. */
  rows: i32;
}

/**
 * dw[a, b, ci, co] = (Gᵀ Ŵ G)[a, b] for an r×r filter, output channels `[chunk·rows, …)`, with
 * Ŵ_e[ci, co] the sum over the `groups` accumulators (in order) of Ŵ_eᵀ[co, ci]. The sums go into
 * the first group's cells, then Ŵ G row by row and Gᵀ of each column into the same cells, then
 * to dw (each co its own cells: chunks are independent).
 */
export function winogradFilterSum(args: usize, chunk: i32, thread: i32): void {
  const f = changetype<FilterSumArgs>(args);
  const acc = <usize>f.acc, accStride = f.accStride, groups = f.groups, r = f.r, inC = f.inC, outC = f.outC, cp = f.cp, dw = <usize>f.dw;
  const alpha = r + f.m - 1;
  const block = <usize>(cp * f.op) << 2;
  const tap = <usize>(inC * outC) << 2;
  const rowBytes = <usize>outC << 2;
  const co1 = min(outC, (chunk + 1) * f.rows);
  for (let co = chunk * f.rows; co < co1; co++) {
    // Four ci at a time (consecutive in the accumulators).
    for (let ci = 0; ci < inC; ci += 4) {
      const src = acc + (<usize>(co * cp + ci) << 2);
      for (let e = 0; e < alpha * alpha; e++) {
        const p = src + <usize>e * block;
        let s = v128.load(p);
        for (let t = 1; t < groups; t++) s = f32x4.add(s, v128.load(p + <usize>t * <usize>accStride));
        v128.store(p, s);
      }
      for (let i = 0; i < alpha; i++) {
        const row = src + <usize>(i * alpha) * block;
        if (alpha === 8) applyGT8(row, block, row, block);
        else applyGT(r, alpha, row, block, row, block);
      }
      for (let b = 0; b < r; b++) {
        const col = src + <usize>b * block;
        if (alpha === 8) applyGT8(col, <usize>alpha * block, col, <usize>alpha * block);
        else applyGT(r, alpha, col, <usize>alpha * block, col, <usize>alpha * block);
      }
      const lanes = min(4, inC - ci);
      const out = dw + (<usize>(ci * outC + co) << 2);
      for (let a = 0; a < r; a++) {
        for (let b = 0; b < r; b++) {
          const v = v128.load(src + <usize>(a * alpha + b) * block);
          const o = out + <usize>(a * r + b) * tap;
          store<f32>(o, f32x4.extract_lane(v, 0));
          if (lanes > 1) store<f32>(o + rowBytes, f32x4.extract_lane(v, 1));
          if (lanes > 2) store<f32>(o + 2 * rowBytes, f32x4.extract_lane(v, 2));
          if (lanes > 3) store<f32>(o + 3 * rowBytes, f32x4.extract_lane(v, 3));
        }
      }
    }
  }
}

/**
 * V_e[t, ·] = (Bᵀ d B)_e for the `count` tiles from tile `t0`: tile t's `cp` floats (channels
 * from inC on are 0) at `v + e·eStrideV + t·cp·4`. Per tile, a table of its α² pixels'
 * addresses (padding → a run of zeros in the scratch), so the loads need no test; per 4
 * channels, Bᵀ d column by column into buf, then each of its rows times B into V.
 */
function inputTransforms(g: Tiles, t0: i32, count: i32, v: usize, eStrideV: usize, cp: i32, buf: usize): void {
  const alpha = g.kh + g.m - 1;
  const inC = g.inC;
  const x = <usize>g.x;
  const dh = g.dh;
  const dw = g.dw;
  const rowsOf = buf;
  const index = buf + ROWS_BYTES;
  const zeros = index + INDEX_BYTES;
  zeroF32(zeros, cp);
  const pixelBytes = <usize>inC << 2;
  const zero = f32x4.splat(0);
  for (let t = 0; t < count; t++) {
    const imageRow = tileImage(g, t0 + t) * g.inH;
    const i0 = tileI(g, t0 + t) - g.pt;
    const j0 = tileJ(g, t0 + t) - g.pl;
    for (let a = 0, ih = i0; a < alpha; a++, ih += dh) {
      const rowOk = ih >= 0 && ih < g.inH;
      const rowBase = x + <usize>((imageRow + ih) * g.inW) * pixelBytes;
      for (let b = 0, iw = j0; b < alpha; b++, iw += dw) {
        const p = rowOk && iw >= 0 && iw < g.inW ? rowBase + <usize>iw * pixelBytes : zeros;
        store<u32>(index + (<usize>(a * alpha + b) << 2), <u32>p);
      }
    }
    const dst = v + (<usize>(t * cp) << 2);
    for (let c = 0; c < cp; c += 4) {
      const part = min(4, inC - c);
      const o = dst + (<usize>c << 2);
      if (part <= 0) {
        zeroEntries(o, alpha * alpha, eStrideV);
        continue;
      }
      const off = <usize>c << 2;
      if (alpha === 8) {
        for (let b = 0; b < 8; b++) {
          bt8(
            pixel(index, b, off, part), pixel(index, 8 + b, off, part), pixel(index, 16 + b, off, part), pixel(index, 24 + b, off, part),
            pixel(index, 32 + b, off, part), pixel(index, 40 + b, off, part), pixel(index, 48 + b, off, part), pixel(index, 56 + b, off, part),
            rowsOf + (<usize>b << 4), 8 << 4,
          );
        }
        for (let a = 0; a < 8; a++) {
          const r = rowsOf + (<usize>(a * 8) << 4);
          bt8(
            v128.load(r), v128.load(r, 16), v128.load(r, 32), v128.load(r, 48),
            v128.load(r, 64), v128.load(r, 80), v128.load(r, 96), v128.load(r, 112),
            o + <usize>(a * 8) * eStrideV, eStrideV,
          );
        }
        continue;
      }
      for (let b = 0; b < alpha; b++) {
        const d0 = pixel(index, b, off, part), d1 = pixel(index, alpha + b, off, part);
        const d2 = pixel(index, 2 * alpha + b, off, part), d3 = pixel(index, 3 * alpha + b, off, part);
        const d4 = alpha === 6 ? pixel(index, 4 * alpha + b, off, part) : zero;
        const d5 = alpha === 6 ? pixel(index, 5 * alpha + b, off, part) : zero;
        bt(alpha, d0, d1, d2, d3, d4, d5, rowsOf + (<usize>b << 4), <usize>alpha << 4);
      }
      for (let a = 0; a < alpha; a++) {
        const r = rowsOf + (<usize>(a * alpha) << 4);
        const d4 = alpha === 6 ? v128.load(r, 64) : zero;
        const d5 = alpha === 6 ? v128.load(r, 80) : zero;
        bt(alpha, v128.load(r), v128.load(r, 16), v128.load(r, 32), v128.load(r, 48), d4, d5, o + <usize>(a * alpha) * eStrideV, eStrideV);
      }
    }
  }
}
