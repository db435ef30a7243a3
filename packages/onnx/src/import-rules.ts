/**
 * ONNX op type → graft nodes: the import direction of the same op subset the exporter writes,
 * plus the forms other exporters commonly write for it (Gemm, Flatten, Squeeze/Unsqueeze,
 * BatchNormalization in inference mode, GlobalAveragePool, Dropout at inference, auto_pad).
 * ONNX is NCHW/OIHW; graft's conv family is NHWC/HWIO, so a Conv reads its input as the view
 * `[0, 2, 3, 1]` and leaves its output in that view (see layouts.ts): a chain of convs, biases,
 * activations and pools needs no transposes between its members.
 */
import { axisGeometry, broadcastShapes, sizeOf, type Node, type Padding } from '@graft/ir';
import type { ImportContext, ImportEntry, ImportResult } from './import-context.ts';
import { Unsupported } from './import-context.ts';
import { identity, invert, onlyUnitAxesMove, type Perm } from './layouts.ts';
import type { AttributeValue, NodeProto } from './onnx-proto.ts';

/** graft's NHWC node of an NCHW value: `transpose(value, [0, 2, 3, 1])`. */
const NHWC: Perm = [0, 2, 3, 1];
/** graft's HWIO filter of an OIHW weight (Conv) or of a `[C_in, C_out, kh, kw]` one (ConvTranspose). */
const HWIO: Perm = [2, 3, 1, 0];

function attr(node: NodeProto, name: string): AttributeValue | undefined {
  return node.attributes[name];
}

/** An integer attribute read without a context (static checks). */
export function intAttr(node: NodeProto, name: string, fallback: number): number {
  const a = attr(node, name);
  return a?.type === 'int' ? a.value : fallback;
}

function stringAttr(node: NodeProto, name: string, fallback: string): string {
  const a = attr(node, name);
  return a?.type === 'string' ? a.value : fallback;
}

function intsAttr(node: NodeProto, name: string): readonly number[] | undefined {
  const a = attr(node, name);
  return a?.type === 'ints' ? a.value : undefined;
}

/** The reason a node whose second output (indices, mask, running statistics) is used cannot be imported. */
function extraOutputs(node: NodeProto, what: string): string | undefined {
  return node.outputs.slice(1).some((o) => o !== '') ? `its ${what} output has no graft equivalent` : undefined;
}

function checkRank4(c: ImportContext, op: string): void {
  if (c.shape(0).length !== 4) throw new Unsupported(`${op}: graft's conv and pool ops are 2-D: X must have rank 4, got rank ${c.shape(0).length}`);
}

/**
 * graft padding of a 2-D conv or pool from ONNX's `auto_pad` and `pads` (`[top, left, bottom,
 * right]`): SAME_UPPER is TensorFlow's SAME (the odd extra row after), SAME_LOWER the mirror.
 */
function spatialPadding(c: ImportContext, k: readonly number[], strides: readonly number[], dilations: readonly number[]): Padding {
  const autoPad = c.string('auto_pad', 'NOTSET');
  if (autoPad === 'VALID') return 'VALID';
  if (autoPad === 'SAME_UPPER') return 'SAME';
  const [, , h, w] = c.shape(0) as [number, number, number, number];
  if (autoPad === 'SAME_LOWER') {
    const axis = (size: number, i: number): [number, number] => {
      const a = axisGeometry(size, k[i]!, strides[i]!, dilations[i]!, 'SAME')!;
      return [a.after, a.before];
    };
    return [axis(h, 0), axis(w, 1)];
  }
  if (autoPad !== 'NOTSET') throw new Unsupported(`auto_pad "${autoPad}" is not an ONNX value`);
  const [t, l, b, r] = c.ints('pads', [0, 0, 0, 0]);
  return [
    [t!, b!],
    [l!, r!],
  ];
}

/** ONNX axes `axes` of a value seen as the graft view `perm`: graft axis k is ONNX axis perm[k]. */
function viewAxes(perm: Perm, axes: readonly number[]): number[] {
  return perm.flatMap((p, k) => (axes.includes(p) ? [k] : []));
}

/** Normalises ONNX axes (negative count from the end). */
function normalise(axes: readonly number[], rank: number, op: string): number[] {
  return axes.map((a) => {
    if (a < -rank || a >= rank) throw new Unsupported(`${op}: axis ${a} is out of range for rank ${rank}`);
    return a < 0 ? a + rank : a;
  });
}

function unary(op: 'neg' | 'exp' | 'log' | 'relu' | 'sigmoid' | 'tanh' | 'sqrt'): ImportEntry {
  return {
    graft: [op],
    build: (c) => {
      const x = c.anyLayout(0);
      return { node: c.g.node(op, [x.node], {}), perm: x.perm };
    },
  };
}

/**
 * NumPy broadcasting on both sides. The operand of the output's shape keeps its view P; the
 * other, padded with leading 1s to the same rank, is seen under P too — a reshape when only
 * size-1 axes move (a bias `[C, 1, 1]` against NCHW becomes `[1, 1, 1, C]` against NHWC, a
 * biasAdd). Anything else broadcasts in ONNX's order.
 */
function binary(op: 'add' | 'sub' | 'mul' | 'div'): ImportEntry {
  return {
    graft: op === 'add' ? [op, 'biasAdd', 'reshape'] : [op, 'reshape'],
    note: op === 'add' ? 'NumPy broadcasting; a per-channel Add is a biasAdd' : 'NumPy broadcasting',
    build: (c) => {
      const shapes = [c.shape(0), c.shape(1)];
      const out = broadcastShapes(c.node.opType, shapes[0]!, shapes[1]!);
      const lead = shapes.findIndex((s) => s.length === out.length && s.join() === out.join());
      if (lead >= 0 && out.length > 0) {
        const other = 1 - lead;
        const { node: x, perm } = c.anyLayout(lead);
        const both = (y: Node) => ({ node: c.g.node(op, lead === 0 ? [x, y] : [y, x], {}), perm });
        if (shapes[other]!.join() === out.join()) return both(c.permuted(other, perm));
        const padded = [...Array<number>(out.length - shapes[other]!.length).fill(1), ...shapes[other]!];
        if (onlyUnitAxesMove(perm, padded)) {
          const viewed = perm.map((p) => padded[p]!);
          const channels = out[perm[out.length - 1]!]!;
          // x + b with b a per-channel vector along the view's last axis: tf.nn.bias_add.
          if (op === 'add' && out.length >= 2 && viewed.slice(0, -1).every((d) => d === 1) && viewed.at(-1) === channels) {
            return { node: c.g.biasAdd(x, c.reshaped(other, [channels])), perm };
          }
          return both(c.reshaped(other, viewed));
        }
      }
      return c.g.node(op, [c.input(0), c.input(1)], {});
    },
  };
}

/** The axes of a Reduce* node: an input (ReduceSum from opset 13, the others from 18) or an attribute. */
function reduceAxes(c: ImportContext, rank: number, op: string): number[] | undefined {
  const given = c.has(1) ? c.intsOf(1, 'axes') : c.ints('axes', []);
  if (given.length === 0) return c.int('noop_with_empty_axes', 0) === 1 ? [] : undefined;
  return normalise(given, rank, op);
}

function reduction(op: 'sum' | 'mean' | 'max', onnx: string): ImportEntry {
  return {
    graft: [op],
    note: 'axes as an attribute or an input known at import; noop_with_empty_axes',
    build: (c) => {
      const x = c.anyLayout(0);
      const rank = x.node.rank;
      const axes = reduceAxes(c, rank, onnx) ?? identity(rank);
      if (axes.length === 0) return x;
      const keepDims = c.int('keepdims', 1) === 1;
      const y = c.g.node(op, [x.node], { axes: viewAxes(x.perm, axes), keepDims });
      if (keepDims) return { node: y, perm: x.perm };
      // Kept ONNX axes keep their relative order in ONNX; graft kept them in the view's order.
      const kept = x.perm.filter((a) => !axes.includes(a));
      const sorted = [...kept].sort((a, b) => a - b);
      return { node: y, perm: kept.map((a) => sorted.indexOf(a)) };
    },
  };
}

/** GlobalAveragePool / GlobalMaxPool: a reduction over the spatial axes, dims kept. */
function globalPool(op: 'mean' | 'max'): ImportEntry {
  return {
    graft: [op],
    note: 'over the spatial axes, dims kept',
    build: (c) => {
      const x = c.anyLayout(0);
      const spatial = identity(x.node.rank).slice(2);
      return { node: c.g.node(op, [x.node], { axes: viewAxes(x.perm, spatial), keepDims: true }), perm: x.perm };
    },
  };
}

/**
 * Softmax along one axis (opset ≥ 13); before 13, over the input coerced to 2-D at `axis`
 * (default 1): all axes from `axis` on form one row.
 */
function axisNormalisation(op: 'softmax' | 'logSoftmax'): ImportEntry {
  return {
    graft: [op, 'reshape'],
    note: 'before opset 13: over the input coerced to 2-D at axis',
    build: (c) => {
      const rank = c.shape(0).length;
      if (c.opset >= 13) {
        const x = c.anyLayout(0);
        const [axis] = normalise([c.int('axis', -1)], rank, op);
        return { node: c.g.node(op, [x.node], { axis: x.perm.indexOf(axis!) }), perm: x.perm };
      }
      const [axis] = normalise([c.int('axis', 1)], rank, op);
      const shape = c.shape(0);
      const rows = c.g.reshape(c.input(0), [sizeOf(shape.slice(0, axis)), sizeOf(shape.slice(axis))]);
      return c.g.reshape(c.g.node(op, [rows], { axis: 1 }), shape);
    },
  };
}

function pool(op: 'maxPool' | 'avgPool'): ImportEntry {
  return {
    graft: op === 'maxPool' ? ['maxPool'] : ['avgPool', 'pad'],
    note: op === 'avgPool' ? 'ceil_mode 0; count_include_pad = 1 as zero padding then a VALID avgPool' : 'ceil_mode 0, dilations 1, no Indices output',
    check: (node) => {
      if (intAttr(node, 'ceil_mode', 0) !== 0) return 'ceil_mode = 1 has no graft equivalent';
      if ((intsAttr(node, 'dilations') ?? []).some((d) => d !== 1)) return 'pool dilations other than 1 have no graft equivalent';
      return op === 'maxPool' ? extraOutputs(node, 'Indices') : undefined;
    },
    build: (c) => {
      checkRank4(c, c.node.opType);
      const ksize = c.ints('kernel_shape', []);
      if (ksize.length !== 2) throw new Unsupported(`kernel_shape must have 2 values, got [${ksize.join(',')}]`);
      const strides = c.ints('strides', [1, 1]);
      const padding = spatialPadding(c, ksize, strides, [1, 1]);
      const x = c.permuted(0, NHWC);
      if (op === 'avgPool' && c.int('count_include_pad', 0) === 1 && padding !== 'VALID') {
        // Every window of the zero-padded input lies inside it, so the mean counts the padding.
        const [[t, b], [l, r]] = padding === 'SAME' ? samePads(c, ksize, strides) : padding;
        const padded = c.g.pad(x, [[0, 0], [t, b], [l, r], [0, 0]]);
        return { node: c.g.avgPool(padded, { ksize, strides, padding: 'VALID' }), perm: NHWC };
      }
      return { node: c.g.node(op, [x], { ksize, strides, padding }), perm: NHWC };
    },
  };
}

function samePads(c: ImportContext, k: readonly number[], s: readonly number[]): [[number, number], [number, number]] {
  const [, , h, w] = c.shape(0) as [number, number, number, number];
  const a = axisGeometry(h, k[0]!, s[0]!, 1, 'SAME')!;
  const b = axisGeometry(w, k[1]!, s[1]!, 1, 'SAME')!;
  return [
    [a.before, a.after],
    [b.before, b.after],
  ];
}

/**
 * Conv: `y = conv2d(x_NHWC, w_HWIO)` with the view `[0, 2, 3, 1]` as its output order; the
 * bias, a `[M]` vector, joins the channel axis (last in that view). `group` is graft's `groups`
 * (a depthwise Conv is the case group = C): ONNX's weight `[M, C/g, kh, kw]` is graft's grouped
 * filter `[kh, kw, C/g, M]`, output channels split contiguously by group in both.
 */
const conv: ImportEntry = {
  graft: ['conv2d', 'biasAdd'],
  note: 'group as groups (depthwise: group = C); auto_pad SAME_UPPER is SAME, SAME_LOWER explicit pads',
  build: (c) => {
    checkRank4(c, 'Conv');
    const k = c.shape(1).slice(2);
    const strides = c.ints('strides', [1, 1]);
    const dilations = c.ints('dilations', [1, 1]);
    const padding = spatialPadding(c, k, strides, dilations);
    let y: Node = c.g.conv2d(c.permuted(0, NHWC), c.permuted(1, HWIO), { strides, dilations, padding, groups: c.int('group', 1) });
    if (c.has(2)) y = c.g.biasAdd(y, c.input(2));
    return { node: y, perm: NHWC };
  },
};

/**
 * ConvTranspose = conv2dTranspose: `y[o] = Σ x[i]·w[k]` over `o + pad_begin = i·s + k·d`, output
 * size `s·(in − 1) + output_padding + keff − pad_begin − pad_end`. With `output_shape`, the pads
 * come from ONNX's rule: total `= s·(in − 1) + output_padding + keff − out`, the odd unit at the
 * start unless auto_pad is SAME_UPPER. graft needs output_padding < stride (the rows the forward
 * conv never reads).
 */
const convTranspose: ImportEntry = {
  graft: ['conv2dTranspose', 'biasAdd'],
  note: 'group as groups; pads, output_padding or output_shape',
  build: (c) => {
    checkRank4(c, 'ConvTranspose');
    const [n, , h, w] = c.shape(0) as [number, number, number, number];
    const groups = c.int('group', 1);
    // The weight is `[C, M/g, kh, kw]`: M output channels in all.
    const [, perGroup, kh, kw] = c.shape(1) as [number, number, number, number];
    const m = perGroup * groups;
    const strides = c.ints('strides', [1, 1]);
    const dilations = c.ints('dilations', [1, 1]);
    const outputPadding = c.ints('output_padding', [0, 0]);
    const keff = [(kh - 1) * dilations[0]! + 1, (kw - 1) * dilations[1]! + 1];
    const inSize = [h, w];
    const full = (i: number) => strides[i]! * (inSize[i]! - 1) + outputPadding[i]! + keff[i]!;
    const autoPad = c.string('auto_pad', 'NOTSET');
    const outputShape = c.ints('output_shape', []);
    let pads: [number, number][];
    if (outputShape.length > 0 || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const target = outputShape.length > 0 ? outputShape.slice(-2) : [h * strides[0]!, w * strides[1]!];
      pads = [0, 1].map((i) => {
        const total = full(i) - target[i]!;
        if (total < 0) throw new Unsupported(`output_shape [${target.join(',')}] needs negative padding`);
        const half = Math.floor(total / 2);
        return autoPad === 'SAME_UPPER' ? [half, total - half] : [total - half, half];
      });
    } else if (autoPad === 'VALID') {
      pads = [
        [0, 0],
        [0, 0],
      ];
    } else {
      const [t, l, b, r] = c.ints('pads', [0, 0, 0, 0]);
      pads = [
        [t!, b!],
        [l!, r!],
      ];
    }
    if (outputPadding.some((p, i) => p >= strides[i]!)) {
      throw new Unsupported(`output_padding [${outputPadding.join(',')}] must be less than the strides [${strides.join(',')}]`);
    }
    const out = [0, 1].map((i) => full(i) - pads[i]![0] - pads[i]![1]);
    let y: Node = c.g.conv2dTranspose(c.permuted(0, NHWC), c.permuted(1, HWIO), {
      outputShape: [n, out[0]!, out[1]!, m],
      strides,
      dilations,
      padding: pads as unknown as Padding,
      groups,
    });
    if (c.has(2)) y = c.g.biasAdd(y, c.input(2));
    return { node: y, perm: NHWC };
  },
};

/** Gemm: `alpha · A′ B′ + beta · C` with A′, B′ optionally transposed. */
const gemm: ImportEntry = {
  graft: ['matmul', 'biasAdd', 'add', 'mul', 'transpose'],
  note: 'alpha, beta, transA, transB',
  build: (c) => {
    const a = c.int('transA', 0) === 1 ? c.permuted(0, [1, 0]) : c.input(0);
    const b = c.int('transB', 0) === 1 ? c.permuted(1, [1, 0]) : c.input(1);
    let y: Node = c.g.matmul(a, b);
    const alpha = c.float('alpha', 1);
    if (alpha !== 1) y = c.g.mul(y, alpha);
    if (c.has(2)) {
      const beta = c.float('beta', 1);
      const bias = beta === 1 ? c.input(2) : c.g.mul(c.input(2), beta);
      y = bias.rank === 1 && bias.shape[0] === y.shape[1] ? c.g.biasAdd(y, bias) : c.g.add(y, bias);
    }
    return y;
  },
};

/**
 * BatchNormalization in inference mode: `y = (x − mean)/√(var + ε) · scale + B` along axis 1,
 * i.e. `x · s + t` with `s = scale/√(var + ε)`, `t = B − mean · s` (computed at import when the
 * statistics are initializers), in the view with the channels last.
 */
const batchNormalization: ImportEntry = {
  graft: ['mul', 'biasAdd'],
  note: 'inference mode, folded to x·s + t',
  check: (node) => (intAttr(node, 'training_mode', 0) !== 0 ? 'training_mode = 1 has no graft equivalent' : extraOutputs(node, 'running mean')),
  build: (c) => {
    const rank = c.shape(0).length;
    const channelsLast: Perm = rank < 2 ? identity(rank) : [0, ...identity(rank).slice(2), 1];
    const eps = c.float('epsilon', 1e-5);
    const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => c.values(i));
    let s: Node;
    let t: Node;
    if (scale && bias && mean && variance) {
      const n = scale.data.length;
      const sv = new Float64Array(n);
      const tv = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        sv[i] = Number(scale.data[i]) / Math.sqrt(Number(variance.data[i]) + eps);
        tv[i] = Number(bias.data[i]) - Number(mean.data[i]) * sv[i]!;
      }
      s = c.g.constant(sv, [n], c.dtype);
      t = c.g.constant(tv, [n], c.dtype);
    } else {
      s = c.g.div(c.input(1), c.g.sqrt(c.g.add(c.input(4), eps)));
      t = c.g.sub(c.input(2), c.g.mul(c.input(3), s));
    }
    return { node: c.g.biasAdd(c.g.mul(c.permuted(0, channelsLast), s), t), perm: channelsLast };
  },
};

/**
 * Slice with steps ±1: a crop (graft's pad with negative amounts) per axis, then a reverse of
 * the axes with step −1. Bounds follow ONNX: negative ones count from the end, then clamp
 * to `[0, dim]` (step 1) or `[−1, dim − 1]` (step −1).
 */
const slice: ImportEntry = {
  graft: ['pad', 'reverse'],
  note: 'steps 1 and −1',
  build: (c) => {
    const x = c.anyLayout(0);
    const shape = c.shape(0);
    const rank = shape.length;
    const starts = c.intsOf(1, 'starts');
    const ends = c.intsOf(2, 'ends');
    const axes = c.has(3) ? normalise(c.intsOf(3, 'axes'), rank, 'Slice') : starts.map((_, i) => i);
    const steps = c.has(4) ? c.intsOf(4, 'steps') : starts.map(() => 1);
    const crop = identity(rank).map(() => [0, 0] as [number, number]);
    const reversed: number[] = [];
    axes.forEach((a, i) => {
      const dim = shape[a]!;
      const step = steps[i]!;
      const at = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + dim : v, lo), hi);
      let first: number;
      let last: number; // inclusive, in increasing order
      if (step === 1) {
        first = at(starts[i]!, 0, dim);
        last = at(ends[i]!, 0, dim) - 1;
      } else if (step === -1) {
        last = at(starts[i]!, -1, dim - 1);
        first = at(ends[i]!, -1, dim - 1) + 1;
        reversed.push(a);
      } else {
        throw new Unsupported(`step ${step} on axis ${a}: graft slices with steps 1 and −1 only`);
      }
      if (last < first) throw new Unsupported(`axis ${a} would be empty; graft tensors have no zero-size axes`);
      crop[a] = [-first, -(dim - 1 - last)];
    });
    let y = x.node;
    if (crop.some(([b, e]) => b !== 0 || e !== 0)) y = c.g.pad(y, x.perm.map((p) => crop[p]!));
    if (reversed.length > 0) y = c.g.reverse(y, viewAxes(x.perm, reversed));
    return { node: y, perm: x.perm };
  },
};

/** Pad, constant mode with value 0 (negative amounts crop, as in graft). */
const pad: ImportEntry = {
  graft: ['pad'],
  note: 'constant mode, value 0',
  check: (node) => {
    const mode = stringAttr(node, 'mode', 'constant');
    return mode === 'constant' ? undefined : `mode "${mode}": graft pads with zeros only`;
  },
  build: (c) => {
    const x = c.anyLayout(0);
    const rank = c.shape(0).length;
    const amounts = c.intsOf(1, 'pads');
    if (c.has(2)) {
      const v = c.values(2);
      if (v === undefined || Number(v.data[0]) !== 0) throw new Unsupported('constant_value must be 0 (known at import): graft pads with zeros');
    }
    const axes = c.has(3) ? normalise(c.intsOf(3, 'axes'), rank, 'Pad') : identity(rank);
    const pads = identity(rank).map(() => [0, 0] as [number, number]);
    axes.forEach((a, i) => (pads[a] = [amounts[i]!, amounts[i + axes.length]!]));
    return { node: c.g.pad(x.node, x.perm.map((p) => pads[p]!)), perm: x.perm };
  },
};

/** A reshape of the value in ONNX order. */
function reshapeTo(c: ImportContext, shape: readonly number[]): Node {
  return c.g.reshape(c.input(0), shape);
}

const reshape: ImportEntry = {
  graft: ['reshape'],
  note: 'shape known at import; 0 copies a size unless allowzero',
  build: (c) => {
    const x = c.shape(0);
    const allowZero = c.int('allowzero', 0) === 1;
    const shape = c.intsOf(1, 'shape').map((d, i) => (d === 0 && !allowZero ? x[i]! : d));
    if (shape.includes(0)) throw new Unsupported('a zero-size axis: graft tensors have none');
    return reshapeTo(c, shape);
  },
};

const flatten: ImportEntry = {
  graft: ['reshape'],
  note: 'axis',
  build: (c) => {
    const x = c.shape(0);
    const [axis] = normalise([c.int('axis', 1)], x.length + 1, 'Flatten');
    return reshapeTo(c, [sizeOf(x.slice(0, axis)), sizeOf(x.slice(axis))]);
  },
};

/** Squeeze/Unsqueeze axes: an input from opset 13, an attribute before. */
function squeezeAxes(c: ImportContext): number[] | undefined {
  if (c.has(1)) return c.intsOf(1, 'axes');
  return c.ints('axes', []).length > 0 ? [...c.ints('axes', [])] : undefined;
}

const squeeze: ImportEntry = {
  graft: ['reshape'],
  note: 'axes as an attribute or an input',
  build: (c) => {
    const x = c.shape(0);
    const given = squeezeAxes(c);
    const axes = given === undefined ? identity(x.length).filter((a) => x[a] === 1) : normalise(given, x.length, 'Squeeze');
    return reshapeTo(c, x.filter((_, a) => !axes.includes(a)));
  },
};

const unsqueeze: ImportEntry = {
  graft: ['reshape'],
  note: 'axes as an attribute or an input',
  build: (c) => {
    const x = c.shape(0);
    const given = squeezeAxes(c);
    if (given === undefined) throw new Unsupported('Unsqueeze needs axes');
    const rank = x.length + given.length;
    const axes = normalise(given, rank, 'Unsqueeze');
    const shape: number[] = [];
    let next = 0;
    for (let a = 0; a < rank; a++) shape.push(axes.includes(a) ? 1 : x[next++]!);
    return reshapeTo(c, shape);
  },
};

/**
 * ONNX `Y = Transpose(X, p)` is a change of view: X seen as P is Y seen as `Q = p⁻¹ ∘ P`
 * (`p[Q[k]] = P[k]`), so no graft node is made until someone needs another order.
 */
const transpose: ImportEntry = {
  graft: [],
  note: 'a change of axis order; a graft transpose only where a consumer needs it',
  build: (c) => {
    const x = c.anyLayout(0);
    const rank = x.node.rank;
    const p = c.ints('perm', [...identity(rank)].reverse());
    const inv = invert(p);
    return { node: x.node, perm: x.perm.map((a) => inv[a]!) };
  },
};

const expand: ImportEntry = {
  graft: ['broadcastTo'],
  note: 'shape known at import',
  build: (c) => {
    const target = broadcastShapes('Expand', c.shape(0), c.intsOf(1, 'shape'));
    const x = c.input(0);
    return target.join() === x.shape.join() ? x : c.g.broadcastTo(x, target);
  },
};

/** sign(x) = step(x) − step(−x). */
const sign: ImportEntry = {
  graft: ['step', 'neg', 'sub'],
  note: 'step(x) − step(−x)',
  build: (c) => {
    const x = c.anyLayout(0);
    return { node: c.g.sub(c.g.step(x.node), c.g.step(c.g.neg(x.node))), perm: x.perm };
  },
};

const passThrough = (c: ImportContext): ImportResult => {
  const v = c.values(0);
  return v !== undefined ? { tensor: v } : c.anyLayout(0);
};

const constant: ImportEntry = {
  graft: [],
  note: 'values known at import',
  check: (node) => {
    const known = ['value', 'value_float', 'value_floats', 'value_int', 'value_ints'];
    return Object.keys(node.attributes).some((k) => known.includes(k)) ? undefined : `only ${known.join(', ')} are read`;
  },
  build: (c) => {
    const a = c.node.attributes;
    const name = c.node.outputs[0] ?? '';
    const v = a.value ?? a.value_float ?? a.value_floats ?? a.value_int ?? a.value_ints;
    if (v?.type === 'tensor') return { tensor: { ...v.value, name } };
    if (v?.type === 'float') return { tensor: { name, dims: [], dataType: 1, data: Float32Array.of(v.value) } };
    if (v?.type === 'floats') return { tensor: { name, dims: [v.value.length], dataType: 1, data: Float32Array.from(v.value) } };
    if (v?.type === 'int') return { tensor: { name, dims: [], dataType: 7, data: BigInt64Array.of(BigInt(v.value)) } };
    if (v?.type === 'ints') return { tensor: { name, dims: [v.value.length], dataType: 7, data: BigInt64Array.from(v.value.map(BigInt)) } };
    throw new Unsupported('a Constant must hold a tensor, float(s) or int(s)');
  },
};

/** Every ONNX op type graft imports (default domain). */
export const importRules: Readonly<Record<string, ImportEntry>> = {
  Identity: { graft: [], note: 'the operand itself', build: passThrough },
  Constant: constant,
  Dropout: {
    graft: [],
    note: 'inference: the identity',
    check: (node) => extraOutputs(node, 'mask'),
    build: (c) => {
      if (c.has(2) && Number(c.values(2)?.data[0] ?? 1) !== 0) throw new Unsupported('training_mode must be false (known at import)');
      return c.anyLayout(0);
    },
  },
  Neg: unary('neg'),
  Exp: unary('exp'),
  Log: unary('log'),
  Relu: unary('relu'),
  Sigmoid: unary('sigmoid'),
  Tanh: unary('tanh'),
  Sqrt: unary('sqrt'),
  Sign: sign,
  Add: binary('add'),
  Sub: binary('sub'),
  Mul: binary('mul'),
  Div: binary('div'),
  ReduceSum: reduction('sum', 'ReduceSum'),
  ReduceMean: reduction('mean', 'ReduceMean'),
  ReduceMax: reduction('max', 'ReduceMax'),
  GlobalAveragePool: globalPool('mean'),
  GlobalMaxPool: globalPool('max'),
  Softmax: axisNormalisation('softmax'),
  LogSoftmax: axisNormalisation('logSoftmax'),
  Reshape: reshape,
  Flatten: flatten,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Transpose: transpose,
  Slice: slice,
  Pad: pad,
  Expand: expand,
  MatMul: {
    graft: ['matmul'],
    note: 'rank ≥ 2',
    build: (c) => {
      if (c.shape(0).length < 2 || c.shape(1).length < 2) throw new Unsupported('1-D MatMul operands: graft matmul needs rank ≥ 2');
      return c.g.matmul(c.input(0), c.input(1));
    },
  },
  Gemm: gemm,
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool('maxPool'),
  AveragePool: pool('avgPool'),
  BatchNormalization: batchNormalization,
  Concat: {
    graft: ['concat'],
    note: "in the first operand's axis order",
    build: (c) => {
      const first = c.anyLayout(0);
      const [axis] = normalise([c.int('axis', 0)], c.shape(0).length, 'Concat');
      const operands = c.node.inputs.map((_, i) => (i === 0 ? first.node : c.permuted(i, first.perm)));
      return { node: c.g.concat(operands, first.perm.indexOf(axis!)), perm: first.perm };
    },
  },
};
