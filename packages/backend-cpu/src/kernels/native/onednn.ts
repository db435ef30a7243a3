import type { FusedExpr } from '@graft/compiler';
import { convGeometry, stridesOf, transposeGeometry, type ConvGeometry, type Node } from '@graft/ir';
import type { OnednnAddon, OnednnConvKind, OnednnPrimitive } from '@graft/onednn';

/*
 * Steps of a float32 plan that run on oneDNN primitives. A primitive is created when the plan is
 * prepared (its geometry is fixed by the node's shapes and attrs) and run on the executor's own
 * arrays: arena views, feeds and outputs are passed to oneDNN as pointers, so a run copies
 * nothing. The conv family maps onto oneDNN's three convolution primitives:
 *
 *     conv2d(x, w)                 = forward(x, w)
 *     conv2dBackpropInput(dy, w)   = backward data(dy, w)       (geometry of the forward conv of dx's shape)
 *     conv2dTranspose(v, w)        = backward data(v, w)        (the same linear map)
 *     conv2dBackpropFilter(x, dy)  = backward weights(x, dy)
 */

/** The ops that may run natively. */
export type NativeOp = 'conv2d' | 'conv2dBackpropInput' | 'conv2dTranspose' | 'conv2dBackpropFilter' | 'matmul';

const nativeOps: ReadonlySet<string> = new Set<NativeOp>(['conv2d', 'conv2dBackpropInput', 'conv2dTranspose', 'conv2dBackpropFilter', 'matmul']);

/** Whether `node` (float32, an op above, no empty tensor) can be given a oneDNN primitive. */
export function isNativeCandidate(node: Node): boolean {
  if (node.dtype !== 'float32' || !nativeOps.has(node.op)) return false;
  const shapes = [node.shape, ...node.inputs.map((i) => i.shape)];
  return shapes.every((s) => s.every((d) => d > 0));
}

/** The forward conv geometry a conv-family node's primitive is built on. */
export function nativeConvGeometry(node: Node): { kind: OnednnConvKind; g: ConvGeometry } {
  const [a, b] = node.inputs as [Node, Node];
  if (node.is('conv2d')) {
    const { strides, padding, dilations } = node.attrs;
    return { kind: 'forward', g: convGeometry('conv2d', a.shape, b.shape, strides, padding, dilations) };
  }
  if (node.is('conv2dBackpropInput')) {
    const { strides, padding, dilations, inputShape } = node.attrs;
    return { kind: 'backwardData', g: transposeGeometry('conv2dBackpropInput', a.shape, b.shape, inputShape, strides, padding, dilations) };
  }
  if (node.is('conv2dTranspose')) {
    const { strides, padding, dilations, outputShape } = node.attrs;
    return { kind: 'backwardData', g: transposeGeometry('conv2dTranspose', a.shape, b.shape, outputShape, strides, padding, dilations) };
  }
  if (node.is('conv2dBackpropFilter')) {
    const { strides, padding, dilations, filterShape } = node.attrs;
    return { kind: 'backwardWeights', g: convGeometry('conv2dBackpropFilter', a.shape, filterShape, strides, padding, dilations) };
  }
  throw new Error(`onednn: ${node.op} is not a conv`);
}

/** What the fused epilogue of a forward conv adds: a `[outC]` bias, then relu. */
export interface ConvEpilogue {
  readonly bias: boolean;
  readonly relu: boolean;
}

/**
 * Multiply-adds below which a primitive runs on one thread whatever the executor's count: waking
 * an OpenMP team costs microseconds, and on a busy machine a barrier waits for a descheduled
 * thread (the WebAssembly kernels draw the same line).
 */
const PARALLEL_WORK = 1 << 20;

const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/**
 * The primitive for `node`: a conv (forward with an optional bias + relu epilogue, or one of
 * the gradients) or a matmul, created for `threads` OpenMP threads (one for a small op).
 */
export function nativePrimitive(addon: OnednnAddon, node: Node, threads: number, epilogue?: ConvEpilogue): OnednnPrimitive {
  if (node.is('matmul')) {
    const [a, b] = node.inputs as [Node, Node];
    const rank = node.shape.length;
    const lift = (s: readonly number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
    const work = size(node.shape) * a.shape[a.shape.length - 1]!;
    return new addon.Matmul(lift(a.shape), lift(b.shape), node.shape, work < PARALLEL_WORK ? 1 : threads);
  }
  const { kind, g } = nativeConvGeometry(node);
  const work = size(g.outShape) * g.kh * g.kw * g.inC;
  return new addon.Conv({
    kind,
    threads: work < PARALLEL_WORK ? 1 : threads,
    batch: g.batch,
    inH: g.inH,
    inW: g.inW,
    inC: g.inC,
    outH: g.outH,
    outW: g.outW,
    outC: g.outC,
    kh: g.kh,
    kw: g.kw,
    sh: g.strides[0],
    sw: g.strides[1],
    dh: g.dilations[0],
    dw: g.dilations[1],
    pt: g.pads[0],
    pb: g.pads[1],
    pl: g.pads[2],
    pr: g.pads[3],
    bias: epilogue?.bias ?? false,
    relu: epilogue?.relu ?? false,
  });
}

/**
 * Whether a fused expression is `x + b` or `relu(x + b)` (either operand order) with x the whole
 * buffer `conv` and b a `[C]` vector broadcast along the last axis: a conv's bias and relu,
 * which oneDNN applies as post-ops. Returns the epilogue and b's buffer.
 */
export function convEpilogue(expr: FusedExpr, inputs: readonly number[], conv: number): { epilogue: ConvEpilogue; bias: number } | undefined {
  const v = expr.values;
  const rank = expr.shape.length;
  const whole = stridesOf(expr.shape);
  const isConv = (i: number) => {
    const l = v[i];
    return l?.kind === 'load' && inputs[l.input] === conv && l.strides.every((s, d) => s === whole[d] || expr.shape[d] === 1);
  };
  const biasOf = (i: number) => {
    const l = v[i];
    if (l?.kind !== 'load' || inputs[l.input] === conv) return undefined;
    return l.strides.every((s, d) => s === (d === rank - 1 ? 1 : 0)) ? inputs[l.input] : undefined;
  };
  let sum = expr.result;
  const top = v[sum];
  const relu = top?.kind === 'unary' && top.op === 'relu';
  if (relu) sum = top.x;
  const add = v[sum];
  if (add?.kind !== 'binary' || add.op !== 'add') return undefined;
  const bias = isConv(add.a) ? biasOf(add.b) : isConv(add.b) ? biasOf(add.a) : undefined;
  // Nothing else may be computed: the loads, the add and the relu are the whole expression.
  if (bias === undefined || v.length !== (relu ? 4 : 3)) return undefined;
  return { epilogue: { bias: true, relu }, bias };
}
