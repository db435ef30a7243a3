import type { ConvGeometry, FloatArray } from '@graft/ir';
import { Slot, scratch } from './workspace.ts';

/*
 * Convs with one input channel per group (groupInC = 1: the depthwise conv, and any grouped
 * conv with groups = cin), as direct loops. With m = groupOutC output channels per input
 * channel, output channel co reads input channel ⌊co / m⌋ through filter column co
 * (the filter is [kh, kw, 1, cout], tap t = a·kw + b at t·cout):
 *
 *     y[n, i, j, co]  = Σ_{a, b} x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, ⌊co/m⌋] · w[a, b, 0, co]
 *     dx[n, p, q, c]  = Σ over the (i, a), (j, b) that read (p, q), and co with ⌊co/m⌋ = c, of dy[n, i, j, co] · w[a, b, 0, co]
 *     dw[a, b, 0, co] = Σ_{n, i, j} x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, ⌊co/m⌋] · dy[n, i, j, co]
 *
 * Per tap this is one multiply-add per output channel, far too little for a GEMM (K = kh·kw,
 * N = m), so the loops run over pixels and taps with the channels innermost (contiguous in
 * NHWC), summing in float64.
 */

/** What the loops need, with the taps' x-offset deltas precomputed per output row. */
interface Walk {
  readonly batch: number;
  readonly outH: number;
  readonly outW: number;
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outC: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  readonly pt: number;
  readonly pl: number;
  readonly m: number;
}

function walk(g: ConvGeometry): Walk {
  return {
    batch: g.batch,
    outH: g.outH,
    outW: g.outW,
    inH: g.inH,
    inW: g.inW,
    inC: g.inC,
    outC: g.outC,
    kh: g.kh,
    kw: g.kw,
    sh: g.strides[0],
    sw: g.strides[1],
    dh: g.dilations[0],
    dw: g.dilations[1],
    pt: g.pads[0],
    pl: g.pads[2],
    m: g.groupOutC,
  };
}

// The three kernels share one loop nest over (n, i, j) and the in-bounds taps (a, b); each
// spells it out so that its channel loop is monomorphic and inlined.

export function depthwiseForward(g: ConvGeometry, x: FloatArray, w: FloatArray, out: FloatArray): void {
  const { batch, outH, outW, inH, inW, inC, outC, kh, kw, sh, sw, dh, dw, pt, pl, m } = walk(g);
  const acc = scratch(Slot.acc, outC);
  for (let n = 0; n < batch; n++) {
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        const yo = ((n * outH + i) * outW + j) * outC;
        acc.fill(0, 0, outC);
        for (let a = 0; a < kh; a++) {
          const p = i * sh + a * dh - pt;
          if (p < 0 || p >= inH) continue;
          for (let b = 0; b < kw; b++) {
            const q = j * sw + b * dw - pl;
            if (q < 0 || q >= inW) continue;
            const xo = ((n * inH + p) * inW + q) * inC;
            const wo = (a * kw + b) * outC;
            if (m === 1) for (let c = 0; c < inC; c++) acc[c]! += x[xo + c]! * w[wo + c]!;
            else {
              for (let c = 0, co = 0; c < inC; c++) {
                const v = x[xo + c]!;
                for (let k = 0; k < m; k++, co++) acc[co]! += v * w[wo + co]!;
              }
            }
          }
        }
        for (let co = 0; co < outC; co++) out[yo + co] = acc[co]!;
      }
    }
  }
}

export function depthwiseBackpropInput(g: ConvGeometry, dy: FloatArray, w: FloatArray, out: FloatArray): void {
  const { batch, outH, outW, inH, inW, inC, outC, kh, kw, sh, sw, dh, dw, pt, pl, m } = walk(g);
  const acc = scratch(Slot.acc, out.length);
  acc.fill(0, 0, out.length);
  for (let n = 0; n < batch; n++) {
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        const yo = ((n * outH + i) * outW + j) * outC;
        for (let a = 0; a < kh; a++) {
          const p = i * sh + a * dh - pt;
          if (p < 0 || p >= inH) continue;
          for (let b = 0; b < kw; b++) {
            const q = j * sw + b * dw - pl;
            if (q < 0 || q >= inW) continue;
            const xo = ((n * inH + p) * inW + q) * inC;
            const wo = (a * kw + b) * outC;
            if (m === 1) for (let c = 0; c < inC; c++) acc[xo + c]! += dy[yo + c]! * w[wo + c]!;
            else {
              for (let c = 0, co = 0; c < inC; c++) {
                let s = 0;
                for (let k = 0; k < m; k++, co++) s += dy[yo + co]! * w[wo + co]!;
                acc[xo + c]! += s;
              }
            }
          }
        }
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = acc[i]!;
}

export function depthwiseBackpropFilter(g: ConvGeometry, x: FloatArray, dy: FloatArray, out: FloatArray): void {
  const { batch, outH, outW, inH, inW, inC, outC, kh, kw, sh, sw, dh, dw, pt, pl, m } = walk(g);
  const acc = scratch(Slot.acc, out.length);
  acc.fill(0, 0, out.length);
  for (let n = 0; n < batch; n++) {
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        const yo = ((n * outH + i) * outW + j) * outC;
        for (let a = 0; a < kh; a++) {
          const p = i * sh + a * dh - pt;
          if (p < 0 || p >= inH) continue;
          for (let b = 0; b < kw; b++) {
            const q = j * sw + b * dw - pl;
            if (q < 0 || q >= inW) continue;
            const xo = ((n * inH + p) * inW + q) * inC;
            const wo = (a * kw + b) * outC;
            if (m === 1) for (let c = 0; c < inC; c++) acc[wo + c]! += x[xo + c]! * dy[yo + c]!;
            else {
              for (let c = 0, co = 0; c < inC; c++) {
                const v = x[xo + c]!;
                for (let k = 0; k < m; k++, co++) acc[wo + co]! += v * dy[yo + co]!;
              }
            }
          }
        }
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = acc[i]!;
}
