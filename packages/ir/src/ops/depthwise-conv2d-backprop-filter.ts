import { fmtShape } from '../errors.ts';
import { depthwiseGeometry, shapesEqualOrThrow, type ConvGeometry } from '../shape/conv.ts';
import type { Shape } from '../shape/shape.ts';
import { normalizeShapeAttr, normalizeWindow } from './conv-common.ts';
import { depthwiseBackpropInput, depthwiseExampleConfigs, windowAttrs, type DepthwiseAttrs, type DepthwiseOptions } from './depthwise-common.ts';
import { bilinearJvp, defineOp } from './record.ts';

export interface DepthwiseBackpropFilterOptions extends DepthwiseOptions {
  /** Shape of the forward depthwise conv's filter, `[kh, kw, c, m]`. */
  readonly filterShape: Shape;
}
export interface DepthwiseBackpropFilterAttrs extends DepthwiseAttrs {
  readonly filterShape: Shape;
}

/**
 * d(loss)/dw of `depthwiseConv2d(x, w)` given dy (`tf.nn.depthwise_conv2d_backprop_filter`):
 * `dw[a, b, c, k] = Σ_{n, i, j} x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, c] · dy[n, i, j, c·m + k]`.
 */
export const depthwiseConv2dBackpropFilter = defineOp<
  'depthwiseConv2dBackpropFilter',
  DepthwiseBackpropFilterOptions,
  DepthwiseBackpropFilterAttrs,
  'x' | 'dy',
  ConvGeometry
>({
  name: 'depthwiseConv2dBackpropFilter',
  operands: ['x', 'dy'],
  doc: 'dw of depthwiseConv2d given x and dy',
  infer([x, dy], opts) {
    const op = 'depthwiseConv2dBackpropFilter';
    const filterShape = normalizeShapeAttr(op, 'filterShape', opts.filterShape);
    const attrs = { ...normalizeWindow(op, opts), filterShape };
    const geometry = depthwiseGeometry(op, x!.shape, filterShape, attrs.strides, attrs.padding, attrs.dilations, { x: 'x', w: 'filterShape' });
    shapesEqualOrThrow(op, 'dy', dy!.shape, 'depthwiseConv2d(x, filterShape) output', geometry.outShape, { x: x!.shape, filterShape });
    return { attrs, shape: filterShape, geometry };
  },
  vjp: {
    x: ({ g, inputs: [x, dy], attrs, dy: ct }) => depthwiseBackpropInput(g, dy!, ct, x!.shape, attrs),
    dy: ({ g, inputs: [x], attrs, dy: ct }) => g.depthwiseConv2d(x!, ct, windowAttrs(attrs)),
  },
  jvp: bilinearJvp((g, [x, dy], attrs) => g.depthwiseConv2dBackpropFilter(x!, dy!, attrs)),
  examples: depthwiseExampleConfigs.map((c) => {
    const g = depthwiseGeometry('depthwiseConv2dBackpropFilter', c.x, c.w, c.attrs.strides, c.attrs.padding, c.attrs.dilations);
    return { name: c.name, inputs: [c.x, g.outShape], attrs: { ...c.attrs, filterShape: c.w } };
  }),
});
