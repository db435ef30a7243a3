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
import { concat } from './concat.ts';
import { depthwiseConv2d } from './depthwise-conv2d.ts';
import { depthwiseConv2dBackpropInput } from './depthwise-conv2d-backprop-input.ts';
import { depthwiseConv2dBackpropFilter } from './depthwise-conv2d-backprop-filter.ts';
import { fused } from './fused.ts';
import type { Scalar } from './scalar.ts';
import type { GeometryOf, OpAttrs, OpName, OptionsOf } from './op-types.ts';
import type { OpRecord } from './record.ts';

const table = {
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
  depthwiseConv2d,
  depthwiseConv2dBackpropInput,
  depthwiseConv2dBackpropFilter,
  concat,
  fused,
  maxPool,
  maxPoolGrad,
  maxPoolGradGrad,
  avgPool,
};

/** The record of each op of the IR, with its name, options, attrs and geometry types. */
export type RecordOf<K extends OpName> = OpRecord<K, OptionsOf<K>, OpAttrs[K], string, GeometryOf<K>>;

/** Every op of the IR, by name. Tables typed over `OpName` must cover all of them. */
export const ops: { readonly [K in OpName]: RecordOf<K> & (typeof table)[K] } = table;

/**
 * The ops whose record carries arithmetic (elementwise ops): executors generate their kernels
 * from it, so kernel tables leave them out (`Exclude<OpName, ElementwiseOpName>`).
 */
export type ElementwiseOpName = { [K in OpName]: (typeof table)[K] extends { readonly arithmetic: Scalar } ? K : never }[OpName];

/** The ops executors run by compiling their elementwise program (`elementwiseProgram`): elementwise ops and fused nodes. */
export type ProgramOpName = ElementwiseOpName | 'fused';

export type { AttrsOf, GeometryOf, NoAttrs, OpAttrs, OpGeometry, OpName, OpOptions, OptionsOf } from './op-types.ts';

export const opNames = Object.keys(ops) as OpName[];

/** The elementwise ops of the IR's table (those with arithmetic), derived from the records. */
export const elementwiseOps = opNames.filter((n) => ops[n].arithmetic !== undefined) as ElementwiseOpName[];
/** Reductions. */
export const reduceOps = ['sum', 'mean', 'max'] as const satisfies readonly OpName[];
export type ReduceOp = (typeof reduceOps)[number];

export type {
  AnyOpRecord,
  ElementwiseRecord,
  Inferred,
  OpExample,
  OpRecord,
  OpRecordSpec,
  OpTraits,
  TensorType,
  VjpRule,
  JvpRule,
  VjpContext,
  JvpContext,
  RuleContext,
} from './record.ts';
export { addTangents, bilinearJvp, defineOp, linearJvp, operandName } from './record.ts';
export { binaryOp, unaryOp, type ElementwiseOptions, type Linearisation } from './elementwise.ts';
export { S, arg, checkScalar, formatScalar, isCheap, primitiveNames, primitives, type Primitive, type Scalar, type ScalarLike } from './scalar.ts';
export { expand as expandFused, formatFused, type FusedAttrs, type FusedExpr, type FusedOptions, type FusedValue } from './fused.ts';
export type { ConcatAttrs, ConcatGeometry, ConcatOptions } from './concat.ts';
export type { DepthwiseAttrs, DepthwiseOptions } from './depthwise-common.ts';
export type { DepthwiseBackpropInputAttrs, DepthwiseBackpropInputOptions } from './depthwise-conv2d-backprop-input.ts';
export type { DepthwiseBackpropFilterAttrs, DepthwiseBackpropFilterOptions } from './depthwise-conv2d-backprop-filter.ts';
export { inversePermutation } from './transpose.ts';
export { undilate } from './dilate.ts';
export type { ConvAttrs, ConvOptions, WindowAttrs, WindowOptions } from './conv-common.ts';
export type { PoolAttrs, PoolOptions } from './pool-common.ts';
export type { ReduceAttrs, ReduceOptions } from './reduce.ts';
