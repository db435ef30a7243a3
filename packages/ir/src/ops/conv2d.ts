import { convGeometry, type ConvGeometry } from '../shape/conv.ts';
import {
  backpropFilter,
  backpropInput,
  convExampleConfigs,
  formatConvAttrs,
  normalizeConv,
  type ConvAttrs,
  type ConvOptions,
} from './conv-common.ts';
import { bilinearJvp, defineOp } from './record.ts';

/**
 * `y[n, i, j, co] = Σ_{a, b, ci} x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, k·cg + ci] · w[a, b, ci, co]`
 * (cross-correlation, NHWC input, HWIO filter, as `tf.nn.conv2d`), with `cg = cin / groups`
 * filter in-channels and k = ⌊co / (cout / groups)⌋ the group of output channel co (k = 0 when
 * groups = 1).
 */
export const conv2d = defineOp<'conv2d', ConvOptions, ConvAttrs, 'x' | 'w', ConvGeometry>({
  name: 'conv2d',
  operands: ['x', 'w'],
  doc: 'y[n,i,j,co] = Σ x[n, i·sh + a·dh − pt, j·sw + b·dw − pl, k·cg + ci] · w[a,b,ci,co]',
  infer([x, w], opts) {
    const attrs = normalizeConv('conv2d', opts);
    const geometry = convGeometry('conv2d', x!.shape, w!.shape, attrs.strides, attrs.padding, attrs.dilations, undefined, attrs.groups);
    return { attrs, shape: geometry.outShape, geometry };
  },
  vjp: {
    x: ({ g, inputs: [x, w], attrs, dy }) => backpropInput(g, dy, w!, x!.shape, attrs),
    w: ({ g, inputs: [x, w], attrs, dy }) => backpropFilter(g, x!, dy, w!.shape, attrs),
  },
  jvp: bilinearJvp((g, [x, w], attrs) => g.conv2d(x!, w!, attrs)),
  examples: convExampleConfigs.map((c) => ({ name: c.name, inputs: [c.x, c.w], attrs: c.attrs })),
  formatAttrs: formatConvAttrs,
});
