import type { BroadcastToAttrs } from './broadcast-to.ts';
import type { ConstantAttrs } from './constant.ts';
import type { ConvAttrs, ConvOptions } from './conv-common.ts';
import type { BackpropFilterAttrs, BackpropFilterOptions } from './conv2d-backprop-filter.ts';
import type { BackpropInputAttrs, BackpropInputOptions } from './conv2d-backprop-input.ts';
import type { TransposeConvAttrs, TransposeConvOptions } from './conv2d-transpose.ts';
import type { ConcatAttrs, ConcatGeometry, ConcatOptions } from './concat.ts';
import type { DepthwiseAttrs, DepthwiseOptions } from './depthwise-common.ts';
import type { DepthwiseBackpropFilterAttrs, DepthwiseBackpropFilterOptions } from './depthwise-conv2d-backprop-filter.ts';
import type { DepthwiseBackpropInputAttrs, DepthwiseBackpropInputOptions } from './depthwise-conv2d-backprop-input.ts';
import type { DilateAttrs, DilateOptions } from './dilate.ts';
import type { FusedAttrs } from './fused.ts';
import type { ConvGeometry } from '../shape/conv.ts';
import type { InputAttrs } from './input.ts';
import type { PadAttrs } from './pad.ts';
import type { PoolAttrs, PoolOptions } from './pool-common.ts';
import type { ReduceAttrs, ReduceOptions } from './reduce.ts';
import type { ReshapeAttrs } from './reshape.ts';
import type { ReverseAttrs } from './reverse.ts';
import type { AxisAttrs, AxisOptions } from './softmax-common.ts';
import type { TransposeAttrs, TransposeOptions } from './transpose.ts';

/** Attrs of an op with none. */
export type NoAttrs = Record<string, never>;

/** Normalised attrs of every op, by name (the type map records, nodes and kernels share). */
export interface OpAttrs {
  input: InputAttrs;
  constant: ConstantAttrs;
  neg: NoAttrs;
  exp: NoAttrs;
  log: NoAttrs;
  relu: NoAttrs;
  sigmoid: NoAttrs;
  tanh: NoAttrs;
  square: NoAttrs;
  sqrt: NoAttrs;
  step: NoAttrs;
  add: NoAttrs;
  sub: NoAttrs;
  mul: NoAttrs;
  div: NoAttrs;
  sum: ReduceAttrs;
  mean: ReduceAttrs;
  max: ReduceAttrs;
  softmax: AxisAttrs;
  logSoftmax: AxisAttrs;
  reshape: ReshapeAttrs;
  transpose: TransposeAttrs;
  reverse: ReverseAttrs;
  pad: PadAttrs;
  dilate: DilateAttrs;
  broadcastTo: BroadcastToAttrs;
  matmul: NoAttrs;
  biasAdd: NoAttrs;
  conv2d: ConvAttrs;
  conv2dBackpropInput: BackpropInputAttrs;
  conv2dBackpropFilter: BackpropFilterAttrs;
  conv2dTranspose: TransposeConvAttrs;
  depthwiseConv2d: DepthwiseAttrs;
  depthwiseConv2dBackpropInput: DepthwiseBackpropInputAttrs;
  depthwiseConv2dBackpropFilter: DepthwiseBackpropFilterAttrs;
  concat: ConcatAttrs;
  fused: FusedAttrs;
  maxPool: PoolAttrs;
  maxPoolGrad: PoolAttrs;
  maxPoolGradGrad: PoolAttrs;
  avgPool: PoolAttrs;
}

/** Builder options of the ops whose options differ from their normalised attrs. */
interface LooseOptions {
  sum: ReduceOptions;
  mean: ReduceOptions;
  max: ReduceOptions;
  softmax: AxisOptions;
  logSoftmax: AxisOptions;
  transpose: TransposeOptions;
  dilate: DilateOptions;
  conv2d: ConvOptions;
  conv2dBackpropInput: BackpropInputOptions;
  conv2dBackpropFilter: BackpropFilterOptions;
  conv2dTranspose: TransposeConvOptions;
  depthwiseConv2d: DepthwiseOptions;
  depthwiseConv2dBackpropInput: DepthwiseBackpropInputOptions;
  depthwiseConv2dBackpropFilter: DepthwiseBackpropFilterOptions;
  concat: ConcatOptions;
  maxPool: PoolOptions;
  maxPoolGrad: PoolOptions;
  maxPoolGradGrad: PoolOptions;
  avgPool: PoolOptions;
}

/** Options each op's builder accepts (normalised attrs are valid options). */
export type OpOptions = Omit<OpAttrs, keyof LooseOptions> & LooseOptions;

/** The geometry record of each op that has one (computed once, when a node is built). */
export interface OpGeometry {
  conv2d: ConvGeometry;
  conv2dBackpropInput: ConvGeometry;
  conv2dBackpropFilter: ConvGeometry;
  conv2dTranspose: ConvGeometry;
  depthwiseConv2d: ConvGeometry;
  depthwiseConv2dBackpropInput: ConvGeometry;
  depthwiseConv2dBackpropFilter: ConvGeometry;
  maxPool: ConvGeometry;
  maxPoolGrad: ConvGeometry;
  maxPoolGradGrad: ConvGeometry;
  avgPool: ConvGeometry;
  concat: ConcatGeometry;
}

/** Every op of the IR. */
export type OpName = keyof OpAttrs;
/**
 * Normalised attrs of an op; for a name that is not an op of the IR's table (an op defined
 * by its record elsewhere, or any node) an object.
 */
export type AttrsOf<K extends string> = K extends OpName ? OpAttrs[K] : object;
/** Options an op's builder accepts. */
export type OptionsOf<K extends OpName> = OpOptions[K];
/** The geometry record of an op's nodes (undefined for ops without one). */
export type GeometryOf<K extends string> = K extends keyof OpGeometry ? OpGeometry[K] : K extends OpName ? undefined : unknown;
