import { convGeometry, transposeGeometry, type ConvGeometry } from '../shape/conv.ts';
import type { Shape } from '../shape/shape.ts';
import {
  backpropFilter,
  convAttrs,
  convExampleConfigs,
  formatConvAttrs,
  normalizeConv,
  normalizeShapeAttr,
  type ConvAttrs,
  type ConvOptions,
} from './conv-common.ts';
import { bilinearJvp, defineOp } from './record.ts';

export interface BackpropInputOptions extends ConvOptions {
  /** Shape of the forward conv's input x. */
  readonly inputShape: Shape;
}
export interface BackpropInputAttrs extends ConvAttrs {
  readonly inputShape: Shape;
}

/**
 * d(loss)/dx of `conv2d(x, w)` given dy = d(loss)/dy: the transpose of conv2d as a linear
 * map in x, `dx[n, p, q, k·cg + ci] = Σ dy[n, i, j, co] · w[a, b, ci, co]` over the output
 * channels co of group k and `p = i·sh + a·dh − pt`, `q = j·sw + b·dw − pl`.
 */
export const conv2dBackpropInput = defineOp<'conv2dBackpropInput', BackpropInputOptions, BackpropInputAttrs, 'dy' | 'w', ConvGeometry>({
  name: 'conv2dBackpropInput',
  operands: ['dy', 'w'],
  doc: 'dx of conv2d given dy: the transpose of conv2d as a linear map in x',
  infer([dy, w], opts) {
    const inputShape = normalizeShapeAttr('conv2dBackpropInput', 'inputShape', opts.inputShape);
    const attrs = { ...normalizeConv('conv2dBackpropInput', opts), inputShape };
    const geometry = transposeGeometry(
      'conv2dBackpropInput',
      dy!.shape,
      w!.shape,
      inputShape,
      attrs.strides,
      attrs.padding,
      attrs.dilations,
      undefined,
      attrs.groups,
    );
    return { attrs, shape: inputShape, geometry };
  },
  vjp: {
    dy: ({ g, inputs: [, w], attrs, dy: ct }) => g.conv2d(ct, w!, convAttrs(attrs)),
    w: ({ g, inputs: [dy, w], attrs, dy: ct }) => backpropFilter(g, ct, dy!, w!.shape, attrs),
  },
  jvp: bilinearJvp((g, [dy, w], attrs) => g.conv2dBackpropInput(dy!, w!, attrs)),
  examples: convExampleConfigs.map((c) => {
    const g = convGeometry('conv2dBackpropInput', c.x, c.w, c.attrs.strides, c.attrs.padding, c.attrs.dilations, undefined, c.attrs.groups);
    return { name: c.name, inputs: [g.outShape, c.w], attrs: { ...c.attrs, inputShape: c.x } };
  }),
  formatAttrs: formatConvAttrs,
});
