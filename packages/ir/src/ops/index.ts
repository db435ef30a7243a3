import { add } from './add.ts';
import { avgPool } from './avg-pool.ts';
import { biasAdd } from './bias-add.ts';
import { constant } from './constant.ts';
import { conv2d } from './conv2d.ts';
import { conv2dBackpropFilter } from './conv2d-backprop-filter.ts';
import { conv2dBackpropInput } from './conv2d-backprop-input.ts';
import { conv2dTranspose } from './conv2d-transpose.ts';
import { dilate } from './dilate.ts';
import { div } from './div.ts';
import { exp } from './exp.ts';
import { input } from './input.ts';
import { log } from './log.ts';
import { logSoftmax } from './log-softmax.ts';
import { matmul } from './matmul.ts';
import { max } from './max.ts';
import { maxPool } from './max-pool.ts';
import { mean } from './mean.ts';
import { mul } from './mul.ts';
import { neg } from './neg.ts';
import { pad } from './pad.ts';
import { relu } from './relu.ts';
import { reshape } from './reshape.ts';
import { reverse } from './reverse.ts';
import { sigmoid } from './sigmoid.ts';
import { softmax } from './softmax.ts';
import { sqrt } from './sqrt.ts';
import { square } from './square.ts';
import { sub } from './sub.ts';
import { sum } from './sum.ts';
import { tanh } from './tanh.ts';
import { transpose } from './transpose.ts';
import { step } from './step.ts';
import { broadcastTo } from './broadcast-to.ts';
import { maxPoolGrad } from './max-pool-grad.ts';
import { maxPoolGradGrad } from './max-pool-grad-grad.ts';
import type { AttrsOf, OpName, OptionsOf } from './op-types.ts';
import type { OpRecord } from './record.ts';

/** Every op of the IR, by name. Tables typed over `OpName` must cover all of them. */
export const ops: { readonly [K in OpName]: OpRecord<K, OptionsOf<K>, AttrsOf<K>> } = {
  input,
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

export type { AttrsOf, NoAttrs, OpAttrs, OpName, OpOptions, OptionsOf } from './op-types.ts';

export const opNames = Object.keys(ops) as OpName[];

/** Unary elementwise ops. */
export const unaryOps = ['neg', 'exp', 'log', 'relu', 'sigmoid', 'tanh', 'square', 'sqrt', 'step'] as const satisfies readonly OpName[];
export type UnaryOp = (typeof unaryOps)[number];
/** Binary elementwise ops with broadcasting. */
export const binaryOps = ['add', 'sub', 'mul', 'div'] as const satisfies readonly OpName[];
export type BinaryOp = (typeof binaryOps)[number];
/** Reductions. */
export const reduceOps = ['sum', 'mean', 'max'] as const satisfies readonly OpName[];
export type ReduceOp = (typeof reduceOps)[number];

export type { OpRecord, OpExample, TensorType, VjpRule, JvpRule, VjpContext, JvpContext, RuleContext } from './record.ts';
export { addTangents } from './record.ts';
export { inversePermutation } from './transpose.ts';
export { undilate } from './dilate.ts';
export type { ConvAttrs, ConvOptions } from './conv-common.ts';
export type { PoolAttrs, PoolOptions } from './pool-common.ts';
export type { ReduceAttrs, ReduceOptions } from './reduce.ts';
