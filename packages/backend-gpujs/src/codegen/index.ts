import { conv2d, conv2dBackpropFilter, conv2dBackpropInput, conv2dTranspose } from './conv.ts';
import { concat, dilate, pad, reshape, reverse, transpose } from './layout.ts';
import { matmul } from './matmul.ts';
import { avgPool, maxPool, maxPoolGrad, maxPoolGradGrad } from './pool.ts';
import { reduce, softmax } from './reduce.ts';
import type { CodegenTable } from './spec.ts';

/**
 * How every op of the IR runs on gpu.js, but the elementwise ops and fused nodes, whose
 * kernels come from their elementwise program (`elementwiseKernel`). A depthwise node's
 * geometry is the grouped conv's (groups = channels, the filter read as `[kh, kw, 1, c·m]`),
 * so the conv family's generators compute it.
 */
export const codegen: CodegenTable = {
  constant: () => ({ kind: 'constant' }),
  sum: reduce,
  mean: reduce,
  max: reduce,
  softmax,
  logSoftmax: softmax,
  reshape,
  transpose,
  reverse,
  pad,
  dilate,
  concat,
  matmul,
  conv2d,
  conv2dBackpropInput,
  conv2dBackpropFilter,
  conv2dTranspose,
  depthwiseConv2d: conv2d,
  depthwiseConv2dBackpropInput: conv2dBackpropInput,
  depthwiseConv2dBackpropFilter: conv2dBackpropFilter,
  maxPool,
  maxPoolGrad,
  maxPoolGradGrad,
  avgPool,
};

export { elementwiseKernel } from './elementwise.ts';
export { copyKernel } from './layout.ts';
export { MAX_ELEMENTS } from './source.ts';
export type { KernelSpec, StepCode } from './spec.ts';
