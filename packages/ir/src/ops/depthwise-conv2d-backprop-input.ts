import { ShapeError, fmtShape } from '../errors.ts';
import { depthwiseAsGroupedFilter, depthwiseGeometry, transposeGeometry, type ConvGeometry } from '../shape/conv.ts';
import { checkRank, type Shape } from '../shape/shape.ts';
import { normalizeShapeAttr, normalizeWindow } from './conv-common.ts';
import { depthwiseBackpropFilter, depthwiseExampleConfigs, windowAttrs, type DepthwiseAttrs, type DepthwiseOptions } from './depthwise-common.ts';
import { bilinearJvp, defineOp } from './record.ts';

export interface DepthwiseBackpropInputOptions extends DepthwiseOptions {
  /** Shape of the forward depthwise conv's input x. */
  readonly inputShape: Shape;
}
export interface DepthwiseBackpropInputAttrs extends DepthwiseAttrs {
  readonly inputShape: Shape;
}

/**
 * d(loss)/dx of `depthwiseConv2d(x, w)` given dy (`tf.nn.depthwise_conv2d_backprop_input`):
 * `dx[n, p, q, c] = Σ_{a, b, k} dy[n, i, j, c·m + k] · w[a, b, c, k]` over `p = i·sh + a·dh − pt`,
 * `q = j·sw + b·dw − pl`.
 */
export const depthwiseConv2dBackpropInput = defineOp<
  'depthwiseConv2dBackpropInput',
  DepthwiseBackpropInputOptions,
  DepthwiseBackpropInputAttrs,
  'dy' | 'w',
  ConvGeometry
>({
  name: 'depthwiseConv2dBackpropInput',
  operands: ['dy', 'w'],
  doc: 'dx of depthwiseConv2d given dy',
  infer([dy, w], opts) {
    const op = 'depthwiseConv2dBackpropInput';
    const inputShape = normalizeShapeAttr(op, 'inputShape', opts.inputShape);
    const attrs = { ...normalizeWindow(op, opts), inputShape };
    checkRank(op, 'w', w!.shape, 4);
    checkRank(op, 'inputShape', inputShape, 4);
    if (inputShape[3] !== w!.shape[2]) {
      throw new ShapeError(op, `inputShape channels (${inputShape[3]}) must equal w in-channels (${w!.shape[2]})`, { inputShape, w: w!.shape }, `inputShape ${fmtShape(inputShape)}, w ${fmtShape(w!.shape)}`);
    }
    const grouped = depthwiseAsGroupedFilter(w!.shape);
    const geometry = transposeGeometry(op, dy!.shape, grouped, inputShape, attrs.strides, attrs.padding, attrs.dilations, undefined, inputShape[3]!);
    return { attrs, shape: inputShape, geometry };
  },
  vjp: {
    dy: ({ g, inputs: [, w], attrs, dy: ct }) => g.depthwiseConv2d(ct, w!, windowAttrs(attrs)),
    w: ({ g, inputs: [dy, w], attrs, dy: ct }) => depthwiseBackpropFilter(g, ct, dy!, w!.shape, attrs),
  },
  jvp: bilinearJvp((g, [dy, w], attrs) => g.depthwiseConv2dBackpropInput(dy!, w!, attrs)),
  examples: depthwiseExampleConfigs.map((c) => {
    const g = depthwiseGeometry('depthwiseConv2dBackpropInput', c.x, c.w, c.attrs.strides, c.attrs.padding, c.attrs.dilations);
    return { name: c.name, inputs: [g.outShape, c.w], attrs: { ...c.attrs, inputShape: c.x } };
  }),
});
