import type { KernelTable } from '../kernel.ts';
import { conv2d, conv2dBackpropFilter, conv2dBackpropInput, conv2dTranspose } from './conv.ts';
import { add, biasAdd, div, exp, log, mul, neg, relu, sigmoid, sqrt, square, step, sub, tanh } from './elementwise.ts';
import { broadcastTo, constant, dilate, pad, reshape, reverse, transpose } from './layout.ts';
import { matmul } from './matmul.ts';
import { avgPool, maxPool, maxPoolGrad, maxPoolGradGrad } from './pool.ts';
import { logSoftmax, max, mean, softmax, sum } from './reduce.ts';

/** The CPU executor's kernel for every op, the reference semantics of the IR. */
export const kernels: KernelTable = {
  constant,
  neg,
  exp,
  log,
  relu,
  sigmoid,
  tanh,
  square,
  sqrt,
  step,
  add,
  sub,
  mul,
  div,
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
  broadcastTo,
  matmul,
  biasAdd,
  conv2d,
  conv2dBackpropInput,
  conv2dBackpropFilter,
  conv2dTranspose,
  maxPool,
  maxPoolGrad,
  maxPoolGradGrad,
  avgPool,
};
