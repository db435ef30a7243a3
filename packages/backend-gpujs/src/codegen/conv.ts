import type { ConvGeometry, Node } from '@graft/ir';
import { float, int, Source } from './source.ts';
import { kernel, type StepCode } from './spec.ts';

/*
 * The conv family, one thread per output element, in gather form (each thread sums the
 * terms that land on it, so no two threads write one element). With
 * `p = i·sh + a·dh − pt` and `q = j·sw + b·dw − pl` (the geometry record's padding):
 *
 *     conv2d:               y[n, i, j, co]  = Σ_{a, b, ci} x[n, p, q, ci] · w[a, b, ci, co]
 *     conv2dBackpropInput:  dx[n, p, q, ci] = Σ_{a, b, co} dy[n, i, j, co] · w[a, b, ci, co]
 *                           over the (a, b) for which i = (p + pt − a·dh)/sh is an integer in range
 *     conv2dBackpropFilter: dw[a, b, ci, co] = Σ_{n, i, j} x[n, p, q, ci] · dy[n, i, j, co]
 *
 * conv2dTranspose is conv2dBackpropInput with inputShape = outputShape. With groups, ci runs
 * over the cg = cin / groups channels of the group k of co (x channel k·cg + ci, filter
 * in-channel ci), and co over the ng = cout / groups channels of the group of ci; the
 * depthwise ops are these with groups = channels. Every generator reads the node's geometry.
 */

/** `lo ≤ v < hi` as a condition, omitting a side that always holds (v ranges over [min, max]). */
function inRange(v: string, min: number, max: number, size: number): string[] {
  const c: string[] = [];
  if (min < 0) c.push(`${v} >= 0.0`);
  if (max >= size) c.push(`${v} < ${float(size)}`);
  return c;
}

function guarded(src: Source, conds: readonly string[], body: () => void): void {
  if (conds.length > 0) src.emit(`if (${conds.join(' && ')}) {`);
  body();
  if (conds.length > 0) src.emit('}');
}

/** `y = conv2d(x, w)` (and `depthwiseConv2d`). */
export function conv2d(node: Node<'conv2d' | 'depthwiseConv2d'>): StepCode {
  return kernel(forwardSource(node.geometry), node.size, 2);
}

function forwardSource(g: ConvGeometry): string {
  const { inH: H, inW: W, inC: C, kh: KH, kw: KW, outC: CO, outH: OH, outW: OW, groupInC: CG, groupOutC: NG } = g;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const [pt, , pl] = g.pads;
  const src = new Source();
  const [n, i, j, co] = src.unravel('o', [g.batch, OH, OW, CO]) as [string, string, string, string];
  const s = src.let('s', '0.0');
  const h0 = src.let('h', `${i} * ${float(sh)} - ${float(pt)}`);
  const w0 = src.let('w', `${j} * ${float(sw)} - ${float(pl)}`);
  // x's offset of (n, 0, 0, first channel of co's group).
  const xn = src.let('xn', g.groups === 1 ? `${n} * ${float(H * W * C)}` : `${n} * ${float(H * W * C)} + ${src.divmod(co, NG).q} * ${float(CG)}`);
  src.emit(`for (var a = 0; a < ${int(KH)}; a++) {`);
  const ih = src.let('ih', `${h0} + a * ${float(dh)}`);
  guarded(src, inRange(ih, -pt, (OH - 1) * sh + (KH - 1) * dh - pt, H), () => {
    src.emit(`for (var b = 0; b < ${int(KW)}; b++) {`);
    const iw = src.let('iw', `${w0} + b * ${float(dw)}`);
    guarded(src, inRange(iw, -pl, (OW - 1) * sw + (KW - 1) * dw - pl, W), () => {
      const xo = src.let('xo', `${xn} + ${ih} * ${float(W * C)} + ${iw} * ${float(C)}`);
      const wo = src.let('wo', `a * ${float(KW * CG * CO)} + b * ${float(CG * CO)} + ${co}`);
      src.emit(`for (var ci = 0; ci < ${int(CG)}; ci++) { ${s} = ${s} + x0[${xo} + ci] * x1[${wo} + ci * ${float(CO)}]; }`);
    });
    src.emit('}');
  });
  src.emit('}');
  return src.function(2, s);
}

/** `dx = conv2dBackpropInput(dy, w)` (and `depthwiseConv2dBackpropInput`): the transpose of conv2d as a linear map in x. */
export function conv2dBackpropInput(node: Node<'conv2dBackpropInput' | 'depthwiseConv2dBackpropInput'>): StepCode {
  return kernel(transposeSource(node.geometry), node.size, 2);
}

/** `conv2dTranspose(v, w, outputShape)` = `conv2dBackpropInput(v, w, inputShape = outputShape)`. */
export function conv2dTranspose(node: Node<'conv2dTranspose'>): StepCode {
  return kernel(transposeSource(node.geometry), node.size, 2);
}

function transposeSource(g: ConvGeometry): string {
  const { inH: H, inW: W, inC: C, kh: KH, kw: KW, outC: CO, outH: OH, outW: OW, groupInC: CG, groupOutC: NG } = g;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const [pt, , pl] = g.pads;
  const src = new Source();
  const [n, p, q, c] = src.unravel('o', [g.batch, H, W, C]) as [string, string, string, string];
  // Channel c is channel ci of group k; the group's outputs are dy channels k·ng ….
  const { q: k, r: ci } = g.groups === 1 ? { q: '0.0', r: c } : src.divmod(c, CG);
  const s = src.let('s', '0.0');
  const dyn = src.let('dn', g.groups === 1 ? `${n} * ${float(OH * OW * CO)}` : `${n} * ${float(OH * OW * CO)} + ${k} * ${float(NG)}`);
  // The output row i that tap a reads at row p: i·sh = p + pt − a·dh, so i exists when that is
  // a non-negative multiple of sh below OH·sh.
  const tapRow = (coord: string, tap: string, pad: number, dil: number, stride: number, out: number, size: number, kSize: number) => {
    const t = src.let('t', `${coord} + ${float(pad)} - ${tap} * ${float(dil)}`);
    const conds = inRange(t, pad - (kSize - 1) * dil, size - 1 + pad, out * stride);
    if (stride === 1) return { index: t, conds };
    const { q: idx, r } = src.divmod(t, stride);
    return { index: idx, conds: [...conds, `${r} == 0.0`] };
  };
  src.emit(`for (var a = 0; a < ${int(KH)}; a++) {`);
  // The divmod of a negative t is never used: the range condition fails first in value, and
  // divmod is exact for any integer-valued t.
  const row = tapRow(p, 'a', pt, dh, sh, OH, H, KH);
  guarded(src, row.conds, () => {
    src.emit(`for (var b = 0; b < ${int(KW)}; b++) {`);
    const col = tapRow(q, 'b', pl, dw, sw, OW, W, KW);
    guarded(src, col.conds, () => {
      const dyo = src.let('yo', `${dyn} + ${row.index} * ${float(OW * CO)} + ${col.index} * ${float(CO)}`);
      const wo = src.let('wo', `a * ${float(KW * CG * CO)} + b * ${float(CG * CO)} + ${ci} * ${float(CO)}${g.groups === 1 ? '' : ` + ${k} * ${float(NG)}`}`);
      src.emit(`for (var co = 0; co < ${int(NG)}; co++) { ${s} = ${s} + x0[${dyo} + co] * x1[${wo} + co]; }`);
    });
    src.emit('}');
  });
  src.emit('}');
  return src.function(2, s);
}

/** `dw = conv2dBackpropFilter(x, dy)` (and `depthwiseConv2dBackpropFilter`). */
export function conv2dBackpropFilter(node: Node<'conv2dBackpropFilter' | 'depthwiseConv2dBackpropFilter'>): StepCode {
  const g = node.geometry;
  const { batch: N, inH: H, inW: W, inC: C, kh: KH, kw: KW, outC: CO, outH: OH, outW: OW, groupInC: CG, groupOutC: NG } = g;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilations;
  const [pt, , pl] = g.pads;
  const src = new Source();
  const [a, b, cf, co] = src.unravel('o', [KH, KW, CG, CO]) as [string, string, string, string];
  // Filter in-channel cf of output channel co reads x channel k·cg + cf, k the group of co.
  const ci = g.groups === 1 ? cf : src.let('ci', `${src.divmod(co, NG).q} * ${float(CG)} + ${cf}`);
  const s = src.let('s', '0.0');
  const h0 = src.let('h', `${a} * ${float(dh)} - ${float(pt)}`);
  const w0 = src.let('w', `${b} * ${float(dw)} - ${float(pl)}`);
  src.emit(`for (var n = 0; n < ${int(N)}; n++) {`);
  src.emit(`for (var i = 0; i < ${int(OH)}; i++) {`);
  const ih = src.let('ih', `${h0} + i * ${float(sh)}`);
  guarded(src, inRange(ih, -pt, (OH - 1) * sh + (KH - 1) * dh - pt, H), () => {
    const xr = src.let('xr', `n * ${float(H * W * C)} + ${ih} * ${float(W * C)} + ${ci}`);
    const yr = src.let('yr', `n * ${float(OH * OW * CO)} + i * ${float(OW * CO)} + ${co}`);
    src.emit(`for (var j = 0; j < ${int(OW)}; j++) {`);
    const iw = src.let('iw', `${w0} + j * ${float(sw)}`);
    guarded(src, inRange(iw, -pl, (OW - 1) * sw + (KW - 1) * dw - pl, W), () => {
      src.emit(`${s} = ${s} + x0[${xr} + ${iw} * ${float(C)}] * x1[${yr} + j * ${float(CO)}];`);
    });
    src.emit('}');
  });
  src.emit('}');
  src.emit('}');
  return kernel(src.function(2, s), node.size, 2);
}
