import type { ConvGeometry, FloatArray } from '@graft/ir';

/*
 * The patch matrix of a conv: row r = (n, i, j) is output pixel r of `[batch, outH, outW]`
 * in row-major order, column k = (a, b, ci) is filter entry k of `[kh, kw, cin]`, and
 *
 *     cols[r, k] = x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, ci]   (zero outside x).
 *
 * The HWIO filter flattened row-major is the `[kh·kw·cin, cout]` matrix W, so
 * `conv2d(x, w) = cols · W`, `backpropInput = col2im(dy · Wᵀ)` and `backpropFilter = colsᵀ · dy`.
 */

/**
 * Writes rows `r0 … r0 + rows − 1` of the patch matrix of `x` into `cols` (row-major, row
 * length `kh·kw·cc`), every element written. The patch reads channels `c0 … c0 + cc − 1` of x
 * (one group of a grouped conv; all channels by default).
 */
export function im2col(x: FloatArray, g: ConvGeometry, r0: number, rows: number, cols: Float64Array, c0 = 0, cc = g.inC): void {
  const { inH, inW, kh, kw, outH, outW } = g;
  const xC = g.inC;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const pt = g.pads[0];
  const pl = g.pads[2];
  const rowLen = kw * cc;
  const step = dw * xC;
  const plane = outH * outW;
  let n = Math.floor(r0 / plane);
  let i = Math.floor((r0 - n * plane) / outW);
  let j = r0 - n * plane - i * outW;
  let d = 0;
  for (let r = 0; r < rows; r++) {
    const xn = n * inH * inW * xC + c0;
    const h0 = i * sh - pt;
    const w0 = j * sw - pl;
    // 0 ≤ w0 + b·dw < inW  ⇔  bLo ≤ b < bHi.
    const bLo = Math.min(kw, w0 < 0 ? Math.ceil(-w0 / dw) : 0);
    const bHi = Math.max(bLo, Math.min(kw, Math.ceil((inW - w0) / dw)));
    for (let a = 0; a < kh; a++) {
      const ih = h0 + a * dh;
      if (ih < 0 || ih >= inH) {
        cols.fill(0, d, d + rowLen);
        d += rowLen;
        continue;
      }
      // Taps b in [bLo, bHi) read x; the others read padding. With dw = 1 and every channel they are one contiguous run.
      const head = bLo * cc;
      const body = (bHi - bLo) * cc;
      for (let t = 0; t < head; t++) cols[d++] = 0;
      let s = xn + (ih * inW + w0 + bLo * dw) * xC;
      if (dw === 1 && cc === xC) {
        for (let t = 0; t < body; t++) cols[d++] = x[s++]!;
      } else {
        for (let b = bLo; b < bHi; b++, s += step) {
          for (let ci = 0; ci < cc; ci++) cols[d++] = x[s + ci]!;
        }
      }
      for (let t = head + body; t < rowLen; t++) cols[d++] = 0;
    }
    if (++j === outW) {
      j = 0;
      if (++i === outH) {
        i = 0;
        n++;
      }
    }
  }
}

/**
 * The adjoint of `im2col`: adds rows `r0 … r0 + rows − 1` of `dcols` into `dx` at the x
 * element each patch entry was read from (entries that read padding are dropped), channels
 * `c0 … c0 + cc − 1`. `dx` is not cleared.
 */
export function col2im(dcols: Float64Array, g: ConvGeometry, r0: number, rows: number, dx: FloatArray, c0 = 0, cc = g.inC): void {
  const { inH, inW, kh, kw, outH, outW } = g;
  const xC = g.inC;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const pt = g.pads[0];
  const pl = g.pads[2];
  const rowLen = kw * cc;
  const step = dw * xC;
  const plane = outH * outW;
  let n = Math.floor(r0 / plane);
  let i = Math.floor((r0 - n * plane) / outW);
  let j = r0 - n * plane - i * outW;
  let d = 0;
  for (let r = 0; r < rows; r++) {
    const xn = n * inH * inW * xC + c0;
    const h0 = i * sh - pt;
    const w0 = j * sw - pl;
    // 0 ≤ w0 + b·dw < inW  ⇔  bLo ≤ b < bHi.
    const bLo = Math.min(kw, w0 < 0 ? Math.ceil(-w0 / dw) : 0);
    const bHi = Math.max(bLo, Math.min(kw, Math.ceil((inW - w0) / dw)));
    for (let a = 0; a < kh; a++) {
      const ih = h0 + a * dh;
      if (ih < 0 || ih >= inH) {
        d += rowLen;
        continue;
      }
      d += bLo * cc;
      let s = xn + (ih * inW + w0 + bLo * dw) * xC;
      if (dw === 1 && cc === xC) {
        const body = (bHi - bLo) * cc;
        for (let t = 0; t < body; t++) dx[s++]! += dcols[d++]!;
      } else {
        for (let b = bLo; b < bHi; b++, s += step) {
          for (let ci = 0; ci < cc; ci++) dx[s + ci]! += dcols[d++]!;
        }
      }
      d += (kw - bHi) * cc;
    }
    if (++j === outW) {
      j = 0;
      if (++i === outH) {
        i = 0;
        n++;
      }
    }
  }
}
