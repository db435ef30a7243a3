import { fmtShape } from '../errors.ts';
import { convGeometry, shapesEqualOrThrow, type ConvGeometry } from '../shape/conv.ts';
import type { Shape } from '../shape/shape.ts';
import {
  backpropInput,
  convAttrs,
  convExampleConfigs,
  formatConvAttrs,
  normalizeConv,
  normalizeShapeAttr,
  type ConvAttrs,
  type ConvOptions,
} from './conv-common.ts';
import { bilinearJvp, defineOp } from './record.ts';

export interface BackpropFilterOptions extends ConvOptions {
  /** Shape of the forward conv's filter w, `[kh, kw, cin / groups, cout]`. */
  readonly filterShape: Shape;
}
export interface BackpropFilterAttrs extends ConvAttrs {
  readonly filterShape: Shape;
}

/**
 * d(loss)/dw of `conv2d(x, w)` given dy:
 * `dw[a, b, ci, co] = Σ_{n, i, j} x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, k·cg + ci] · dy[n, i, j, co]`
 * with k the group of co.
 */
export const conv2dBackpropFilter = defineOp<'conv2dBackpropFilter', BackpropFilterOptions, BackpropFilterAttrs, 'x' | 'dy', ConvGeometry>({
  name: 'conv2dBackpropFilter',
  operands: ['x', 'dy'],
  doc: 'dw of conv2d given x and dy',
  infer([x, dy], opts) {
    const op = 'conv2dBackpropFilter';
    const filterShape = normalizeShapeAttr(op, 'filterShape', opts.filterShape);
    const attrs = { ...normalizeConv(op, opts), filterShape };
    const geometry = convGeometry(op, x!.shape, filterShape, attrs.strides, attrs.padding, attrs.dilations, { x: 'x', w: 'filterShape' }, attrs.groups);
    shapesEqualOrThrow(op, 'dy', dy!.shape, 'conv2d(x, filterShape) output', geometry.outShape, { x: x!.shape, filterShape });
    return { attrs, shape: filterShape, geometry };
  },
  vjp: {
    x: ({ g, inputs: [x, dy], attrs, dy: ct }) => backpropInput(g, dy!, ct, x!.shape, attrs),
    dy: ({ g, inputs: [x], attrs, dy: ct }) => g.conv2d(x!, ct, convAttrs(attrs)),
  },
  jvp: bilinearJvp((g, [x, dy], attrs) => g.conv2dBackpropFilter(x!, dy!, attrs)),
  examples: convExampleConfigs.map((c) => {
    const g = convGeometry('conv2dBackpropFilter', c.x, c.w, c.attrs.strides, c.attrs.padding, c.attrs.dilations, undefined, c.attrs.groups);
    return { name: c.name, inputs: [c.x, g.outShape], attrs: { ...c.attrs, filterShape: c.w } };
  }),
  formatAttrs: formatConvAttrs,
});
