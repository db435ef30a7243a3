import { stridesOf as strides, type Node } from '@graft/ir';
import { dot, float, int, Source } from './source.ts';
import { kernel, type StepCode } from './spec.ts';

/*
 * Data movement: each output element reads at most one input element,
 *
 *     y[c] = x[Σ_d src_d(c)·stride_d]    (or 0 where the source coordinate does not exist),
 *
 * with the source coordinate per op: a permutation (transpose), size − 1 − c (reverse),
 * c − before (pad; out of range is padding), c / rate when divisible (dilate), the operand
 * whose slab holds c (concat).
 */

/** `y[i₀ … i_r] = x[j]` with `j[perm[k]] = i_k`. */
export function transpose(node: Node<'transpose'>): StepCode {
  const xs = strides(node.inputs[0]!.shape);
  const src = new Source();
  const c = src.unravel('o', node.shape);
  const offset = dot(c, node.attrs.perm.map((p) => xs[p]!));
  return kernel(src.function(1, `x0[${offset}]`), node.size, 1);
}

/** `y[… i_d …] = x[… size_d − 1 − i_d …]` on each reversed axis d. */
export function reverse(node: Node<'reverse'>): StepCode {
  const shape = node.shape;
  const src = new Source();
  const c = src.unravel('o', shape);
  const flipped = c.map((ci, d) => (node.attrs.axes.includes(d) && shape[d]! > 1 ? `(${float(shape[d]! - 1)} - ${ci})` : ci));
  return kernel(src.function(1, `x0[${dot(flipped, strides(shape))}]`), node.size, 1);
}

/** `y[c] = x[c − before]` where that is inside x, else 0; negative amounts crop. */
export function pad(node: Node<'pad'>): StepCode {
  const xShape = node.inputs[0]!.shape;
  const src = new Source();
  const c = src.unravel('o', node.shape);
  const conds: string[] = [];
  const xc = c.map((ci, d) => {
    const [before, after] = node.attrs.pads[d]!;
    if (before === 0 && after === 0) return ci;
    const v = before === 0 ? ci : src.let('p', `${ci} - ${float(before)}`);
    // Only positive amounts add positions outside x; a crop keeps every coordinate inside.
    if (before > 0) conds.push(`${v} >= 0.0`);
    if (after > 0) conds.push(`${v} < ${float(xShape[d]!)}`);
    return v;
  });
  const offset = dot(xc, strides(xShape));
  if (conds.length === 0) return kernel(src.function(1, `x0[${offset}]`), node.size, 1);
  const v = src.let('v', '0.0');
  src.emit(`if (${conds.join(' && ')}) { ${v} = x0[${offset}]; }`);
  return kernel(src.function(1, v), node.size, 1);
}

/** `y[n, i·rh, j·rw, c] = x[n, i, j, c]`, zero elsewhere. */
export function dilate(node: Node<'dilate'>): StepCode {
  const xShape = node.inputs[0]!.shape;
  const [rh, rw] = node.attrs.rates;
  const src = new Source();
  const [n, h, w, ch] = src.unravel('o', node.shape) as [string, string, string, string];
  const conds: string[] = [];
  const along = (coord: string, rate: number): string => {
    if (rate === 1) return coord;
    const { q, r } = src.divmod(coord, rate);
    conds.push(`${r} == 0.0`);
    return q;
  };
  const offset = dot([n, along(h, rh), along(w, rw), ch], strides(xShape));
  if (conds.length === 0) return kernel(src.function(1, `x0[${offset}]`), node.size, 1);
  const v = src.let('v', '0.0');
  src.emit(`if (${conds.join(' && ')}) { ${v} = x0[${offset}]; }`);
  return kernel(src.function(1, v), node.size, 1);
}

/**
 * `y[…, c, …] = xs[k][…, c − offsets[k], …]` for the operand k whose slab holds coordinate c
 * along the axis: a chain of range tests on that coordinate.
 */
export function concat(node: Node<'concat'>): StepCode {
  const { axis, offsets, sizes } = node.geometry;
  const src = new Source();
  const c = src.unravel('o', node.shape);
  const v = src.let('v', '0.0');
  node.inputs.forEach((x, k) => {
    const local = c.map((ci, d) => (d === axis && offsets[k]! > 0 ? `(${ci} - ${float(offsets[k]!)})` : ci));
    const read = `${v} = x${int(k)}[${dot(local, strides(x.shape))}];`;
    if (node.inputs.length === 1) src.emit(read);
    else if (k === 0) src.emit(`if (${c[axis]} < ${float(sizes[0]!)}) { ${read} }`);
    else if (k === node.inputs.length - 1) src.emit(`else { ${read} }`);
    else src.emit(`else if (${c[axis]} < ${float(offsets[k]! + sizes[k]!)}) { ${read} }`);
  });
  return kernel(src.function(node.inputs.length, v), node.size, node.inputs.length);
}

/** Row-major order is unchanged by a reshape: the output is the operand's data. */
export function reshape(_node: Node<'reshape'>): StepCode {
  return { kind: 'alias' };
}

/** A copy (used to upload fed data into a device handle). */
export function copyKernel(size: number): StepCode {
  int(size);
  return kernel(new Source().function(1, 'x0[o]'), size, 1);
}
