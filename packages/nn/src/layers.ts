import {
  AttrError,
  ShapeError,
  fmtShape,
  normalizePadding,
  normalizePair,
  validInputSizes,
  type Graph,
  type Node,
  type Padding,
  type PairLike,
  type Shape,
} from '@graft/ir';
import { resolveInitializer, type Fans, type Initializer, type InitializerName } from './init.ts';

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
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new AttrError(op, `${name} must be a positive integer`, { [name]: v });
  return v;
}

function checkRank(op: string, x: Node, rank: number, hint = ''): void {
  if (x.rank !== rank) throw new ShapeError(op, `input must have rank ${rank}${hint}, got ${fmtShape(x.shape)}`, {});
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
}

/** `conv2d(x, w) + b` then the activation; w is HWIO `[kh, kw, cin, filters]`. */
export function conv2d(options: Conv2dLayerOptions): Layer {
  const filters = checkPositiveInt('conv2d layer', 'filters', options.filters);
  const [kh, kw] = normalizePair('conv2d layer', 'kernel', options.kernel);
  const strides = normalizePair('conv2d layer', 'strides', options.strides ?? 1);
  const dilations = normalizePair('conv2d layer', 'dilations', options.dilations ?? 1);
  const padding = normalizePadding('conv2d layer', options.padding ?? 'VALID');
  const activation = checkActivation('conv2d layer', options.activation ?? 'linear');
  const init = resolveInitializer('conv2d layer', options.init ?? 'glorotUniform');
  const biasInit = resolveInitializer('conv2d layer', options.biasInit ?? 'zeros');
  return {
    kind: 'conv2d',
    name: options.name,
    config: `${kh}×${kw}×·×${filters} strides [${strides}] padding ${JSON.stringify(padding)} dilations [${dilations}] ${activation}`,
    build(x, s) {
      checkRank(s.name, x, 4, ' (NHWC)');
      const cin = x.shape[3]!;
      // Each output sums kh·kw·cin inputs; each input reaches kh·kw·filters outputs.
      const w = s.param('w', [kh, kw, cin, filters], init, { fanIn: kh * kw * cin, fanOut: kh * kw * filters });
      let y: Node = s.g.conv2d(x, w, { strides, padding, dilations });
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
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    throw new AttrError(op, `${name} must be a non-negative integer or a pair of them`, { [name]: v });
  }
  return [pair[0] as number, pair[1] as number];
}

/**
 * The output size of a transposed conv along both axes. The sizes a forward conv maps to
 * `in` form a run `lo … lo + r` (`validInputSizes`); `outputPadding` p picks `lo + p`.
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
    const valid = validInputSizes(inSize[axis], kernel[axis], strides[axis], dilations[axis], pad);
    const what = axis === 0 ? 'height' : 'width';
    if (valid.length === 0) {
      throw new ShapeError(op, `no output ${what} maps to input ${what} ${inSize[axis]}`, {
        kernel,
        strides,
        padding,
        dilations,
      });
    }
    if (outputPadding === undefined) {
      out.push(padding === 'SAME' ? inSize[axis] * strides[axis] : valid[0]!);
      continue;
    }
    const p = outputPadding[axis];
    if (p >= valid.length) {
      throw new ShapeError(
        op,
        `outputPadding ${what} (${p}) must be below ${valid.length}: valid output ${what}s for input ${what} ${inSize[axis]} are ${valid.join(' or ')} (outputPadding 0 … ${valid.length - 1})`,
        {},
        `kernel [${kernel}], strides [${strides}], padding ${JSON.stringify(padding)}, dilations [${dilations}]`,
      );
    }
    out.push(valid[0]! + p);
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
