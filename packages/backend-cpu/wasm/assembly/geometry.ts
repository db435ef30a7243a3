/**
 * Conv and pooling geometry as the JS side writes it into linear memory (one i32 per field,
 * in this order; `geometryFields` in src/kernels/wasm/records.ts writes it). `in*` is the tensor the windows
 * slide over (x, or dx for the input gradient), `out*` the tensor of window positions (y or dy):
 *
 *     window (n, i, j) reads in[n, i·sh + a·dh − pt, j·sw + b·dw − pl, ·] for a < kh, b < kw.
 */
@unmanaged
export class Geometry {
  batch: i32;
  inH: i32;
  inW: i32;
  inC: i32;
  kh: i32;
  kw: i32;
  outH: i32;
  outW: i32;
  outC: i32;
  sh: i32;
  sw: i32;
  dh: i32;
  dw: i32;
  pt: i32;
  pl: i32;
}
