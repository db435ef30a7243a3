import { stridesOf as strides, type Node, type ReduceOp } from '@graft/ir';
import { dot, float, int, Source } from './source.ts';
import { kernel, type StepCode } from './spec.ts';

/*
 * Reductions: each output element is one thread that loops over the reduced axes (loop
 * bounds are literals, so every backend knows them at compile time). The output lists the
 * kept axes' elements in row-major order with or without keepDims, so its flat index
 * unravels over the kept sizes.
 */

/** Opens one literal-bounded loop per reduced axis; returns the offset expression inside them. */
function loopsOver(src: Source, sizes: readonly number[], str: readonly number[], base: string): { offset: string; close: string } {
  const terms = [base];
  sizes.forEach((size, i) => {
    if (size === 1) return;
    const r = src.fresh('r');
    src.emit(`for (var ${r} = 0; ${r} < ${int(size)}; ${r}++) {`);
    terms.push(str[i] === 1 ? r : `${r} * ${float(str[i]!)}`);
  });
  const open = sizes.filter((s) => s !== 1).length;
  return { offset: terms.filter((t) => t !== '0.0').join(' + ') || '0.0', close: '}'.repeat(open) };
}

/** `tf.reduce_sum` / `reduce_mean` / `reduce_max`. */
export function reduce(node: Node<ReduceOp>): StepCode {
  const x = node.inputs[0]!;
  const shape = x.shape;
  const xs = strides(shape);
  const axes = node.attrs.axes;
  const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const src = new Source();
  const keptCoords = src.unravel('o', kept.map((d) => shape[d]!));
  const base = src.let('b', dot(keptCoords, kept.map((d) => xs[d]!)));
  const count = axes.reduce((n, d) => n * shape[d]!, 1);
  if (node.op === 'max') {
    // Seeded with the first element of the window, so −∞ inputs stay −∞.
    const m = src.let('m', `x0[${base}]`);
    const { offset, close } = loopsOver(src, axes.map((d) => shape[d]!), axes.map((d) => xs[d]!), base);
    src.emit(`var e = x0[${offset}];`);
    src.emit(`if (e > ${m}) { ${m} = e; }`);
    src.emit(close);
    return kernel(src.function(1, m), node.size, 1);
  }
  const s = src.let('s', '0.0');
  const { offset, close } = loopsOver(src, axes.map((d) => shape[d]!), axes.map((d) => xs[d]!), base);
  src.emit(`${s} = ${s} + x0[${offset}];`);
  src.emit(close);
  return kernel(src.function(1, node.op === 'mean' ? `${s} / ${float(count)}` : s), node.size, 1);
}

/**
 * Softmax and logSoftmax along one axis. With the shape split as `[outer, len, inner]`, the
 * run through element o starts at `o − k·inner` (k its index along the axis), and
 *
 *     softmax(x)    = e^(x − m) / Σ e^(x − m)
 *     logSoftmax(x) = x − m − log Σ e^(x − m)      with m = max x (so no e^(x − m) exceeds 1).
 */
export function softmax(node: Node<'softmax' | 'logSoftmax'>): StepCode {
  const shape = node.shape;
  const axis = node.attrs.axis;
  const len = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const src = new Source();
  const { q: t } = src.divmod('o', inner);
  const { r: k } = src.divmod(t, len);
  const base = src.let('b', `o - ${k} * ${float(inner)}`);
  const at = (j: string) => (inner === 1 ? `${base} + ${j}` : `${base} + ${j} * ${float(inner)}`);
  const m = src.let('m', `x0[${base}]`);
  src.emit(`for (var j = 0; j < ${int(len)}; j++) { var e = x0[${at('j')}]; if (e > ${m}) { ${m} = e; } }`);
  // An all −∞ run has m = −∞; shifting by 0 keeps e^(−∞) = 0 instead of NaN.
  src.emit(`if (${m} < -3.0e38) { ${m} = 0.0; }`);
  const z = src.let('z', '0.0');
  src.emit(`for (var j2 = 0; j2 < ${int(len)}; j2++) { ${z} = ${z} + Math.exp(x0[${at('j2')}] - ${m}); }`);
  const value = node.op === 'logSoftmax' ? `x0[o] - ${m} - Math.log(${z})` : `Math.exp(x0[o] - ${m}) / ${z}`;
  return kernel(src.function(1, value), node.size, 1);
}
