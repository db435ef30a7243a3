import type { ConvGeometry, Node } from '@graft/ir';
import { float, int, Source } from './source.ts';
import { kernel, type StepCode } from './spec.ts';

/*
 * Pooling windows follow conv geometry with a `[kh, kw]` window and no dilation:
 *
 *     window(n, i, j) = { x[n, i·sh + a − pt, j·sw + b − pl, c] : 0 ≤ a < kh, 0 ≤ b < kw, in bounds }
 *
 * Out-of-bounds positions are skipped (max pooling pads with −∞; the average is over the
 * in-bounds count, as TensorFlow). The argmax of a window is its first maximum in row-major
 * (a, b) order, as TensorFlow's CPU kernels and graft's reference executor.
 */

/**
 * Emits a scan of window (h0, w0) of x (channel `ch`, batch offset `xn`), calling `visit`
 * with each in-bounds position's row, column and offset inside the bounds checks.
 */
function scanWindow(src: Source, g: ConvGeometry, h0: string, w0: string, base: string, visit: (ih: string, iw: string, off: string) => void): void {
  const { inH: H, inW: W, inC: C, kh: KH, kw: KW } = g;
  const a = src.fresh('a');
  const b = src.fresh('b');
  src.emit(`for (var ${a} = 0; ${a} < ${int(KH)}; ${a}++) {`);
  const ih = src.let('ih', `${h0} + ${a}`);
  src.emit(`if (${ih} >= 0.0 && ${ih} < ${float(H)}) {`);
  src.emit(`for (var ${b} = 0; ${b} < ${int(KW)}; ${b}++) {`);
  const iw = src.let('iw', `${w0} + ${b}`);
  src.emit(`if (${iw} >= 0.0 && ${iw} < ${float(W)}) {`);
  visit(ih, iw, src.let('xo', `${base} + ${ih} * ${float(W * C)} + ${iw} * ${float(C)}`));
  src.emit('}}}}');
}

/**
 * The argmax of window (h0, w0): its offset in x, seeded with the first in-bounds element
 * (every window has one: explicit padding is smaller than the window, SAME at most k − 1).
 */
function argmax(src: Source, g: ConvGeometry, h0: string, w0: string, base: string): string {
  const { inW: W, inC: C } = g;
  const at = src.let('at', `${base} + (${h0} + Math.max(0.0, -${h0})) * ${float(W * C)} + (${w0} + Math.max(0.0, -${w0})) * ${float(C)}`);
  const m = src.let('m', `x0[${at}]`);
  scanWindow(src, g, h0, w0, base, (_ih, _iw, off) => {
    src.emit(`var e = x0[${off}];`);
    src.emit(`if (e > ${m}) { ${m} = e; ${at} = ${off}; }`);
  });
  return at;
}

/** The window of output element (n, i, j, c): its corner and x's offset of (n, 0, 0, c). */
function windowOf(src: Source, g: ConvGeometry) {
  const [sh, sw] = g.strides;
  const [pt, , pl] = g.pads;
  const [n, i, j, ch] = src.unravel('o', [g.batch, g.outH, g.outW, g.inC]) as [string, string, string, string];
  const h0 = src.let('h', `${i} * ${float(sh)} - ${float(pt)}`);
  const w0 = src.let('w', `${j} * ${float(sw)} - ${float(pl)}`);
  const base = src.let('xn', `${n} * ${float(g.inH * g.inW * g.inC)} + ${ch}`);
  return { h0, w0, base };
}

/** `tf.nn.max_pool2d`. */
export function maxPool(node: Node<'maxPool'>): StepCode {
  const g = node.geometry;
  const src = new Source();
  const { h0, w0, base } = windowOf(src, g);
  const at = argmax(src, g, h0, w0, base);
  return kernel(src.function(1, `x0[${at}]`), node.size, 1);
}

/** `tf.nn.avg_pool2d`: the mean over the window's in-bounds elements. */
export function avgPool(node: Node<'avgPool'>): StepCode {
  const g = node.geometry;
  const src = new Source();
  const { h0, w0, base } = windowOf(src, g);
  const s = src.let('s', '0.0');
  const count = src.let('k', '0.0');
  scanWindow(src, g, h0, w0, base, (_ih, _iw, off) => {
    src.emit(`${s} = ${s} + x0[${off}];`);
    src.emit(`${count} = ${count} + 1.0;`);
  });
  return kernel(src.function(1, `${s} / ${count}`), node.size, 1);
}

/** `y[n, i, j, c] = ddx[argmax of window (n, i, j, c)]`: the adjoint of maxPoolGrad in dy. */
export function maxPoolGradGrad(node: Node<'maxPoolGradGrad'>): StepCode {
  const g = node.geometry;
  const src = new Source();
  const { h0, w0, base } = windowOf(src, g);
  const at = argmax(src, g, h0, w0, base);
  return kernel(src.function(2, `x1[${at}]`), node.size, 2);
}

/**
 * `dx[argmax of window (n, i, j, c)] += dy[n, i, j, c]`, gathered: element (n, p, q, c) of dx
 * sums dy over the windows that contain it and whose argmax it is. Window i contains row p
 * when `i·sh − pt ≤ p ≤ i·sh − pt + kh − 1`, i.e. `i = ⌊(p + pt)/sh⌋ − t` for
 * `0 ≤ t < ⌈kh/sh⌉` with `i·sh − pt + kh > p` and `0 ≤ i < outH`.
 */
export function maxPoolGrad(node: Node<'maxPoolGrad'>): StepCode {
  const g = node.geometry;
  const { batch: N, inH: H, inW: W, inC: C, kh: KH, kw: KW, outH: OH, outW: OW } = g;
  const [sh, sw] = g.strides;
  const [pt, , pl] = g.pads;
  const src = new Source();
  const [n, p, q, ch] = src.unravel('o', [N, H, W, C]) as [string, string, string, string];
  const base = src.let('xn', `${n} * ${float(H * W * C)} + ${ch}`);
  const self = src.let('self', `${base} + ${p} * ${float(W * C)} + ${q} * ${float(C)}`);
  const dyn = src.let('dn', `${n} * ${float(OH * OW * C)} + ${ch}`);
  const { q: iTop } = src.divmod(`(${p} + ${float(pt)})`, sh);
  const { q: jTop } = src.divmod(`(${q} + ${float(pl)})`, sw);
  const s = src.let('s', '0.0');
  src.emit(`for (var ti = 0; ti < ${int(Math.ceil(KH / sh))}; ti++) {`);
  const i = src.let('i', `${iTop} - ti`);
  const h0 = src.let('h', `${i} * ${float(sh)} - ${float(pt)}`);
  src.emit(`if (${i} >= 0.0 && ${i} < ${float(OH)} && ${h0} + ${float(KH)} > ${p}) {`);
  src.emit(`for (var tj = 0; tj < ${int(Math.ceil(KW / sw))}; tj++) {`);
  const j = src.let('j', `${jTop} - tj`);
  const w0 = src.let('w', `${j} * ${float(sw)} - ${float(pl)}`);
  src.emit(`if (${j} >= 0.0 && ${j} < ${float(OW)} && ${w0} + ${float(KW)} > ${q}) {`);
  const at = argmax(src, g, h0, w0, base);
  src.emit(`if (${at} == ${self}) { ${s} = ${s} + x1[${dyn} + ${i} * ${float(OW * C)} + ${j} * ${float(C)}]; }`);
  src.emit('}}}}');
  return kernel(src.function(2, s), node.size, 2);
}
