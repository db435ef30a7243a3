/*
 * The conv family as implicit GEMMs over one register block (gemm.ts). With M output pixels,
 * K = kh·kw·cin patch entries and N = cout:
 *
 *     conv2d:               Y[M, N] = cols[M, K] · W[K, N]
 *     conv2dBackpropInput:  dX = Σ over residue classes of dY-patches · W_ρ      (see below)
 *     conv2dBackpropFilter: dWᵀ[N, K] = dY[M, N]ᵀ · cols[M, K]
 *
 * cols is never built whole. The forward pass and the input gradient gather the 6 patch rows
 * of one register block into L1 right before they meet every column panel of the packed filter,
 * so gathering costs ≈ 1.5/N of the multiply-adds. Work is split into chunks of output pixels
 * (a chunk is what one thread takes; see src/kernels/wasm/threads.ts), and every chunk function
 * takes `(args, chunk, thread)`: the argument record, the chunk index, and the thread index that
 * selects the thread's scratch region. Pixel indices are walked incrementally: an integer
 * division costs as much as a dozen multiply-adds, and small-K convs would spend their time there.
 */
import { Geometry } from './geometry';
import { dotRows, kernelCols, kernelRows } from './gemm';
import { copyF32, zeroF32 } from './memory';

@unmanaged
class ForwardArgs extends Geometry {
  x: i32;
  /** W packed by `packPanels` (8-column panels), when N ≥ 8. */
  panels: i32;
  /** W packed by `packColumns`, when N < 8. */
  columns: i32;
  y: i32;
  scratch: i32;
  scratchStride: i32;
  chunkPixels: i32;
  /** 1 when cols is x itself (1×1 filter, stride 1, no padding). */
  pointwise: i32;
}

/**
 * For each output column j, the taps b whose input column is inside x: 0 ≤ j·sw + b·dw − pl < inW
 * ⇔ lo ≤ b < hi, stored as `[lo, hi]` pairs at `dst` (the divisions done once per chunk).
 */
function columnRanges(g: Geometry, dst: usize): void {
  const kw = g.kw;
  const dw = g.dw;
  for (let j = 0; j < g.outW; j++) {
    const w0 = j * g.sw - g.pl;
    const lo = w0 < 0 ? min(kw, (-w0 + dw - 1) / dw) : 0;
    const hi = max(lo, min(kw, (g.inW - w0 + dw - 1) / dw));
    store<i32>(dst + (<usize>j << 3), lo);
    store<i32>(dst + (<usize>j << 3), hi, 4);
  }
}

/**
 * Writes the patch of window (n, i, j), `kh·kw·inC` floats in (a, b, ci) order, to `dst`;
 * entries that read padding are 0. Taps `[bLo, bHi)` are inside x horizontally.
 */
function gatherPatch(g: Geometry, x: usize, n: i32, i: i32, j: i32, bLo: i32, bHi: i32, dst: usize): void {
  const inC = g.inC;
  const kw = g.kw;
  const dw = g.dw;
  const h0 = i * g.sh - g.pt;
  const w0 = j * g.sw - g.pl;
  const rowLen = kw * inC;
  const rowBytes = <usize>rowLen << 2;
  const head = bLo * inC;
  const body = (bHi - bLo) * inC;
  const tail = rowLen - head - body;
  const imageRow = n * g.inH;
  for (let a = 0; a < g.kh; a++, dst += rowBytes) {
    const ih = h0 + a * g.dh;
    if (ih < 0 || ih >= g.inH) {
      zeroF32(dst, rowLen);
      continue;
    }
    if (head > 0) zeroF32(dst, head);
    const base = ((imageRow + ih) * g.inW + w0) * inC;
    if (dw === 1) {
      copyF32(dst + (<usize>head << 2), x + (<usize>(base + head) << 2), body);
    } else {
      for (let b = bLo; b < bHi; b++) {
        copyF32(dst + (<usize>(b * inC) << 2), x + (<usize>(base + b * dw * inC) << 2), inC);
      }
    }
    if (tail > 0) zeroF32(dst + (<usize>(head + body) << 2), tail);
  }
}

/** Bytes of a thread's scratch for `convForward` and `convBackpropInput` with K patch entries and outW columns. */
export function gemmScratchBytes(k: i32, outW: i32): i32 {
  return 6 * ((k * 4 + 63) & ~63) + 6 * 32 + 64 + ((outW * 8 + 63) & ~63);
}

/**
 * Multiplies the 6 rows at `a` (row stride `lda` bytes; `rows` of them are real) by every
 * column panel of B and writes row r of the result to `c + r·ldc` when `contiguous`, else to
 * the row address at `cRows + 4r`.
 */
function multiplyRows(
  k: i32, n: i32, a: usize, lda: usize, panels: usize, columns: usize,
  rows: i32, c: usize, ldc: usize, cRows: usize, contiguous: bool, tile: usize,
): void {
  if (n >= 8) {
    for (let q0 = 0; q0 < n; q0 += 8) {
      const bp = panels + (<usize>q0 * <usize>k << 2);
      const width = min(8, n - q0);
      if (contiguous && rows === 6 && width === 8) {
        kernelRows(k, a, lda, bp, 32, c + (<usize>q0 << 2), ldc, false);
      } else {
        kernelRows(k, a, lda, bp, 32, tile, 32, false);
        scatterTile(tile, rows, width, c + (<usize>q0 << 2), ldc, cRows, q0, contiguous);
      }
    }
  } else {
    for (let j = 0; j < n; j++) {
      dotRows(k, a, lda, columns + (<usize>j * <usize>k << 2), tile + (<usize>j << 2), 32);
    }
    scatterTile(tile, rows, n, c, ldc, cRows, 0, contiguous);
  }
}

@inline
function scatterTile(tile: usize, rows: i32, width: i32, c: usize, ldc: usize, cRows: usize, q0: i32, contiguous: bool): void {
  for (let r = 0; r < rows; r++) {
    const dst = contiguous ? c + <usize>r * ldc : load<usize>(cRows + (<usize>r << 2)) + (<usize>q0 << 2);
    copyF32(dst, tile + (<usize>r << 5), width);
  }
}

/** y rows of output pixels `[chunk·chunkPixels, …)`: see the file comment. */
export function convForward(args: usize, chunk: i32, thread: i32): void {
  const g = changetype<ForwardArgs>(args);
  const k = g.kh * g.kw * g.inC;
  const n = g.outC;
  const plane = g.outH * g.outW;
  const m0 = chunk * g.chunkPixels;
  const m1 = min(g.batch * plane, m0 + g.chunkPixels);
  const scratch = <usize>g.scratch + <usize>thread * <usize>g.scratchStride;
  const rowBytes = <usize>((k * 4 + 63) & ~63);
  const tile = scratch + 6 * rowBytes;
  const ranges = tile + 6 * 32 + 64;
  const x = <usize>g.x;
  const ldc = <usize>n << 2;
  const pointwise = g.pointwise !== 0;
  if (!pointwise) columnRanges(g, ranges);
  // The walker: output pixel m0 + … is (nb, i, j).
  let nb = m0 / plane;
  let i = (m0 - nb * plane) / g.outW;
  let j = m0 - nb * plane - i * g.outW;
  for (let p = m0; p < m1; p += 6) {
    const rows = min(6, m1 - p);
    let a = scratch;
    let lda = rowBytes;
    if (pointwise && rows === 6) {
      a = x + (<usize>p * <usize>k << 2);
      lda = <usize>k << 2;
    } else {
      for (let r = 0; r < 6; r++) {
        const dst = scratch + <usize>r * rowBytes;
        if (r >= rows) {
          zeroF32(dst, k);
          continue;
        }
        if (pointwise) {
          copyF32(dst, x + (<usize>(p + r) * <usize>k << 2), k);
        } else {
          const range = ranges + (<usize>j << 3);
          gatherPatch(g, x, nb, i, j, load<i32>(range), load<i32>(range, 4), dst);
        }
        if (++j === g.outW) {
          j = 0;
          if (++i === g.outH) {
            i = 0;
            nb++;
          }
        }
      }
    }
    multiplyRows(k, n, a, lda, g.panels, g.columns, rows, <usize>g.y + <usize>p * ldc, ldc, 0, true, tile);
  }
}

/*
 * conv2dBackpropInput, for dx pixel (n, p, q):
 *
 *     dx[n, p, q, ci] = Σ_{a, b, co} dy[n, i, j, co] · w[a, b, ci, co],   i = (p + pt − a·dh) / sh,
 *                                                                     j = (q + pl − b·dw) / sw,
 *
 * over the taps for which i and j are integers in range. Whether they are integers depends only
 * on the residue class ((p + pt) mod sh, (q + pl) mod sw), so dx splits into sh·sw classes, each
 * a stride-1 gather over its own taps T_ρ = {(a, b) : a·dh ≡ p + pt, b·dw ≡ q + pl (mod s)}
 * times its own filter matrix W_ρ[(a, b, co), ci] = w[a, b, ci, co] (the sub-pixel form of the
 * transposed conv): no multiply touches an inserted zero of dilate(dy, s). Within a class,
 * p = p0 + u·sh and q = q0 + v·sw, so i = u + offA[a] and j = v + offB[b] with per-tap offsets.
 */

@unmanaged
class BackpropInputArgs extends Geometry {
  dy: i32;
  /** Chunk table: per chunk `[class record, first pixel, end pixel]` (pixels of the class). */
  chunks: i32;
  dx: i32;
  scratch: i32;
  scratchStride: i32;
}

/** One residue class; its tap offsets (nA of them for rows, then nB for columns) follow the record. */
@unmanaged
class ResidueClass {
  /** First dx row and column of the class. */
  p0: i32;
  q0: i32;
  /** Rows and columns of the class: p = p0 + u·sh for u < rows, q = q0 + v·sw for v < cols. */
  rows: i32;
  cols: i32;
  nA: i32;
  nB: i32;
  panels: i32;
  columns: i32;
  /** 1 when offB is consecutive (j = v + offB[0] + t for the t-th tap): one dy run per row tap. */
  mergeB: i32;
}

const CLASS_BYTES: usize = 36;

/** Writes the dy patch of class pixel (n, u, v) over the class's taps, `nA·nB·outC` floats. */
function gatherGradientPatch(g: Geometry, dy: usize, c: ResidueClass, offs: usize, n: i32, u: i32, v: i32, dst: usize): void {
  const cout = g.outC;
  const nA = c.nA;
  const nB = c.nB;
  const runBytes = <usize>cout << 2;
  const rowFloats = nB * cout;
  const offB = offs + (<usize>nA << 2);
  const jFirst = v + load<i32>(offB);
  const jLast = v + load<i32>(offB + (<usize>(nB - 1) << 2));
  const whole = c.mergeB !== 0 && jFirst >= 0 && jLast < g.outW;
  for (let ai = 0; ai < nA; ai++) {
    const i = u + load<i32>(offs + (<usize>ai << 2));
    if (i < 0 || i >= g.outH) {
      zeroF32(dst, rowFloats);
      dst += <usize>rowFloats << 2;
      continue;
    }
    const rowBase = (n * g.outH + i) * g.outW;
    if (whole) {
      copyF32(dst, dy + <usize>(rowBase + jFirst) * runBytes, rowFloats);
      dst += <usize>rowFloats << 2;
      continue;
    }
    for (let bi = 0; bi < nB; bi++, dst += runBytes) {
      const j = v + load<i32>(offB + (<usize>bi << 2));
      if (j < 0 || j >= g.outW) zeroF32(dst, cout);
      else copyF32(dst, dy + <usize>(rowBase + j) * runBytes, cout);
    }
  }
}

/** dx pixels of one chunk of one residue class. */
export function convBackpropInput(args: usize, chunk: i32, thread: i32): void {
  const g = changetype<BackpropInputArgs>(args);
  const entry = <usize>g.chunks + <usize>chunk * 12;
  const c = changetype<ResidueClass>(load<usize>(entry));
  const t0 = load<i32>(entry, 4);
  const t1 = load<i32>(entry, 8);
  const offs = changetype<usize>(c) + CLASS_BYTES;
  const k = c.nA * c.nB * g.outC;
  const n = g.inC;
  const plane = c.rows * c.cols;
  const scratch = <usize>g.scratch + <usize>thread * <usize>g.scratchStride;
  const rowBytes = <usize>((k * 4 + 63) & ~63);
  const tile = scratch + 6 * rowBytes;
  const cRows = tile + 6 * 32;
  const ldc = <usize>n << 2;
  const dy = <usize>g.dy;
  // Stride 1: the class is all of dx, in order, so the 6 rows are consecutive dx pixels.
  const contiguous = g.sh === 1 && g.sw === 1;
  let nb = t0 / plane;
  let u = (t0 - nb * plane) / c.cols;
  let v = t0 - nb * plane - u * c.cols;
  for (let t = t0; t < t1; t += 6) {
    const rows = min(6, t1 - t);
    for (let r = 0; r < 6; r++) {
      const dst = scratch + <usize>r * rowBytes;
      if (r >= rows) {
        zeroF32(dst, k);
        continue;
      }
      const p = c.p0 + u * g.sh;
      const q = c.q0 + v * g.sw;
      store<usize>(cRows + (<usize>r << 2), <usize>g.dx + (<usize>((nb * g.inH + p) * g.inW + q) * ldc));
      gatherGradientPatch(g, dy, c, offs, nb, u, v, dst);
      if (++v === c.cols) {
        v = 0;
        if (++u === c.rows) {
          u = 0;
          nb++;
        }
      }
    }
    if (k === 0) {
      // No tap reaches this class (stride larger than the dilated filter): dx is 0 there.
      for (let r = 0; r < rows; r++) zeroF32(load<usize>(cRows + (<usize>r << 2)), n);
      continue;
    }
    multiplyRows(k, n, scratch, rowBytes, c.panels, c.columns, rows, load<usize>(cRows), ldc, cRows, contiguous, tile);
  }
}

/*
 * conv2dBackpropFilter as dWᵀ[N, K] = dYᵀ · cols, summed over chunks of P output pixels.
 * The reduction runs over pixels, the outer axis of both row-major operands, so both are
 * packed per chunk into panels whose P steps are contiguous: dY into 6-column panels
 * `[nPad/6][P][6]` (the block's broadcast operand) and the patches straight from x into
 * 8-column panels `[kPad/8][P][8]` (its vector operand; with cin a multiple of 8 every run is
 * whole v128 moves). Read strided from row-major operands instead, the loop ran ≈ 15 % slower.
 */

@unmanaged
class BackpropFilterArgs extends Geometry {
  x: i32;
  dy: i32;
  /** Per-thread `[nPad, kPad]` accumulators of dWᵀ, `accStride` bytes apart. */
  acc: i32;
  accStride: i32;
  scratch: i32;
  scratchStride: i32;
  chunkPixels: i32;
  /** N rounded up to 6 and K rounded up to 8 (the register block of dWᵀ). */
  nPad: i32;
  kPad: i32;
}

/** Bytes of a thread's scratch for `convBackpropFilter`. */
export function filterScratchBytes(chunkPixels: i32, kPad: i32, nPad: i32, outW: i32): i32 {
  return chunkPixels * (kPad + nPad) * 4 + 64 + ((outW * 8 + 63) & ~63);
}

/** Copies `len` floats from `src` to patch entries `k0 …` of a pixel's panel column (entry k at `panels + (k >> 3)·panelBytes + (k & 7)·4`). */
@inline
function emitCopy(panels: usize, panelBytes: usize, k0: i32, src: usize, len: i32): void {
  let k = k0;
  const end = k0 + len;
  // Up to the next panel boundary, then whole panels, then the rest.
  const head = min(end, (k + 7) & ~7);
  for (; k < head; k++, src += 4) store<f32>(panels + <usize>(k >> 3) * panelBytes + (<usize>(k & 7) << 2), load<f32>(src));
  for (; k + 8 <= end; k += 8, src += 32) {
    const d = panels + <usize>(k >> 3) * panelBytes;
    v128.store(d, v128.load(src, 0), 0);
    v128.store(d, v128.load(src, 16), 16);
  }
  for (; k < end; k++, src += 4) store<f32>(panels + <usize>(k >> 3) * panelBytes + (<usize>(k & 7) << 2), load<f32>(src));
}

/** Zeros patch entries `k0 … k0 + len − 1` of a pixel's panel column. */
@inline
function emitZeros(panels: usize, panelBytes: usize, k0: i32, len: i32): void {
  let k = k0;
  const end = k0 + len;
  const z = f32x4.splat(0);
  const head = min(end, (k + 7) & ~7);
  for (; k < head; k++) store<f32>(panels + <usize>(k >> 3) * panelBytes + (<usize>(k & 7) << 2), 0);
  for (; k + 8 <= end; k += 8) {
    const d = panels + <usize>(k >> 3) * panelBytes;
    v128.store(d, z, 0);
    v128.store(d, z, 16);
  }
  for (; k < end; k++) store<f32>(panels + <usize>(k >> 3) * panelBytes + (<usize>(k & 7) << 2), 0);
}

/** `gatherPatch` into panel column `dst` (entry k at `dst + (k >> 3)·panelBytes + (k & 7)·4`). */
function gatherPatchPanels(g: Geometry, x: usize, n: i32, i: i32, j: i32, bLo: i32, bHi: i32, dst: usize, panelBytes: usize): void {
  const inC = g.inC;
  const kw = g.kw;
  const dw = g.dw;
  const h0 = i * g.sh - g.pt;
  const w0 = j * g.sw - g.pl;
  const rowLen = kw * inC;
  const head = bLo * inC;
  const body = (bHi - bLo) * inC;
  const tail = rowLen - head - body;
  const imageRow = n * g.inH;
  let k = 0;
  for (let a = 0; a < g.kh; a++, k += rowLen) {
    const ih = h0 + a * g.dh;
    if (ih < 0 || ih >= g.inH) {
      emitZeros(dst, panelBytes, k, rowLen);
      continue;
    }
    if (head > 0) emitZeros(dst, panelBytes, k, head);
    const base = ((imageRow + ih) * g.inW + w0) * inC;
    if (dw === 1) {
      emitCopy(dst, panelBytes, k + head, x + (<usize>(base + head) << 2), body);
    } else {
      for (let b = bLo; b < bHi; b++) emitCopy(dst, panelBytes, k + b * inC, x + (<usize>(base + b * dw * inC) << 2), inC);
    }
    if (tail > 0) emitZeros(dst, panelBytes, k + head + body, tail);
  }
}

/** Adds one chunk's `dYᵀ · cols` into the thread's dWᵀ accumulator. */
export function convBackpropFilter(args: usize, chunk: i32, thread: i32): void {
  const g = changetype<BackpropFilterArgs>(args);
  const k = g.kh * g.kw * g.inC;
  const n = g.outC;
  const kPad = g.kPad;
  const nPad = g.nPad;
  const plane = g.outH * g.outW;
  const m0 = chunk * g.chunkPixels;
  const rows = min(g.batch * plane, m0 + g.chunkPixels) - m0;
  const scratch = <usize>g.scratch + <usize>thread * <usize>g.scratchStride;
  const colPanels = scratch;
  const colPanelBytes = <usize>rows << 5;
  const dyPanels = colPanels + (<usize>(g.chunkPixels * kPad) << 2);
  const dyPanelBytes = <usize>rows * 24;
  const ranges = dyPanels + (<usize>(g.chunkPixels * nPad) << 2);
  const acc = <usize>g.acc + <usize>thread * <usize>g.accStride;
  const x = <usize>g.x;
  columnRanges(g, ranges);
  let nb = m0 / plane;
  let i = (m0 - nb * plane) / g.outW;
  let j = m0 - nb * plane - i * g.outW;
  for (let r = 0; r < rows; r++) {
    const col = colPanels + (<usize>r << 5);
    const range = ranges + (<usize>j << 3);
    gatherPatchPanels(g, x, nb, i, j, load<i32>(range), load<i32>(range, 4), col, colPanelBytes);
    if (kPad > k) emitZeros(col, colPanelBytes, k, kPad - k);
    if (++j === g.outW) {
      j = 0;
      if (++i === g.outH) {
        i = 0;
        nb++;
      }
    }
    // dY row m0 + r into the 6-wide panels, zero past n.
    const src = <usize>g.dy + (<usize>((m0 + r) * n) << 2);
    let d = dyPanels + <usize>r * 24;
    let c0 = 0;
    for (; c0 + 6 <= n; c0 += 6, d += dyPanelBytes) {
      const s = src + (<usize>c0 << 2);
      v128.store(d, v128.load(s));
      store<u64>(d, load<u64>(s, 16), 16);
    }
    if (c0 < nPad) {
      for (let t = 0; t < 6; t++) {
        const c = c0 + t;
        store<f32>(d + (<usize>t << 2), c < n ? load<f32>(src + (<usize>c << 2)) : 0);
      }
    }
  }
  const ldc = <usize>kPad << 2;
  for (let c0 = 0; c0 < nPad; c0 += 6) {
    const a = dyPanels + <usize>(c0 / 6) * dyPanelBytes;
    for (let k0 = 0; k0 < kPad; k0 += 8) {
      kernelCols(rows, a, 24, colPanels + <usize>(k0 >> 3) * colPanelBytes, 32, acc + (<usize>(c0 * kPad + k0) << 2), ldc, true);
    }
  }
}

/** `dw[k, j] = Σ_t acc_t[j, k]` over the `threads` dWᵀ accumulators `[nPad, kPad]`, cropped to `[k, n]`. */
export function sumFilterPartials(acc: usize, accStride: i32, threads: i32, k: i32, n: i32, kPad: i32, dw: usize): void {
  for (let j = 0; j < n; j++) {
    const s = acc + (<usize>(j * kPad) << 2);
    for (let r = 0; r < k; r++) {
      const o = <usize>r << 2;
      let v = load<f32>(s + o);
      for (let t = 1; t < threads; t++) v += load<f32>(s + <usize>t * <usize>accStride + o);
      store<f32>(dw + (<usize>(r * n + j) << 2), v);
    }
  }
}
