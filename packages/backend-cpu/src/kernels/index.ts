import type { KernelTable } from '../kernel.ts';
import {
  conv2d,
  conv2dBackpropFilter,
  conv2dBackpropInput,
  conv2dTranspose,
  depthwiseConv2d,
  depthwiseConv2dBackpropFilter,
  depthwiseConv2dBackpropInput,
} from './conv.ts';
import { concat, constant, dilate, pad, reshape, reverse, transpose } from './layout.ts';
import { matmul } from './matmul.ts';
import { avgPool, maxPool, maxPoolGrad, maxPoolGradGrad } from './pool.ts';
import { logSoftmax, max, mean, softmax, sum } from './reduce.ts';

/**
 * The CPU executor's kernel for every op but the elementwise ones and fused nodes, whose
 * kernels it generates from their arithmetic (see `elementwiseProgram`): the reference
 * semantics of the IR.
 */
export const kernels: KernelTable = {
  constant,
  sum,
  mean,
  max,
  softmax,
  logSoftmax,
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
  depthwiseConv2d,
  depthwiseConv2dBackpropInput,
  depthwiseConv2dBackpropFilter,
  maxPool,
  maxPoolGrad,
  maxPoolGradGrad,
  avgPool,
};
