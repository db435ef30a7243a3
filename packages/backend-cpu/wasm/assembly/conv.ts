/*
 * The conv family as implicit GEMMs over one register block (gemm.ts). With M output pixels,
 * K = kh·kw·cin patch entries and N = cout:
 *
 *     conv2d:               Y[M, N] = cols[M, K] · W[K, N]
 *     conv2dBackpropInput:  dX = Σ over residue classes of dY-patches · W_ρ      (see below)
 *     conv2dBackpropFilter: dWᵀ[N, K] = dY[M, N]ᵀ · cols[M, K]
 *
 * cols is never built whole. The forward pass reads the windows of 6 pixels straight from x
 * where they lie inside it, and otherwise (like the input gradient) gathers the 6 patch rows of
 * one register block into L1 right before they meet every column panel of the packed filter,
 * so gathering costs ≈ 1.5/N of the multiply-adds. Work is split into chunks of output pixels
 * (a chunk is what one thread takes; see src/kernels/wasm/threads.ts), and every chunk function
 * takes `(args, chunk, thread)`: the argument record, the chunk index, and the thread index that
 * selects the thread's scratch region. Pixel indices are walked incrementally: an integer
 * division costs as much as a dozen multiply-adds, and small-K convs would spend their time there.
 */
import { Geometry } from './geometry';
import { dotRows, dotRowsEnd, dotRowsFirst, dotRowsNext, kernelColsAdd, kernelRows, kernelRowsAdd, kernelRowsList } from './gemm';
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

/**
 * Bytes of a thread's scratch for `convForward` and `convBackpropInput`: 6 gathered rows of
 * K floats, the tile, the C row addresses, the segment list (`taps` pairs) and the column
 * ranges (`outW` pairs; none for a pointwise conv).
 */
export function gemmScratchBytes(k: i32, outW: i32, taps: i32): i32 {
  return 6 * ((k * 4 + 63) & ~63) + <i32>LIST + ((taps * 8 + 63) & ~63) + ((outW * 8 + 63) & ~63);
}

/** Offsets from the tile (6 rows of 8 floats) in a thread's scratch: dot lane sums, C row addresses, segment list. */
const ACC: usize = 6 * 32;
const C_ROWS: usize = ACC + 96;
const IN_PLACE_ROWS: usize = C_ROWS + 32;
const LIST: usize = IN_PLACE_ROWS + 32;

/** Segments shorter than this go to `kernelRowsList` (one call for all of them). */
const LIST_RUN = 48;

/**
 * Multiplies 6 rows of A by every column panel of B and writes row r of the result to
 * `c + r·ldc` when `contiguous`, else to the row address at `cRows + 4r`; `rows` of the 6 are
 * real. A is `segs` segments listed at `list` as `[a_s, k_s]` pairs: segment s is `len` floats
 * per row, row r at `a_s + r·lda`, and meets B's rows from row k_s on (segments leave out the
 * filter rows that fall in the padding). Segments of at least LIST_RUN floats are one kernel call
 * each, the later ones adding to C; shorter ones are one `kernelRowsList` call. Either way every
 * output element sums its terms in the order of one call over all of K.
 */
function multiplyRows(
  k: i32, n: i32, segs: i32, len: i32, list: usize, lda: usize, panels: usize, columns: usize,
  rows: i32, c: usize, ldc: usize, cRows: usize, contiguous: bool, tile: usize,
): void {
  if (n >= 8) {
    for (let q0 = 0; q0 < n; q0 += 8) {
      const bp = panels + (<usize>q0 * <usize>k << 2);
      const width = min(8, n - q0);
      const direct = contiguous && rows === 6 && width === 8;
      const dst = direct ? c + (<usize>q0 << 2) : tile;
      const ldd = direct ? ldc : 32;
      if (segs === 0) kernelRows(0, tile, 0, bp, 32, dst, ldd);
      else if (segs > 1 && len < LIST_RUN) kernelRowsList(segs, len, list, lda, bp, 32, dst, ldd);
      else for (let s = 0; s < segs; s++) {
        const e = list + (<usize>s << 3);
        const b = bp + (<usize>load<i32>(e, 4) << 5);
        if (s === 0) kernelRows(len, load<usize>(e), lda, b, 32, dst, ldd);
        else kernelRowsAdd(len, load<usize>(e), lda, b, 32, dst, ldd);
      }
      if (!direct) scatterTile(tile, rows, width, c + (<usize>q0 << 2), ldc, cRows, q0, contiguous);
    }
  } else {
    // The narrow path: one column at a time, vectorised along K (parts must be multiples of 4).
    const acc = tile + ACC;
    for (let j = 0; j < n; j++) {
      const column = columns + (<usize>j * <usize>k << 2);
      const out = tile + (<usize>j << 2);
      if (segs === 1 && load<i32>(list, 4) === 0 && len === k) {
        dotRows(k, load<usize>(list), lda, column, out, 32);
        continue;
      }
      for (let s = 0; s < segs; s++) {
        const e = list + (<usize>s << 3);
        const b = column + (<usize>load<i32>(e, 4) << 2);
        if (s === 0) dotRowsFirst(len, load<usize>(e), lda, b, acc);
        else dotRowsNext(len, load<usize>(e), lda, b, acc);
      }
      if (segs === 0) for (let r = 0; r < 6; r++) store<f32>(out + (<usize>r << 5), 0);
      else dotRowsEnd(acc, out, 32);
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

/**
 * Shortest run (floats) read in place. For the 5-float runs of a 5×5 filter on one channel,
 * reading in place (one `kernelRowsList` call per panel) beat gathering; for the 3-float runs of
 * a 3×3 one too, once the list kernel had a straight-line version for them (x[16,28,28,1]
 * w[3,3,1,32]: gathered ≈ 15 GFLOP/s, in place ≈ 25 on Zen 5).
 */
const DIRECT_RUN = 3;

/**
 * Shortest tap (floats) read in place when dilated, where each tap is a run of its own: a 3×3
 * dilated filter on 16 channels is 9 runs of 16, and walking them cost more (26 GFLOP/s in the
 * segment list on Zen 5) than gathering the patches once and running the plain block over them
 * (35 GFLOP/s in the block, ≈ 31 with the gathering).
 */
const DILATED_RUN = 32;

/**
 * y rows of output pixels `[chunk·chunkPixels, …)`. Six consecutive pixels of one output row
 * whose windows lie inside x horizontally are read straight from x: their rows of each filter
 * row (or tap, when dilated) are one run each, `sw·cin` floats apart, and the filter rows that
 * fall in the vertical padding are left out. Other pixels are gathered (zeros for padding).
 */
export function convForward(args: usize, chunk: i32, thread: i32): void {
  const g = changetype<ForwardArgs>(args);
  const k = g.kh * g.kw * g.inC;
  const n = g.outC;
  const inC = g.inC;
  const plane = g.outH * g.outW;
  const m0 = chunk * g.chunkPixels;
  const m1 = min(g.batch * plane, m0 + g.chunkPixels);
  const scratch = <usize>g.scratch + <usize>thread * <usize>g.scratchStride;
  const rowBytes = <usize>((k * 4 + 63) & ~63);
  const tile = scratch + 6 * rowBytes;
  const list = tile + LIST;
  const ranges = list + ((<usize>(g.kh * g.kw) * 8 + 63) & ~63);
  const x = <usize>g.x;
  const y = <usize>g.y;
  const ldc = <usize>n << 2;
  const pointwise = g.pointwise !== 0;
  // Direct panels: runs of a filter row (dilation 1) or of one tap, when long enough to pay
  // for their segment setup, and only into 8-column panels (the narrow path wants whole rows).
  const runLen = g.dw === 1 ? g.kw * inC : inC;
  let jLo = g.outW;
  let jHi = 0;
  if (!pointwise) {
    columnRanges(g, ranges);
    if (n >= 8 && runLen >= (g.dw === 1 ? DIRECT_RUN : DILATED_RUN)) {
      for (let j = 0; j < g.outW; j++) {
        if (load<i32>(ranges + (<usize>j << 3)) === 0 && load<i32>(ranges + (<usize>j << 3), 4) === g.kw) {
          jLo = min(jLo, j);
          jHi = j + 1;
        }
      }
    }
  }
  const cRows = tile + C_ROWS;
  if (pointwise) {
    // cols is x: six consecutive rows of it in place, the last block's rows copied.
    for (let p = m0; p < m1; p += 6) {
      const rows = min(6, m1 - p);
      let a = x + (<usize>p * <usize>k << 2);
      let lda = <usize>k << 2;
      if (rows < 6) {
        for (let r = 0; r < 6; r++) {
          const dst = scratch + <usize>r * rowBytes;
          if (r < rows) copyF32(dst, a + <usize>r * lda, k);
          else zeroF32(dst, k);
        }
        a = scratch;
        lda = rowBytes;
      }
      store<usize>(list, a);
      store<i32>(list, 0, 4);
      multiplyRows(k, n, 1, k, list, lda, g.panels, g.columns, rows, y + <usize>p * ldc, ldc, 0, true, tile);
    }
    return;
  }
  // The walker: output pixel p is (nb, i, j). Pixels that start no in-place block queue up for
  // gathering, 6 to a block whose rows are written through `cRows`. The queue is flushed at the
  // top of the loop, when full or when the chunk is done: an in-place block can end the chunk
  // while pixels are queued (rows gathered at their left border and read in place to their end),
  // and a flush only after queuing a pixel left those pixels of y unwritten.
  let nb = m0 / plane;
  let i = (m0 - nb * plane) / g.outW;
  let j = m0 - nb * plane - i * g.outW;
  let p = m0;
  let queued = 0;
  while (true) {
    if (queued === 6 || (queued > 0 && p >= m1)) {
      for (let r = queued; r < 6; r++) zeroF32(scratch + <usize>r * rowBytes, k);
      store<usize>(list, scratch);
      store<i32>(list, 0, 4);
      // Six consecutive pixels (no in-place block between them) are six consecutive rows of y:
      // the block writes them directly instead of through the tile.
      const first = load<usize>(cRows);
      const consecutive = queued === 6 && load<usize>(cRows, 20) === first + 5 * ldc;
      if (consecutive) multiplyRows(k, n, 1, k, list, rowBytes, g.panels, g.columns, 6, first, ldc, 0, true, tile);
      else multiplyRows(k, n, 1, k, list, rowBytes, g.panels, g.columns, queued, 0, ldc, cRows, false, tile);
      queued = 0;
    }
    if (p >= m1) break;
    if (j >= jLo && j + 6 <= jHi && p + 6 <= m1) {
      let segs = 0;
      const h0 = i * g.sh - g.pt;
      const w0 = j * g.sw - g.pl;
      for (let a = 0; a < g.kh; a++) {
        const ih = h0 + a * g.dh;
        if (ih < 0 || ih >= g.inH) continue;
        const row = ((nb * g.inH + ih) * g.inW + w0) * inC;
        if (g.dw === 1) {
          store<usize>(list + (<usize>segs << 3), x + (<usize>row << 2));
          store<i32>(list + (<usize>segs << 3), a * runLen, 4);
          segs++;
        } else {
          for (let b = 0; b < g.kw; b++, segs++) {
            store<usize>(list + (<usize>segs << 3), x + (<usize>(row + b * g.dw * inC) << 2));
            store<i32>(list + (<usize>segs << 3), (a * g.kw + b) * inC, 4);
          }
        }
      }
      multiplyRows(k, n, segs, runLen, list, <usize>(g.sw * inC) << 2, g.panels, g.columns, 6, y + <usize>p * ldc, ldc, 0, true, tile);
      p += 6;
      j += 6;
      if (j === g.outW) {
        j = 0;
        if (++i === g.outH) {
          i = 0;
          nb++;
        }
      }
      continue;
    }
    const range = ranges + (<usize>j << 3);
    gatherPatch(g, x, nb, i, j, load<i32>(range), load<i32>(range, 4), scratch + <usize>queued * rowBytes);
    store<usize>(cRows + (<usize>queued << 2), y + <usize>p * ldc);
    p++;
    if (++j === g.outW) {
      j = 0;
      if (++i === g.outH) {
        i = 0;
        nb++;
      }
    }
    queued++;
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
  const offB = offs + (<usize>c.nA << 2);
  const cout = g.outC;
  const run = c.nB * cout;
  const k = c.nA * run;
  const n = g.inC;
  const plane = c.rows * c.cols;
  const scratch = <usize>g.scratch + <usize>thread * <usize>g.scratchStride;
  const rowBytes = <usize>((k * 4 + 63) & ~63);
  const tile = scratch + 6 * rowBytes;
  const cRows = tile + C_ROWS;
  const inPlaceRows = tile + IN_PLACE_ROWS;
  const list = tile + LIST;
  const ldc = <usize>n << 2;
  const dy = <usize>g.dy;
  // Stride 1: the class is all of dx, in order, so consecutive class pixels are consecutive dx pixels.
  const contiguous = g.sh === 1 && g.sw === 1;
  // Six pixels of one class row whose column taps are one dy run each (mergeB) and inside dy
  // are read in place, one segment per row tap (the narrow path needs runs of whole lanes).
  const inPlace = c.mergeB !== 0 && k > 0 && run >= 4 && (n >= 8 || (run & 3) === 0);
  const jFirst = c.nB > 0 ? load<i32>(offB) : 0;
  const jLast = c.nB > 0 ? load<i32>(offB + (<usize>(c.nB - 1) << 2)) : 0;
  let nb = t0 / plane;
  let u = (t0 - nb * plane) / c.cols;
  let v = t0 - nb * plane - u * c.cols;
  let t = t0;
  let queued = 0;
  // The queue is flushed at the top of the loop, when full or when the chunk is done: as in
  // convForward, an in-place block can end the chunk (a class) while pixels gathered before it
  // are queued, and a flush only after queuing a pixel left them unwritten.
  while (true) {
    if (queued === 6 || (queued > 0 && t >= t1)) {
      if (k === 0) {
        // No tap reaches this class (stride larger than the dilated filter): dx is 0 there.
        for (let r = 0; r < queued; r++) zeroF32(load<usize>(cRows + (<usize>r << 2)), n);
      } else {
        for (let r = queued; r < 6; r++) zeroF32(scratch + <usize>r * rowBytes, k);
        store<usize>(list, scratch);
        store<i32>(list, 0, 4);
        multiplyRows(k, n, 1, k, list, rowBytes, c.panels, c.columns, queued, 0, ldc, cRows, false, tile);
      }
      queued = 0;
    }
    if (t >= t1) break;
    if (inPlace && t + 6 <= t1 && v + 6 <= c.cols && v + jFirst >= 0 && v + 5 + jLast < g.outW) {
      let segs = 0;
      for (let ai = 0; ai < c.nA; ai++) {
        const i = u + load<i32>(offs + (<usize>ai << 2));
        if (i < 0 || i >= g.outH) continue;
        const e = list + (<usize>segs << 3);
        store<usize>(e, dy + (<usize>(((nb * g.outH + i) * g.outW + v + jFirst) * cout) << 2));
        store<i32>(e, ai * run, 4);
        segs++;
      }
      const p = c.p0 + u * g.sh;
      const q = c.q0 + v * g.sw;
      const c0 = <usize>g.dx + (<usize>((nb * g.inH + p) * g.inW + q) * ldc);
      // The in-place block's rows are 6 consecutive class pixels: sw·n floats apart in dx.
      for (let r = 0; r < 6; r++) store<usize>(inPlaceRows + (<usize>r << 2), c0 + <usize>(r * g.sw) * ldc);
      multiplyRows(k, n, segs, run, list, <usize>cout << 2, c.panels, c.columns, 6, c0, ldc, inPlaceRows, contiguous, tile);
      t += 6;
      v += 6;
      if (v === c.cols) {
        v = 0;
        if (++u === c.rows) {
          u = 0;
          nb++;
        }
      }
      continue;
    }
    // Other pixels queue up for gathering, 6 to a block written through `cRows`.
    const p = c.p0 + u * g.sh;
    const q = c.q0 + v * g.sw;
    store<usize>(cRows + (<usize>queued << 2), <usize>g.dx + (<usize>((nb * g.inH + p) * g.inW + q) * ldc));
    gatherGradientPatch(g, dy, c, offs, nb, u, v, scratch + <usize>queued * rowBytes);
    t++;
    if (++v === c.cols) {
      v = 0;
      if (++u === c.rows) {
        u = 0;
        nb++;
      }
    }
    queued++;
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
  /** Per-group `[nPad, kPad]` accumulators of dWᵀ, `accStride` bytes apart. */
  acc: i32;
  accStride: i32;
  scratch: i32;
  scratchStride: i32;
  chunkPixels: i32;
  /** Pixels per group: a whole number of chunks, summed in order into the group's accumulator. */
  groupPixels: i32;
  /** N rounded up to 6 and K rounded up to 8 (the register block of dWᵀ); nPad = 0: dy read in place, K rounded up to 6 (`filterChunkInPlace`). */
  nPad: i32;
  kPad: i32;
}

/** Bytes of a thread's scratch for `convBackpropFilter`. */
export function filterScratchBytes(chunkPixels: i32, kPad: i32, nPad: i32, outW: i32): i32 {
  return chunkPixels * (kPad + nPad) * 4 + 64 + ((outW * 8 + 63) & ~63);
}

/**
 * Copies `len` floats from `src` to patch entries `k0 …` of a pixel's panel column: panels of
 * `w` (8 or 6, a constant where inlined) entries, entry k at `panels + ⌊k / w⌋·panelBytes + (k mod w)·4`.
 */
@inline
function emitCopy(w: i32, panels: usize, panelBytes: usize, k0: i32, src: usize, len: i32): void {
  let k = k0;
  const end = k0 + len;
  // Up to the next panel boundary, then whole panels, then the rest.
  const head = min(end, (k + w - 1) / w * w);
  for (; k < head; k++, src += 4) store<f32>(panels + <usize>(k / w) * panelBytes + (<usize>(k % w) << 2), load<f32>(src));
  for (; k + w <= end; k += w, src += <usize>w << 2) {
    const d = panels + <usize>(k / w) * panelBytes;
    v128.store(d, v128.load(src, 0), 0);
    if (w === 8) v128.store(d, v128.load(src, 16), 16);
    else store<u64>(d, load<u64>(src, 16), 16);
  }
  for (; k < end; k++, src += 4) store<f32>(panels + <usize>(k / w) * panelBytes + (<usize>(k % w) << 2), load<f32>(src));
}

/** Zeros patch entries `k0 … k0 + len − 1` of a pixel's panel column (panels of `w`, as `emitCopy`). */
@inline
function emitZeros(w: i32, panels: usize, panelBytes: usize, k0: i32, len: i32): void {
  let k = k0;
  const end = k0 + len;
  const z = f32x4.splat(0);
  const head = min(end, (k + w - 1) / w * w);
  for (; k < head; k++) store<f32>(panels + <usize>(k / w) * panelBytes + (<usize>(k % w) << 2), 0);
  for (; k + w <= end; k += w) {
    const d = panels + <usize>(k / w) * panelBytes;
    v128.store(d, z, 0);
    if (w === 8) v128.store(d, z, 16);
    else store<u64>(d, 0, 16);
  }
  for (; k < end; k++) store<f32>(panels + <usize>(k / w) * panelBytes + (<usize>(k % w) << 2), 0);
}

/** `gatherPatch` into panel column `dst` (panels of `w` entries, as `emitCopy`). */
@inline
function gatherPatchPanels(w: i32, g: Geometry, x: usize, n: i32, i: i32, j: i32, bLo: i32, bHi: i32, dst: usize, panelBytes: usize): void {
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
      emitZeros(w, dst, panelBytes, k, rowLen);
      continue;
    }
    if (head > 0) emitZeros(w, dst, panelBytes, k, head);
    const base = ((imageRow + ih) * g.inW + w0) * inC;
    if (dw === 1) {
      emitCopy(w, dst, panelBytes, k + head, x + (<usize>(base + head) << 2), body);
    } else {
      for (let b = bLo; b < bHi; b++) emitCopy(w, dst, panelBytes, k + b * inC, x + (<usize>(base + b * dw * inC) << 2), inC);
    }
    if (tail > 0) emitZeros(w, dst, panelBytes, k + head + body, tail);
  }
}

/**
 * Adds `dYᵀ · cols` over the pixels of one group into the group's dWᵀ accumulator, chunk by
 * chunk. Groups, not threads, own the partial sums, and `sumFilterPartials` adds them in group
 * order: the result does not depend on how many threads ran or which group each took.
 */
export function convBackpropFilter(args: usize, group: i32, thread: i32): void {
  const g = changetype<BackpropFilterArgs>(args);
  const p0 = group * g.groupPixels;
  const p1 = min(g.batch * g.outH * g.outW, p0 + g.groupPixels);
  const scratch = <usize>g.scratch + <usize>thread * <usize>g.scratchStride;
  const acc = <usize>g.acc + <usize>group * <usize>g.accStride;
  if (g.nPad === 0) {
    for (let m0 = p0; m0 < p1; m0 += g.chunkPixels) filterChunkInPlace(g, m0, min(g.chunkPixels, p1 - m0), scratch, acc);
    return;
  }
  for (let m0 = p0; m0 < p1; m0 += g.chunkPixels) filterChunk(g, m0, min(g.chunkPixels, p1 - m0), scratch, acc);
}

/**
 * The patches of pixels `[m0, m0 + rows)` into panels of `w` taps (8 or 6, a constant where
 * inlined): pixel r's column at `colPanels + r·w·4`, panels `rows·w·4` bytes apart, zeros from K
 * up to kPad. `ranges` is scratch for `columnRanges`.
 */
@inline
function gatherChunkPanels(w: i32, g: BackpropFilterArgs, m0: i32, rows: i32, colPanels: usize, ranges: usize): void {
  const k = g.kh * g.kw * g.inC;
  const kPad = g.kPad;
  const plane = g.outH * g.outW;
  const panelBytes = <usize>rows * <usize>(w << 2);
  const x = <usize>g.x;
  columnRanges(g, ranges);
  let nb = m0 / plane;
  let i = (m0 - nb * plane) / g.outW;
  let j = m0 - nb * plane - i * g.outW;
  for (let r = 0; r < rows; r++) {
    const col = colPanels + <usize>r * <usize>(w << 2);
    const range = ranges + (<usize>j << 3);
    gatherPatchPanels(w, g, x, nb, i, j, load<i32>(range), load<i32>(range, 4), col, panelBytes);
    if (kPad > k) emitZeros(w, col, panelBytes, k, kPad - k);
    if (++j === g.outW) {
      j = 0;
      if (++i === g.outH) {
        i = 0;
        nb++;
      }
    }
  }
}

/**
 * `filterChunk` with dy read where it lies (nPad = 0; outC a multiple of 8): the patches go into
 * panels of 6 taps (kPad = K rounded up to 6), and the block computes dW's 6 taps × 8 channels
 * with dy's rows as B — no dY panels to pack, no output channels padded to 6 (32 → 36), and the
 * accumulator is `[kPad, outC]`, dW's own layout.
 */
function filterChunkInPlace(g: BackpropFilterArgs, m0: i32, rows: i32, scratch: usize, acc: usize): void {
  const n = g.outC;
  const kPad = g.kPad;
  const colPanels = scratch;
  const colPanelBytes = <usize>rows * 24;
  gatherChunkPanels(6, g, m0, rows, colPanels, colPanels + (<usize>(g.chunkPixels * kPad) << 2));
  const dy = <usize>g.dy + (<usize>(m0 * n) << 2);
  const ld = <usize>n << 2;
  for (let k0 = 0; k0 < kPad; k0 += 6) {
    const a = colPanels + <usize>(k0 / 6) * colPanelBytes;
    for (let q = 0; q < n; q += 8) kernelColsAdd(rows, a, 24, dy + (<usize>q << 2), ld, acc + (<usize>(k0 * n + q) << 2), ld);
  }
}

/** Packs pixels `[m0, m0 + rows)` and adds their `dYᵀ · cols` into `acc`. */
function filterChunk(g: BackpropFilterArgs, m0: i32, rows: i32, scratch: usize, acc: usize): void {
  const n = g.outC;
  const kPad = g.kPad;
  const nPad = g.nPad;
  const colPanels = scratch;
  const colPanelBytes = <usize>rows << 5;
  const dyPanels = colPanels + (<usize>(g.chunkPixels * kPad) << 2);
  const dyPanelBytes = <usize>rows * 24;
  gatherChunkPanels(8, g, m0, rows, colPanels, dyPanels + (<usize>(g.chunkPixels * nPad) << 2));
  for (let r = 0; r < rows; r++) {
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
  // Each patch panel (8 columns of cols, P·32 bytes) meets every dY panel while it is in L1;
  // the dY panels (nPad/6 of P·24 bytes) stay in L1 (or L2) across the patch panels.
  const ldc = <usize>kPad << 2;
  for (let k0 = 0; k0 < kPad; k0 += 8) {
    const b = colPanels + <usize>(k0 >> 3) * colPanelBytes;
    for (let c0 = 0; c0 < nPad; c0 += 6) {
      kernelColsAdd(rows, dyPanels + <usize>(c0 / 6) * dyPanelBytes, 24, b, 32, acc + (<usize>(c0 * kPad + k0) << 2), ldc);
    }
  }
}

/** `dst[i] = Σ_t acc_t[i]`, i < count, over the `groups` accumulators `accStride` bytes apart, added in group order. */
export function sumPartials(acc: usize, accStride: i32, groups: i32, count: i32, dst: usize): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const p = acc + (<usize>i << 2);
    let v = v128.load(p);
    for (let t = 1; t < groups; t++) v = f32x4.add(v, v128.load(p + <usize>t * <usize>accStride));
    v128.store(dst + (<usize>i << 2), v);
  }
  for (; i < count; i++) {
    const p = acc + (<usize>i << 2);
    let v = load<f32>(p);
    for (let t = 1; t < groups; t++) v += load<f32>(p + <usize>t * <usize>accStride);
    store<f32>(dst + (<usize>i << 2), v);
  }
}

/** `dw[k, j] = Σ_t acc_t[j, k]` over the `groups` dWᵀ accumulators `[nPad, kPad]` in order, cropped to `[k, n]`. */
export function sumFilterPartials(acc: usize, accStride: i32, groups: i32, k: i32, n: i32, kPad: i32, dw: usize): void {
  for (let j = 0; j < n; j++) {
    const s = acc + (<usize>(j * kPad) << 2);
    for (let r = 0; r < k; r++) {
      const o = <usize>r << 2;
      let v = load<f32>(s + o);
      for (let t = 1; t < groups; t++) v += load<f32>(s + <usize>t * <usize>accStride + o);
      store<f32>(dw + (<usize>(r * n + j) << 2), v);
    }
  }
}

/** What `convFilterOneChannel` reads (its field order is the JS side's record). */
@unmanaged
class OneChannelFilterArgs extends Geometry {
  x: i32;
  dy: i32;
  /** Rows and row length of one image of x zero-padded (padding included, and room for the blocks' spare taps). */
  rows: i32;
  rowLen: i32;
  scratch: i32;
  scratchStride: i32;
  /** Per group: kh × blocks × 6 rows of outC accumulators, `accStride` bytes per group. */
  acc: i32;
  accStride: i32;
  groupImages: i32;
}

/**
 * The filter gradient of a 1-channel stride-1 (along W) conv, the first layer of a grayscale
 * CNN, for the images of group `group`: dW[a, b, ·] = Σ_(n,i,j) x[n, i·sh + a·dh − pt, j + b·dw − pl] ·
 * dy[n, i, j, ·]. For one output row and filter row a, the taps b of a block of 6 are six rows of
 * A read in place from the padded image row (dw floats apart, each a run along j), and dy's row
 * is B as it lies (outC floats per pixel, outC a multiple of 8): one `kernelRowsAdd` per 8
 * channels, no patches gathered. Each image is first copied, zero-padded, into the thread's
 * scratch. A block's taps past kw read padding and land in accumulator rows nobody reads.
 */
export function convFilterOneChannel(args: usize, group: i32, thread: i32): void {
  const g = changetype<OneChannelFilterArgs>(args);
  const n0 = group * g.groupImages;
  const n1 = min(g.batch, n0 + g.groupImages);
  const blocks = (g.kw + 5) / 6;
  const n = g.outC;
  const ldb = <usize>n << 2;
  const lda = <usize>g.dw << 2;
  const acc = <usize>g.acc + <usize>group * <usize>g.accStride;
  const xp = <usize>g.scratch + <usize>thread * <usize>g.scratchStride;
  const rowBytes = <usize>g.rowLen << 2;
  const copied = min(g.inW, g.rowLen - g.pl);
  for (let b = n0; b < n1; b++) {
    zeroF32(xp, g.rows * g.rowLen);
    if (copied > 0) {
      for (let h = 0; h < g.inH && h + g.pt < g.rows; h++) {
        copyF32(xp + <usize>(h + g.pt) * rowBytes + (<usize>g.pl << 2), <usize>g.x + (<usize>((b * g.inH + h) * g.inW) << 2), copied);
      }
    }
    for (let i = 0; i < g.outH; i++) {
      const dyRow = <usize>g.dy + <usize>((b * g.outH + i) * g.outW) * ldb;
      for (let a = 0; a < g.kh; a++) {
        const xRow = xp + <usize>(i * g.sh + a * g.dh) * rowBytes;
        for (let blk = 0; blk < blocks; blk++) {
          const ap = xRow + (<usize>(blk * 6 * g.dw) << 2);
          const c = acc + (<usize>((a * blocks + blk) * 6 * n) << 2);
          for (let q = 0; q < n; q += 8) kernelRowsAdd(g.outW, ap, lda, dyRow + (<usize>q << 2), ldb, c + (<usize>q << 2), ldb);
        }
      }
    }
  }
}
