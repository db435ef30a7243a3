import { depthwiseGeometry, type ConvGeometry } from '../shape/conv.ts';
import { normalizeWindow } from './conv-common.ts';
import { depthwiseBackpropFilter, depthwiseBackpropInput, depthwiseExampleConfigs, type DepthwiseAttrs, type DepthwiseOptions } from './depthwise-common.ts';
import { bilinearJvp, defineOp } from './record.ts';

/**
 * `tf.nn.depthwise_conv2d`: x `[n, h, w, c]`, w `[kh, kw, c, m]`,
 * `y[n, i, j, c·m + k] = Σ_{a, b} x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, c] · w[a, b, c, k]`.
 * Its geometry is the grouped conv's with groups = c (so the grouped conv kernels compute it);
 * it is an op of its own for TensorFlow's filter layout and the names of its gradients.
 */
export const depthwiseConv2d = defineOp<'depthwiseConv2d', DepthwiseOptions, DepthwiseAttrs, 'x' | 'w', ConvGeometry>({
  name: 'depthwiseConv2d',
  operands: ['x', 'w'],
  doc: 'y[n,i,j,c·m+k] = Σ x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, c] · w[a,b,c,k]',
  infer([x, w], opts) {
    const attrs = normalizeWindow('depthwiseConv2d', opts);
    const geometry = depthwiseGeometry('depthwiseConv2d', x!.shape, w!.shape, attrs.strides, attrs.padding, attrs.dilations);
    return { attrs, shape: geometry.outShape, geometry };
  },
  vjp: {
    x: ({ g, inputs: [x, w], attrs, dy }) => depthwiseBackpropInput(g, dy, w!, x!.shape, attrs),
    w: ({ g, inputs: [x, w], attrs, dy }) => depthwiseBackpropFilter(g, x!, dy, w!.shape, attrs),
  },
  jvp: bilinearJvp((g, [x, w], attrs) => g.depthwiseConv2d(x!, w!, attrs)),
  examples: depthwiseExampleConfigs.map((c) => ({ name: c.name, inputs: [c.x, c.w], attrs: c.attrs })),
});
