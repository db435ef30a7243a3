import type { Node } from '@graft/ir';
import { conv2d, conv2dBackpropFilter, conv2dBackpropInput, conv2dTranspose } from './conv.ts';
import { fusedKernel, nodeExpr } from './elementwise.ts';
import { broadcastTo, dilate, pad, reshape, reverse, transpose } from './layout.ts';
import { matmul } from './matmul.ts';
import { avgPool, maxPool, maxPoolGrad, maxPoolGradGrad } from './pool.ts';
import { reduce, softmax } from './reduce.ts';
import type { CodegenTable, StepCode } from './spec.ts';

/** An elementwise op on its own: a fused expression of one node. */
function single(node: Node): StepCode {
  return { kind: 'kernel', spec: fusedKernel(nodeExpr(node), node.inputs.length).spec };
}

/** How every op of the IR runs on gpu.js. */
export const codegen: CodegenTable = {
  constant: () => ({ kind: 'constant' }),
  neg: single,
  exp: single,
  log: single,
  relu: single,
  sigmoid: single,
  tanh: single,
  square: single,
  sqrt: single,
  step: single,
  add: single,
  sub: single,
  mul: single,
  div: single,
  biasAdd: single,
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
  broadcastTo,
  matmul,
  conv2d,
  conv2dBackpropInput,
  conv2dBackpropFilter,
  conv2dTranspose,
  maxPool,
  maxPoolGrad,
  maxPoolGradGrad,
  avgPool,
};

export { fusedKernel } from './elementwise.ts';
export { copyKernel } from './layout.ts';
export { MAX_ELEMENTS } from './source.ts';
export type { KernelSpec, StepCode } from './spec.ts';
