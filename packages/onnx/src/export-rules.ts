/**
 * graft op → ONNX nodes, one entry per op in a table typed over graft's op names: an op added
 * to the IR without an entry here is a type error. Conv and pool entries read the geometry
 * `@graft/ir` computed (pads per side, unread rows); none is recomputed here.
 */
import type { ConvGeometry, OpName, PoolAttrs } from '@graft/ir';
import type { ExportContext, ExportEntry, ExportRule } from './export-context.ts';
import { NCHW, OIHW, invert, onlyUnitAxesMove } from './layouts.ts';

/** Ops every graph has, handled by the exporter itself (graph inputs and initializers). */
export type SourceOp = 'input' | 'constant';
export type ExportedOp = Exclude<OpName, SourceOp>;

/** The smallest int64, ONNX's "to the start" end for a negative-step Slice. */
const INT64_MIN = -(2n ** 63n);

/** ONNX's `pads` for Conv/ConvTranspose/pools: all begins, then all ends, `[top, left, bottom, right]`. */
function onnxPads(geo: ConvGeometry): number[] {
  const [pt, pb, pl, pr] = geo.pads;
  return [pt, pl, pb, pr];
}

/** A unary op that does not care about axis order: applied in whatever order its operand has. */
function unary<K extends ExportedOp>(opType: string): ExportEntry<K> {
  return {
    onnx: [opType],
    emit: (c) => {
      const x = c.anyLayout(0);
      return { name: c.emit(opType, [x.name]), perm: x.perm };
    },
  };
}

/**
 * Binary elementwise ops broadcast like NumPy in both systems. The operand of the output's
 * shape keeps its order P; the other, padded with leading 1s, is seen in order P too — a
 * reshape when only size-1 axes move (a per-channel `[C]` against NCHW becomes `[1, C, 1, 1]`).
 * Anything else broadcasts in graft's order.
 */
function binary<K extends 'add' | 'sub' | 'mul' | 'div'>(opType: string): ExportEntry<K> {
  return {
    onnx: [opType],
    emit: (c) => {
      const out = c.node.shape;
      const lead = c.node.inputs.findIndex((n) => n.shape.join() === out.join());
      if (lead >= 0 && out.length > 0) {
        const other = 1 - lead;
        const small = c.node.inputs[other]!.shape;
        const x = c.anyLayout(lead);
        const padded = [...Array<number>(out.length - small.length).fill(1), ...small];
        const viewed = x.perm.map((p) => padded[p]!);
        if (small.join() === out.join() || onlyUnitAxesMove(x.perm, padded)) {
          const y =
            small.join() === out.join()
              ? c.permuted(other, x.perm)
              : small.length === 0 || viewed.join() === padded.join()
                ? c.input(other)
                : c.reshaped(other, viewed);
          return { name: c.emit(opType, lead === 0 ? [x.name, y] : [y, x.name]), perm: x.perm };
        }
      }
      return c.emit(opType, [c.input(0), c.input(1)]);
    },
  };
}

/**
 * A reduction in the operand's own order: graft axes `axes` are ONNX axes `{k : perm[k] ∈ axes}`.
 * With keepDims the output keeps the operand's order; without, the kept axes keep their relative
 * order on both sides.
 */
function reduction<K extends 'sum' | 'mean' | 'max'>(opType: 'ReduceSum' | 'ReduceMean' | 'ReduceMax'): ExportEntry<K> {
  return {
    onnx: [opType],
    note: opType === 'ReduceSum' ? 'axes as an input' : 'axes as an attribute (opset ≤ 17)',
    emit: (c) => {
      const { axes, keepDims } = c.attrs;
      const x = c.anyLayout(0);
      if (axes.length === 0) return { name: c.emit('Identity', [x.name]), perm: x.perm };
      const onnxAxes = x.perm.flatMap((p, k) => (axes.includes(p) ? [k] : []));
      // ReduceSum takes its axes as an input from opset 13, ReduceMean/ReduceMax from opset 18.
      const name =
        opType === 'ReduceSum' || c.opset >= 18
          ? c.emit(opType, [x.name, c.int64(onnxAxes)], { keepdims: keepDims ? 1 : 0 })
          : c.emit(opType, [x.name], { axes: onnxAxes, keepdims: keepDims ? 1 : 0 });
      if (keepDims) return { name, perm: x.perm };
      // ONNX keeps graft axes `kept` in its order; graft's output axis of graft axis p is p's rank among them.
      const kept = x.perm.filter((p) => !axes.includes(p));
      const sorted = [...kept].sort((a, b) => a - b);
      return { name, perm: kept.map((p) => sorted.indexOf(p)) };
    },
  };
}

/** Softmax and LogSoftmax (opset ≥ 13: normalised along one axis) in the operand's own order. */
function axisNormalisation<K extends 'softmax' | 'logSoftmax'>(opType: 'Softmax' | 'LogSoftmax'): ExportEntry<K> {
  return {
    onnx: [opType],
    note: 'one axis (opset ≥ 13)',
    emit: (c) => {
      const x = c.anyLayout(0);
      return { name: c.emit(opType, [x.name], { axis: x.perm.indexOf(c.attrs.axis) }), perm: x.perm };
    },
  };
}

/** The attributes Conv and ConvTranspose share, from the geometry the node carries. */
function windowAttrs(geo: ConvGeometry) {
  return { kernel_shape: [geo.kh, geo.kw], strides: [...geo.strides], dilations: [...geo.dilations], pads: onnxPads(geo), group: geo.groups };
}

/**
 * Conv: NCHW input, OIHW weight, pads per side from the geometry; the output stays NCHW. A
 * grouped filter `[kh, kw, cin/g, cout]` is ONNX's `[M, C/g, kh, kw]` in OIHW order, its output
 * channels split contiguously by group in both systems.
 */
const conv2dRule: ExportRule<'conv2d'> = (c) => {
  const y = c.emit('Conv', [c.permuted(0, NCHW), c.permuted(1, OIHW)], windowAttrs(c.node.geometry));
  return { name: y, perm: NCHW };
};

/**
 * A depthwise filter `[kh, kw, C, m]` gives output channel `c·m + k`: ONNX's grouped Conv
 * (group = C) with weight `[C·m, 1, kh, kw]`, the filter in `[C, m, kh, kw]` order reshaped.
 * The depthwise input gradient is the ConvTranspose of the same weight and groups.
 */
function depthwiseWeight(c: ExportContext<'depthwiseConv2d' | 'depthwiseConv2dBackpropInput'>): string {
  const [kh, kw, channels, multiplier] = c.node.inputs[1]!.shape as [number, number, number, number];
  return c.emit('Reshape', [c.permuted(1, [2, 3, 0, 1]), c.int64([channels * multiplier, 1, kh, kw])]);
}

/**
 * ConvTranspose computes `y[o] = Σ x[i]·w[k]` over `o + pad_begin = i·s + k·d`, which is
 * conv2dBackpropInput's `dx[p] = Σ dy[i]·w[a]` over `p = i·s + a·d − pt`. Its output size
 * `s·(in − 1) + keff − pt − pb + output_padding` equals the forward conv's input size
 * `(out − 1)·s + keff − pt − pb + r` with output_padding = r, the rows the forward conv never
 * reads. Its weight is `[C_in of X, C_out, kh, kw]`: HWIO `[kh, kw, ci, co]` with co the
 * transposed conv's input channels, i.e. the same OIHW order as Conv's.
 */
function transposedConv<K extends 'conv2dTranspose' | 'conv2dBackpropInput' | 'depthwiseConv2dBackpropInput'>(
  weight: (c: ExportContext<K>) => string,
): ExportRule<K> {
  return (c) => {
    const geo: ConvGeometry = c.node.geometry;
    const y = c.emit('ConvTranspose', [c.permuted(0, NCHW), weight(c)], { ...windowAttrs(geo), output_padding: [geo.h.unread, geo.w.unread] });
    return { name: y, perm: NCHW };
  };
}

/** Operands side by side along one axis, in the first operand's order (the others follow it). */
const concatRule: ExportRule<'concat'> = (c) => {
  const first = c.anyLayout(0);
  const inputs = c.node.inputs.map((_, i) => (i === 0 ? first.name : c.permuted(i, first.perm)));
  return { name: c.emit('Concat', inputs, { axis: first.perm.indexOf(c.attrs.axis) }), perm: first.perm };
};

function pool<K extends 'maxPool' | 'avgPool'>(opType: 'MaxPool' | 'AveragePool'): ExportEntry<K> {
  return {
    onnx: [opType],
    note: opType === 'AveragePool' ? 'NCHW, explicit pads, count_include_pad = 0' : 'NCHW, explicit pads',
    emit: (c) => {
      const a: PoolAttrs = c.attrs;
      const attrs = { kernel_shape: [...a.ksize], strides: [...a.strides], pads: onnxPads(c.node.geometry) };
      const y = c.emit(opType, [c.permuted(0, NCHW)], opType === 'AveragePool' ? { ...attrs, count_include_pad: 0 } : attrs);
      return { name: y, perm: NCHW };
    },
  };
}

/** `tf.nn.bias_add`: the bias joins the channel axis wherever the operand's order put it. */
const biasAddRule: ExportRule<'biasAdd'> = (c) => {
  const x = c.anyLayout(0);
  const channels = c.node.rank - 1;
  const at = x.perm.indexOf(channels);
  const trailing = c.node.rank - 1 - at;
  const b = trailing === 0 ? c.input(1) : c.reshaped(1, [c.node.shape[channels]!, ...Array<number>(trailing).fill(1)]);
  return { name: c.emit('Add', [x.name, b]), perm: x.perm };
};

/**
 * Zero padding per axis, a negative amount cropping: crops are a Slice, pads a Pad, in the
 * operand's own order (a crop and a pad of one axis commute: they touch opposite ends or add
 * to the same end).
 */
const padRule: ExportRule<'pad'> = (c) => {
  const x = c.anyLayout(0);
  const pads = x.perm.map((p) => c.attrs.pads[p]!);
  const dims = x.perm.map((p) => c.node.inputs[0]!.shape[p]!);
  let name = x.name;
  const cropped = pads.flatMap(([b, a], k) => (b < 0 || a < 0 ? [k] : []));
  if (cropped.length > 0) {
    name = c.emit('Slice', [
      name,
      c.int64(cropped.map((k) => Math.max(0, -pads[k]![0]))),
      c.int64(cropped.map((k) => dims[k]! - Math.max(0, -pads[k]![1]))),
      c.int64(cropped),
    ]);
  }
  if (pads.some(([b, a]) => b > 0 || a > 0)) {
    const amounts = [...pads.map(([b]) => Math.max(0, b)), ...pads.map(([, a]) => Math.max(0, a))];
    name = c.emit('Pad', [name, c.int64(amounts)], { mode: { type: 'string', value: 'constant' } });
  }
  if (name === x.name) name = c.emit('Identity', [name]);
  return { name, perm: x.perm };
};

/** Reversal along axes: a Slice from the last element to before the first with step −1. */
const reverseRule: ExportRule<'reverse'> = (c) => {
  const x = c.anyLayout(0);
  const axes = x.perm.flatMap((p, k) => (c.attrs.axes.includes(p) ? [k] : []));
  if (axes.length === 0) return { name: c.emit('Identity', [x.name]), perm: x.perm };
  const name = c.emit('Slice', [x.name, c.int64(axes.map(() => -1)), c.int64(axes.map(() => INT64_MIN)), c.int64(axes), c.int64(axes.map(() => -1))]);
  return { name, perm: x.perm };
};

/**
 * A transpose is a change of view: graft's `y = transpose(x, p)` seen in order Q is x seen in
 * order P when `p[Q[k]] = P[k]`, i.e. `Q = p⁻¹ ∘ P`, so it needs no ONNX node until someone asks
 * for y in another order.
 */
const transposeRule: ExportRule<'transpose'> = (c) => {
  const x = c.anyLayout(0);
  const inv = invert(c.attrs.perm);
  return { name: x.name, perm: x.perm.map((p) => inv[p]!) };
};

const unsupportedGradient = (what: string) => `${what}: ONNX's inference ops have none; export the forward graph`;

/** Every graft op's ONNX mapping. */
export const exportRules: { readonly [K in ExportedOp]: ExportEntry<K> } = {
  neg: unary('Neg'),
  exp: unary('Exp'),
  log: unary('Log'),
  relu: unary('Relu'),
  sigmoid: unary('Sigmoid'),
  tanh: unary('Tanh'),
  sqrt: unary('Sqrt'),
  square: {
    onnx: ['Mul'],
    note: 'x·x',
    emit: (c) => {
      const x = c.anyLayout(0);
      return { name: c.emit('Mul', [x.name, x.name]), perm: x.perm };
    },
  },
  step: {
    onnx: ['Relu', 'Sign'],
    note: 'sign(relu(x)): 1 where x > 0, else 0',
    emit: (c) => {
      const x = c.anyLayout(0);
      return { name: c.emit('Sign', [c.emit('Relu', [x.name])]), perm: x.perm };
    },
  },
  add: binary('Add'),
  sub: binary('Sub'),
  mul: binary('Mul'),
  div: binary('Div'),
  sum: reduction('ReduceSum'),
  mean: reduction('ReduceMean'),
  max: reduction('ReduceMax'),
  softmax: axisNormalisation('Softmax'),
  logSoftmax: axisNormalisation('LogSoftmax'),
  reshape: { onnx: ['Reshape'], emit: (c) => c.emit('Reshape', [c.input(0), c.int64(c.attrs.shape)]) },
  transpose: { onnx: [], note: 'a change of axis order, written as a Transpose only where a consumer needs it', emit: transposeRule },
  reverse: { onnx: ['Slice'], note: 'steps −1', emit: reverseRule },
  pad: { onnx: ['Pad', 'Slice'], note: 'negative amounts (crops) as Slice', emit: padRule },
  broadcastTo: {
    onnx: ['Expand'],
    emit: (c) => c.emit('Expand', [c.input(0), c.int64(c.attrs.shape)]),
  },
  matmul: { onnx: ['MatMul'], note: 'batch axes broadcast', emit: (c) => c.emit('MatMul', [c.input(0), c.input(1)]) },
  biasAdd: { onnx: ['Add'], note: 'the bias reshaped to the channel axis of the operand\'s order', emit: biasAddRule },
  conv2d: { onnx: ['Conv'], note: 'NCHW/OIHW, SAME as explicit pads per side, groups as group', emit: conv2dRule },
  conv2dTranspose: {
    onnx: ['ConvTranspose'],
    note: 'explicit pads, output_padding = the forward conv\'s unread rows, groups as group',
    emit: transposedConv<'conv2dTranspose'>((c) => c.permuted(1, OIHW)),
  },
  conv2dBackpropInput: {
    onnx: ['ConvTranspose'],
    note: 'as conv2dTranspose',
    emit: transposedConv<'conv2dBackpropInput'>((c) => c.permuted(1, OIHW)),
  },
  depthwiseConv2d: {
    onnx: ['Conv', 'Reshape'],
    note: 'group = C, filter as [C·m, 1, kh, kw]',
    emit: (c) => ({ name: c.emit('Conv', [c.permuted(0, NCHW), depthwiseWeight(c)], windowAttrs(c.node.geometry)), perm: NCHW }),
  },
  depthwiseConv2dBackpropInput: {
    onnx: ['ConvTranspose', 'Reshape'],
    note: 'as depthwiseConv2d, transposed',
    emit: transposedConv<'depthwiseConv2dBackpropInput'>(depthwiseWeight),
  },
  concat: { onnx: ['Concat'], note: 'in the first operand\'s axis order', emit: concatRule },
  maxPool: pool('MaxPool'),
  avgPool: pool('AveragePool'),
  conv2dBackpropFilter: { unsupported: unsupportedGradient('the conv filter gradient') },
  depthwiseConv2dBackpropFilter: { unsupported: unsupportedGradient('the depthwise filter gradient') },
  fused: { unsupported: 'a compiler-internal node; export the graph before compile()' },
  maxPoolGrad: { unsupported: unsupportedGradient('the max-pool gradient scatter') },
  maxPoolGradGrad: { unsupported: unsupportedGradient('the max-pool gradient gather') },
  dilate: { unsupported: 'no ONNX op inserts zeros between elements' },
};
