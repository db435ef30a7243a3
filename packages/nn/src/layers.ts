import {
  AttrError,
  ShapeError,
  fmtShape,
  normalizePadding,
  normalizePair,
  shapesEqual,
  validInputRange,
  type Graph,
  type Node,
  type Padding,
  type PairLike,
  type Shape,
} from '@graft/ir';
import { ones, resolveInitializer, zeros, type Fans, type Initializer, type InitializerName } from './init.ts';

/** What a layer sees while it builds its nodes. */
export interface LayerScope {
  readonly g: Graph;
  /** True in the training graph (dropout active), false in the evaluation graph. */
  readonly training: boolean;
  /** This layer's unique name in the model, e.g. `conv2d1`; parameters are named `conv2d1/w`. */
  readonly name: string;
  /**
   * The node of parameter `${name}/${local}`: a graph input fed from the model's values.
   * Declared (and initialised from the model's seed) the first time the model is built.
   */
  param(local: string, shape: Shape, init: Initializer, fans: Fans): Node;
  /** A fed tensor of uniforms in [0, 1), redrawn from the trainer's seeded stream every step. */
  noise(local: string, shape: Shape): Node;
  /**
   * The node of state tensor `${name}/${local}` (not trained by gradients, e.g. a moving
   * mean): a graph input fed from the model's state. Declared (and initialised) the first
   * time the model is built.
   */
  state(local: string, shape: Shape, init: Initializer): Node;
  /**
   * The state's new value after a training step (ignored in evaluation builds): the trainer
   * computes it in the step's program and writes it into the model.
   */
  update(local: string, value: Node): void;
}

/** A layer: a named function from a node to a node that may declare parameters. */
export interface Layer {
  /** Kind, e.g. `conv2d`; the default name is the kind numbered in build order. */
  readonly kind: string;
  /** A fixed name instead of the numbered kind. */
  readonly name?: string | undefined;
  /** The configuration in one line, for `model.summary()`. */
  readonly config: string;
  build(x: Node, scope: LayerScope): Node;
}

/** A layer of several inputs (residual `add`, `concatenate`); built with `apply(layer, [a, b, …])`. */
export interface MergeLayer {
  readonly kind: string;
  readonly name?: string | undefined;
  readonly config: string;
  merge(xs: readonly Node[], scope: LayerScope): Node;
}

export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';

/** Applies a named activation. */
export function activate(g: Graph, x: Node, a: Activation): Node {
  switch (a) {
    case 'linear':
      return x;
    case 'relu':
      return g.relu(x);
    case 'sigmoid':
      return g.sigmoid(x);
    case 'tanh':
      return g.tanh(x);
    case 'softmax':
      return g.softmax(x);
    default:
      throw new AttrError('activation', "activation must be 'linear', 'relu', 'sigmoid', 'tanh' or 'softmax'", { activation: a });
  }
}

function checkActivation(op: string, a: unknown): Activation {
  if (a === 'linear' || a === 'relu' || a === 'sigmoid' || a === 'tanh' || a === 'softmax') return a;
  throw new AttrError(op, "activation must be 'linear', 'relu', 'sigmoid', 'tanh' or 'softmax'", { activation: a });
}

function checkPositiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new AttrError(op, `${name} must be a positive integer`, { [name]: v });
  return v;
}

function checkRank(op: string, x: Node, rank: number, hint = ''): void {
  if (x.rank !== rank) throw new ShapeError(op, `input must have rank ${rank}${hint}, got ${fmtShape(x.shape)}`, { input: x.shape, rank: x.rank, expected: rank });
}

interface WeightOptions {
  /** Kernel initialiser (default glorotUniform, as Keras). */
  readonly init?: Initializer | InitializerName;
  /** Bias initialiser (default zeros). */
  readonly biasInit?: Initializer | InitializerName;
  /** Add a learned bias (default true). */
  readonly useBias?: boolean;
  /** Activation applied after the bias (default linear). */
  readonly activation?: Activation;
  readonly name?: string;
}

export interface Conv2dLayerOptions extends WeightOptions {
  /** Output channels. */
  readonly filters: number;
  /** Kernel `[kh, kw]` or one number. */
  readonly kernel: PairLike;
  readonly strides?: PairLike;
  /** Default VALID (as `tf.nn.conv2d` and Keras). */
  readonly padding?: Padding;
  readonly dilations?: PairLike;
  /** Channel groups (default 1); the kernel is `[kh, kw, cin / groups, filters]`. */
  readonly groups?: number;
}

/** `conv2d(x, w) + b` then the activation; w is HWIO `[kh, kw, cin / groups, filters]`. */
export function conv2d(options: Conv2dLayerOptions): Layer {
  const filters = checkPositiveInt('conv2d layer', 'filters', options.filters);
  const [kh, kw] = normalizePair('conv2d layer', 'kernel', options.kernel);
  const strides = normalizePair('conv2d layer', 'strides', options.strides ?? 1);
  const dilations = normalizePair('conv2d layer', 'dilations', options.dilations ?? 1);
  const padding = normalizePadding('conv2d layer', options.padding ?? 'VALID');
  const activation = checkActivation('conv2d layer', options.activation ?? 'linear');
  const init = resolveInitializer('conv2d layer', options.init ?? 'glorotUniform');
  const biasInit = resolveInitializer('conv2d layer', options.biasInit ?? 'zeros');
  const groups = checkPositiveInt('conv2d layer', 'groups', options.groups ?? 1);
  return {
    kind: 'conv2d',
    name: options.name,
    config: `${kh}×${kw}×·×${filters} strides [${strides}] padding ${JSON.stringify(padding)} dilations [${dilations}]${groups === 1 ? '' : ` groups ${groups}`} ${activation}`,
    build(x, s) {
      checkRank(s.name, x, 4, ' (NHWC)');
      const cin = x.shape[3]!;
      if (cin % groups !== 0) throw new ShapeError(s.name, `input channels (${cin}) must be divisible by groups (${groups})`, { input: x.shape, channels: cin, groups });
      const cg = cin / groups;
      // Each output sums kh·kw·cg inputs; each input reaches kh·kw·filters/groups outputs.
      const w = s.param('w', [kh, kw, cg, filters], init, { fanIn: kh * kw * cg, fanOut: (kh * kw * filters) / groups });
      let y: Node = s.g.conv2d(x, w, { strides, padding, dilations, groups });
      if (options.useBias ?? true) y = s.g.biasAdd(y, s.param('b', [filters], biasInit, { fanIn: 1, fanOut: 1 }));
      return activate(s.g, y, activation);
    },
  };
}

export interface Conv2dTransposeLayerOptions extends Conv2dLayerOptions {
  /**
   * Output `[height, width]`; must be a size that `conv2d` maps to the input's size
   * (an impossible one is a ShapeError listing the valid sizes).
   */
  readonly outputSize?: PairLike;
  /**
   * Rows/columns added to the smallest valid output size (as PyTorch's `output_padding`):
   * 0 … (number of valid sizes − 1). Exclusive with `outputSize`.
   */
  readonly outputPadding?: PairLike | 0;
}

/**
 * Learned up-sampling: `conv2dTranspose(v, w, outputShape) + b`, w `[kh, kw, filters, cin]`.
 * Without `outputSize` or `outputPadding` the output is `in·stride` for SAME (Keras's
 * default, the natural "up-sample by s") and the smallest valid size for VALID or explicit
 * padding (`(in − 1)·s + (k − 1)·d + 1 − pads`, PyTorch's default).
 */
export function conv2dTranspose(options: Conv2dTransposeLayerOptions): Layer {
  const op = 'conv2dTranspose layer';
  const filters = checkPositiveInt(op, 'filters', options.filters);
  const [kh, kw] = normalizePair(op, 'kernel', options.kernel);
  const strides = normalizePair(op, 'strides', options.strides ?? 1);
  const dilations = normalizePair(op, 'dilations', options.dilations ?? 1);
  const padding = normalizePadding(op, options.padding ?? 'VALID');
  const activation = checkActivation(op, options.activation ?? 'linear');
  const init = resolveInitializer(op, options.init ?? 'glorotUniform');
  const biasInit = resolveInitializer(op, options.biasInit ?? 'zeros');
  if (options.outputSize !== undefined && options.outputPadding !== undefined) {
    throw new AttrError(op, 'give outputSize or outputPadding, not both', { outputSize: options.outputSize, outputPadding: options.outputPadding });
  }
  const outputSize = options.outputSize === undefined ? undefined : normalizePair(op, 'outputSize', options.outputSize);
  const outputPadding = options.outputPadding === undefined ? undefined : normalizeNonNegativePair(op, 'outputPadding', options.outputPadding);
  return {
    kind: 'conv2dTranspose',
    name: options.name,
    config: `${kh}×${kw}×${filters}×· strides [${strides}] padding ${JSON.stringify(padding)} dilations [${dilations}] ${activation}`,
    build(v, s) {
      checkRank(s.name, v, 4, ' (NHWC)');
      const [n, vh, vw, cin] = v.shape as [number, number, number, number];
      const size = outputSize ?? transposeOutputSize(s.name, [vh, vw], [kh, kw], strides, padding, dilations, outputPadding);
      // Each input reaches kh·kw·filters outputs; each output sums about kh·kw·cin / (sh·sw)
      // inputs, since only one in sh·sw kernel taps lands on an input row/column.
      const fanIn = Math.max(1, (kh * kw * cin) / (strides[0] * strides[1]));
      const w = s.param('w', [kh, kw, filters, cin], init, { fanIn, fanOut: kh * kw * filters });
      // conv2dTranspose validates the size against v (transposeGeometry) and lists the valid ones.
      let y: Node = s.g.conv2dTranspose(v, w, { outputShape: [n, size[0], size[1], filters], strides, padding, dilations });
      if (options.useBias ?? true) y = s.g.biasAdd(y, s.param('b', [filters], biasInit, { fanIn: 1, fanOut: 1 }));
      return activate(s.g, y, activation);
    },
  };
}

function normalizeNonNegativePair(op: string, name: string, v: unknown): readonly [number, number] {
  const pair = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new AttrError(op, `${name} must be a non-negative integer or a pair of them`, { [name]: v });
  }
  return [pair[0] as number, pair[1] as number];
}

/**
 * The output size of a transposed conv along both axes. The sizes a forward conv maps to
 * `in` form a run `lo … lo + r` (`validInputRange`); `outputPadding` p picks `lo + p`.
 */
export function transposeOutputSize(
  op: string,
  inSize: readonly [number, number],
  kernel: readonly [number, number],
  strides: readonly [number, number],
  padding: Padding,
  dilations: readonly [number, number],
  outputPadding?: readonly [number, number],
): [number, number] {
  const out: number[] = [];
  for (const axis of [0, 1] as const) {
    const pad = padding === 'SAME' || padding === 'VALID' ? padding : padding[axis];
    const { from, to } = validInputRange(inSize[axis], kernel[axis], strides[axis], dilations[axis], pad);
    const count = to - from + 1;
    const what = axis === 0 ? 'height' : 'width';
    if (count <= 0) {
      throw new ShapeError(op, `no output ${what} maps to input ${what} ${inSize[axis]}`, {
        input: inSize[axis],
        kernel,
        strides,
        padding,
        dilations,
      });
    }
    if (outputPadding === undefined) {
      out.push(padding === 'SAME' ? inSize[axis] * strides[axis] : from);
      continue;
    }
    const p = outputPadding[axis];
    if (p >= count) {
      const valid = count <= 8 ? Array.from({ length: count }, (_, k) => from + k) : [from, to];
      throw new ShapeError(
        op,
        `outputPadding ${what} (${p}) must be below ${count}: valid output ${what}s for input ${what} ${inSize[axis]} are ${valid.join(count <= 8 ? ' or ' : ' to ')} (outputPadding 0 … ${count - 1})`,
        { outputPadding: p, count, valid, input: inSize[axis], maxOutputPadding: count - 1, kernel, strides, padding, dilations },
        `kernel [${kernel}], strides [${strides}], padding ${JSON.stringify(padding)}, dilations [${dilations}]`,
      );
    }
    out.push(from + p);
  }
  return [out[0]!, out[1]!];
}

export interface DenseLayerOptions extends WeightOptions {
  readonly units: number;
}

/** `x·w + b` then the activation; x `[batch, in]`, w `[in, units]`. */
export function dense(options: DenseLayerOptions): Layer {
  const units = checkPositiveInt('dense layer', 'units', options.units);
  const activation = checkActivation('dense layer', options.activation ?? 'linear');
  const init = resolveInitializer('dense layer', options.init ?? 'glorotUniform');
  const biasInit = resolveInitializer('dense layer', options.biasInit ?? 'zeros');
  return {
    kind: 'dense',
    name: options.name,
    config: `·×${units} ${activation}`,
    build(x, s) {
      checkRank(s.name, x, 2, ' [batch, features] (use flatten() after conv layers)');
      const fanIn = x.shape[1]!;
      let y: Node = s.g.matmul(x, s.param('w', [fanIn, units], init, { fanIn, fanOut: units }));
      if (options.useBias ?? true) y = s.g.biasAdd(y, s.param('b', [units], biasInit, { fanIn: 1, fanOut: 1 }));
      return activate(s.g, y, activation);
    },
  };
}

export interface PoolLayerOptions {
  readonly ksize: PairLike;
  /** Default: the window size. */
  readonly strides?: PairLike;
  /** Default VALID. */
  readonly padding?: Padding;
  readonly name?: string;
}

/** `tf.nn.max_pool2d` over NHWC. */
export function maxPool(options: PoolLayerOptions): Layer {
  return {
    kind: 'maxPool',
    name: options.name,
    config: `ksize ${JSON.stringify(options.ksize)} strides ${JSON.stringify(options.strides ?? options.ksize)} padding ${JSON.stringify(options.padding ?? 'VALID')}`,
    build: (x, s) => s.g.maxPool(x, { ksize: options.ksize, strides: options.strides, padding: options.padding }),
  };
}

/** `tf.nn.avg_pool2d` over NHWC (padding cells are not counted, as TensorFlow). */
export function avgPool(options: PoolLayerOptions): Layer {
  return {
    kind: 'avgPool',
    name: options.name,
    config: `ksize ${JSON.stringify(options.ksize)} strides ${JSON.stringify(options.strides ?? options.ksize)} padding ${JSON.stringify(options.padding ?? 'VALID')}`,
    build: (x, s) => s.g.avgPool(x, { ksize: options.ksize, strides: options.strides, padding: options.padding }),
  };
}

/** `[batch, …] → [batch, Π …]`. */
export function flatten(options: { readonly name?: string } = {}): Layer {
  return { kind: 'flatten', name: options.name, config: '', build: (x, s) => s.g.reshape(x, [x.shape[0] ?? 1, -1]) };
}

/** Reshapes each example to `shape` (the batch axis is kept). */
export function reshape(shape: readonly number[], options: { readonly name?: string } = {}): Layer {
  return { kind: 'reshape', name: options.name, config: fmtShape(shape), build: (x, s) => s.g.reshape(x, [x.shape[0] ?? 1, ...shape]) };
}

/** An activation as a layer. */
export function activation(a: Activation, options: { readonly name?: string } = {}): Layer {
  const checked = checkActivation('activation layer', a);
  return { kind: checked, name: options.name, config: '', build: (x, s) => activate(s.g, x, checked) };
}

export const relu = (): Layer => activation('relu');
export const sigmoid = (): Layer => activation('sigmoid');
export const tanh = (): Layer => activation('tanh');
export const softmax = (): Layer => activation('softmax');

/**
 * Inverted dropout: in training `y = x ⊙ step(u − rate) / (1 − rate)` for u uniform on
 * [0, 1) fed each step, so each unit is kept with probability `1 − rate` and
 * `E[y] = x`; in evaluation `y = x`.
 */
export function dropout(rate: number, options: { readonly name?: string } = {}): Layer {
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new AttrError('dropout layer', 'rate must be in [0, 1)', { rate });
  return {
    kind: 'dropout',
    name: options.name,
    config: `rate ${rate}`,
    build(x, s) {
      if (!s.training || rate === 0) return x;
      const u = s.noise('u', x.shape);
      // step(u − rate) is 1 with probability P(u > rate) = 1 − rate.
      return s.g.mul(x, s.g.mul(s.g.step(s.g.sub(u, rate)), 1 / (1 - rate)));
    },
  };
}

/**
 * `(x − mean) / std` with fixed statistics (e.g. of the training set), so a network sees
 * inputs of zero mean and unit variance while the data keeps its natural range.
 */
export function normalize(options: { readonly mean: number; readonly std: number; readonly name?: string }): Layer {
  const { mean, std } = options;
  if (typeof mean !== 'number' || !Number.isFinite(mean)) throw new AttrError('normalize layer', 'mean must be a finite number', { mean });
  if (typeof std !== 'number' || !Number.isFinite(std) || std <= 0) throw new AttrError('normalize layer', 'std must be a positive finite number', { std });
  return { kind: 'normalize', name: options.name, config: `mean ${mean} std ${std}`, build: (x, s) => s.g.mul(s.g.sub(x, mean), 1 / std) };
}

export interface BatchNormOptions {
  /** Moving statistics follow `moving = momentum·moving + (1 − momentum)·batch` (default 0.99, as Keras). */
  readonly momentum?: number;
  /** Added to the variance before the square root (default 1e-3, as Keras). */
  readonly epsilon?: number;
  /** Learn a shift β (default true). */
  readonly center?: boolean;
  /** Learn a scale γ (default true). */
  readonly scale?: boolean;
  readonly name?: string;
}

/**
 * Batch normalisation over the last axis (channels of NHWC, features of `[batch, features]`),
 * as Keras's `BatchNormalization`:
 *
 *     training:   μ = mean of x over every axis but the last,  σ² = mean of (x − μ)²  (biased),
 *                 y = (x − μ) · γ / √(σ² + ε) + β,
 *                 movingMean ← m·movingMean + (1 − m)·μ,  movingVariance ← m·movingVariance + (1 − m)·σ²
 *     evaluation: y = (x − movingMean) · γ / √(movingVariance + ε) + β
 *
 * γ starts at 1, β at 0, the moving mean at 0 and the moving variance at 1. Composed from
 * graph ops (mean, sub, square, sqrt, div, mul, add), so autodiff differentiates it through
 * the batch statistics and the compiler fuses its elementwise parts; the moving statistics
 * are model state that each training step updates.
 */
export function batchNorm(options: BatchNormOptions = {}): Layer {
  const momentum = options.momentum ?? 0.99;
  const epsilon = options.epsilon ?? 1e-3;
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) throw new AttrError('batchNorm layer', 'momentum must be in [0, 1]', { momentum });
  if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) throw new AttrError('batchNorm layer', 'epsilon must be a positive finite number', { epsilon });
  const center = options.center ?? true;
  const scale = options.scale ?? true;
  return {
    kind: 'batchNorm',
    name: options.name,
    config: `momentum ${momentum} epsilon ${epsilon}${center ? '' : ' no β'}${scale ? '' : ' no γ'}`,
    build(x, s) {
      if (x.rank < 2) throw new ShapeError(s.name, `input must have rank ≥ 2 ([batch, …, channels]), got ${fmtShape(x.shape)}`, { input: x.shape, rank: x.rank, minRank: 2 });
      const { g } = s;
      const c = x.shape[x.rank - 1]!;
      const axes = [...Array(x.rank - 1).keys()];
      const gamma = scale ? s.param('gamma', [c], ones, { fanIn: 1, fanOut: 1 }) : undefined;
      const beta = center ? s.param('beta', [c], zeros, { fanIn: 1, fanOut: 1 }) : undefined;
      const movingMean = s.state('movingMean', [c], zeros);
      const movingVariance = s.state('movingVariance', [c], ones);
      let mean: Node = movingMean;
      let variance: Node = movingVariance;
      if (s.training) {
        mean = g.mean(x, axes);
        variance = g.mean(g.square(g.sub(x, mean)), axes);
        s.update('movingMean', g.add(g.mul(movingMean, momentum), g.mul(mean, 1 - momentum)));
        s.update('movingVariance', g.add(g.mul(movingVariance, momentum), g.mul(variance, 1 - momentum)));
      }
      // γ / √(σ² + ε) is one vector of c values, so y costs one fused pass over x.
      const inv = g.div(gamma ?? 1, g.sqrt(g.add(variance, epsilon)));
      const y = g.mul(g.sub(x, mean), inv);
      return beta === undefined ? y : g.add(y, beta);
    },
  };
}

export interface DepthwiseConv2dLayerOptions {
  /** Kernel `[kh, kw]` or one number. */
  readonly kernel: PairLike;
  /** Output channels per input channel (default 1): the output has `cin · depthMultiplier` channels. */
  readonly depthMultiplier?: number;
  readonly strides?: PairLike;
  /** Default VALID (as Keras). */
  readonly padding?: Padding;
  readonly dilations?: PairLike;
  /** Kernel initialiser (default glorotUniform). */
  readonly init?: Initializer | InitializerName;
  readonly biasInit?: Initializer | InitializerName;
  /** Add a learned bias (default true). */
  readonly useBias?: boolean;
  readonly activation?: Activation;
  readonly name?: string;
}

/** The depthwise part of `depthwiseConv2d` and `separableConv2d`, validated in one order for both. */
function depthwiseSettings(op: string, options: DepthwiseConv2dLayerOptions) {
  const [kh, kw] = normalizePair(op, 'kernel', options.kernel);
  const multiplier = checkPositiveInt(op, 'depthMultiplier', options.depthMultiplier ?? 1);
  const strides = normalizePair(op, 'strides', options.strides ?? 1);
  const dilations = normalizePair(op, 'dilations', options.dilations ?? 1);
  const padding = normalizePadding(op, options.padding ?? 'VALID');
  const activation = checkActivation(op, options.activation ?? 'linear');
  const init = resolveInitializer(op, options.init ?? 'glorotUniform');
  const biasInit = resolveInitializer(op, options.biasInit ?? 'zeros');
  return {
    kh,
    kw,
    multiplier,
    attrs: { strides, padding, dilations },
    activation,
    init,
    biasInit,
    useBias: options.useBias ?? true,
    describe: (between: string) => `${kh}×${kw}×·×${multiplier}${between} strides [${strides}] padding ${JSON.stringify(padding)} dilations [${dilations}] ${activation}`,
    /** The depthwise filter `[kh, kw, cin, multiplier]`: each output sums kh·kw inputs; each input reaches kh·kw·multiplier outputs. */
    filter: (s: LayerScope, name: string, cin: number) => s.param(name, [kh, kw, cin, multiplier], init, { fanIn: kh * kw, fanOut: kh * kw * multiplier }),
  };
}

/** `depthwiseConv2d(x, w) + b` then the activation (`tf.keras.layers.DepthwiseConv2D`); w is `[kh, kw, cin, depthMultiplier]`. */
export function depthwiseConv2d(options: DepthwiseConv2dLayerOptions): Layer {
  const d = depthwiseSettings('depthwiseConv2d layer', options);
  return {
    kind: 'depthwiseConv2d',
    name: options.name,
    config: d.describe(''),
    build(x, s) {
      checkRank(s.name, x, 4, ' (NHWC)');
      const cin = x.shape[3]!;
      let y: Node = s.g.depthwiseConv2d(x, d.filter(s, 'w', cin), d.attrs);
      if (d.useBias) y = s.g.biasAdd(y, s.param('b', [cin * d.multiplier], d.biasInit, { fanIn: 1, fanOut: 1 }));
      return activate(s.g, y, d.activation);
    },
  };
}

export interface SeparableConv2dLayerOptions extends DepthwiseConv2dLayerOptions {
  /** Output channels of the pointwise (1×1) conv. */
  readonly filters: number;
  /** Initialiser of the pointwise kernel (default glorotUniform); `init` is the depthwise kernel's. */
  readonly pointwiseInit?: Initializer | InitializerName;
}

/**
 * A depthwise-separable conv (`tf.keras.layers.SeparableConv2D`): a depthwise conv (kernel
 * `[kh, kw, cin, depthMultiplier]`, no bias) then a pointwise 1×1 conv to `filters` channels,
 * plus a bias and the activation.
 */
export function separableConv2d(options: SeparableConv2dLayerOptions): Layer {
  const op = 'separableConv2d layer';
  const filters = checkPositiveInt(op, 'filters', options.filters);
  const d = depthwiseSettings(op, options);
  const pointwiseInit = resolveInitializer(op, options.pointwiseInit ?? 'glorotUniform');
  return {
    kind: 'separableConv2d',
    name: options.name,
    config: d.describe(` then 1×1×·×${filters}`),
    build(x, s) {
      checkRank(s.name, x, 4, ' (NHWC)');
      const cin = x.shape[3]!;
      const mid = cin * d.multiplier;
      const dw = d.filter(s, 'depthwise', cin);
      const pw = s.param('pointwise', [1, 1, mid, filters], pointwiseInit, { fanIn: mid, fanOut: filters });
      let y: Node = s.g.conv2d(s.g.depthwiseConv2d(x, dw, d.attrs), pw);
      if (d.useBias) y = s.g.biasAdd(y, s.param('b', [filters], d.biasInit, { fanIn: 1, fanOut: 1 }));
      return activate(s.g, y, d.activation);
    },
  };
}

/** `[batch, h, w, c] → [batch, c]`: the mean over each channel's pixels (`GlobalAveragePooling2D`). */
export function globalAvgPool(options: { readonly name?: string } = {}): Layer {
  return {
    kind: 'globalAvgPool',
    name: options.name,
    config: '',
    build(x, s) {
      checkRank(s.name, x, 4, ' (NHWC)');
      return s.g.mean(x, [1, 2]);
    },
  };
}

/** The sum of its inputs, all of one shape (a residual connection: `apply(add(), [x, f(x)])`). */
export function add(options: { readonly name?: string } = {}): MergeLayer {
  return {
    kind: 'add',
    name: options.name,
    config: '',
    merge(xs, s) {
      for (const x of xs) {
        if (!shapesEqual(x.shape, xs[0]!.shape)) {
          throw new ShapeError(s.name, `inputs must have one shape, got ${xs.map((n) => fmtShape(n.shape)).join(' and ')}`, { shapes: xs.map((n) => n.shape) });
        }
      }
      return xs.slice(1).reduce<Node>((sum, x) => s.g.add(sum, x), xs[0]!);
    },
  };
}

/** Its inputs side by side along `axis` (default −1: channels of NHWC), as `tf.concat`. */
export function concatenate(options: { readonly axis?: number; readonly name?: string } = {}): MergeLayer {
  const axis = options.axis ?? -1;
  if (!Number.isInteger(axis)) throw new AttrError('concatenate layer', 'axis must be an integer', { axis });
  return {
    kind: 'concatenate',
    name: options.name,
    config: `axis ${axis}`,
    merge: (xs, s) => s.g.concat(xs, axis),
  };
}
