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

export interface TransposeConvOptions extends ConvOptions {
  /** Shape of the result; must be a shape that `conv2d(·, w)` maps to v's shape. */
  readonly outputShape: Shape;
}
export interface TransposeConvAttrs extends ConvAttrs {
  readonly outputShape: Shape;
}

/**
 * `tf.nn.conv2d_transpose(v, w, outputShape)`: the same computation as
 * `conv2dBackpropInput(v, w, inputShape = outputShape)`, used as learned up-sampling.
 * w is `[kh, kw, outChannels / groups, vChannels]`. With stride > 1 several output shapes map
 * to v's shape, so the output shape is an argument; an impossible one lists the valid sizes.
 */
export const conv2dTranspose = defineOp<'conv2dTranspose', TransposeConvOptions, TransposeConvAttrs, 'v' | 'w', ConvGeometry>({
  name: 'conv2dTranspose',
  operands: ['v', 'w'],
  doc: 'conv2d_transpose: conv2dBackpropInput with inputShape = outputShape',
  infer([v, w], opts) {
    const outputShape = normalizeShapeAttr('conv2dTranspose', 'outputShape', opts.outputShape);
    const attrs = { ...normalizeConv('conv2dTranspose', opts), outputShape };
    const geometry = transposeGeometry(
      'conv2dTranspose',
      v!.shape,
      w!.shape,
      outputShape,
      attrs.strides,
      attrs.padding,
      attrs.dilations,
      { dy: 'v', shape: 'outputShape' },
      attrs.groups,
    );
    return { attrs, shape: outputShape, geometry };
  },
  // Same map as conv2dBackpropInput(v, w): dv = conv2d(g, w), dw = F(g, v).
  vjp: {
    v: ({ g, inputs: [, w], attrs, dy: ct }) => g.conv2d(ct, w!, convAttrs(attrs)),
    w: ({ g, inputs: [v, w], attrs, dy: ct }) => backpropFilter(g, ct, v!, w!.shape, attrs),
  },
  jvp: bilinearJvp((g, [v, w], attrs) => g.conv2dTranspose(v!, w!, attrs)),
  examples: convExampleConfigs.map((c) => {
    const g = convGeometry('conv2dTranspose', c.x, c.w, c.attrs.strides, c.attrs.padding, c.attrs.dilations, undefined, c.attrs.groups);
    return { name: c.name, inputs: [g.outShape, c.w], attrs: { ...c.attrs, outputShape: c.x } };
  }),
  formatAttrs: formatConvAttrs,
});
