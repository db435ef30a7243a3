import { GraphError, type ConvGeometry, type FusedExpr, type Node } from '@graft/ir';
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
 *
 * with the node's groups (a depthwise op's geometry is the grouped conv's with groups = C, and
 * its filter `[kh, kw, C, m]` is the grouped filter `[kh, kw, 1, C·m]` element for element, so
 * the depthwise ops are the same three primitives).
 */

/** The ops that may run natively. */
export type NativeOp = NativeConvOp | 'matmul';

type NativeConvOp =
  | 'conv2d'
  | 'conv2dBackpropInput'
  | 'conv2dTranspose'
  | 'conv2dBackpropFilter'
  | 'depthwiseConv2d'
  | 'depthwiseConv2dBackpropInput'
  | 'depthwiseConv2dBackpropFilter';

const convKinds: Readonly<Record<NativeConvOp, OnednnConvKind>> = {
  conv2d: 'forward',
  conv2dBackpropInput: 'backwardData',
  conv2dTranspose: 'backwardData',
  conv2dBackpropFilter: 'backwardWeights',
  depthwiseConv2d: 'forward',
  depthwiseConv2dBackpropInput: 'backwardData',
  depthwiseConv2dBackpropFilter: 'backwardWeights',
};

/** Whether `node` (float32, an op above, no empty tensor) can be given a oneDNN primitive. */
export function isNativeCandidate(node: Node): boolean {
  if (node.dtype !== 'float32' || (node.op !== 'matmul' && !Object.hasOwn(convKinds, node.op))) return false;
  const shapes = [node.shape, ...node.inputs.map((i) => i.shape)];
  return shapes.every((s) => s.every((d) => d > 0));
}

/** The forward conv geometry a conv-family node's primitive is built on (the geometry the node carries). */
export function nativeConvGeometry(node: Node): { kind: OnednnConvKind; g: ConvGeometry } {
  const kind = Object.hasOwn(convKinds, node.op) ? convKinds[node.op as NativeConvOp] : undefined;
  if (kind === undefined) throw new GraphError('onednn', 'a native conv primitive must be built for a conv-family op', { op: node.op });
  return { kind, g: node.geometry as ConvGeometry };
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
  const work = size(g.outShape) * g.kh * g.kw * g.groupInC;
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
    groups: g.groups,
    bias: epilogue?.bias ?? false,
    relu: epilogue?.relu ?? false,
  });
}

/**
 * Whether the step reading a forward conv's output computes `x + b`, `biasAdd(x, b)` or
 * `relu` of either (a fused node, or a lone add / biasAdd), with x the whole conv output (buffer
 * `conv`) and b a `[C]` vector along the last axis: a conv's bias and relu, which oneDNN applies
 * as post-ops. Returns the epilogue and b's buffer.
 */
export function convEpilogue(reader: Node, inputs: readonly number[], conv: number): { epilogue: ConvEpilogue; bias: number } | undefined {
  const operand = (k: number) => ({ buffer: inputs[k], node: reader.inputs[k] });
  const isConv = (k: number) => operand(k).buffer === conv && operand(k).node?.shape.join() === reader.shape.join();
  const isBias = (k: number) => {
    const o = operand(k);
    const c = reader.shape[reader.shape.length - 1];
    return o.buffer !== conv && o.node !== undefined && o.node.shape[o.node.shape.length - 1] === c && o.node.shape.slice(0, -1).every((d) => d === 1);
  };
  const sum = (a: number, b: number) => (isConv(a) && isBias(b) ? inputs[b] : isConv(b) && isBias(a) ? inputs[a] : undefined);
  if (reader.op === 'add' || reader.op === 'biasAdd') {
    const bias = sum(0, 1);
    return bias === undefined ? undefined : { epilogue: { bias: true, relu: false }, bias };
  }
  if (reader.op !== 'fused') return undefined;
  const { values, result } = (reader.attrs as { readonly expr: FusedExpr }).expr;
  const loadOf = (i: number) => {
    const v = values[i];
    return v?.kind === 'load' ? v.input : undefined;
  };
  let top = values[result];
  const relu = top?.kind === 'apply' && top.op.name === 'relu';
  if (top?.kind === 'apply' && relu) top = values[top.args[0]!];
  if (top?.kind !== 'apply' || (top.op.name !== 'add' && top.op.name !== 'biasAdd')) return undefined;
  const [a, b] = top.args.map(loadOf);
  // Nothing else may be computed: two loads, the sum and the relu are the whole expression.
  if (a === undefined || b === undefined || values.length !== (relu ? 4 : 3)) return undefined;
  const bias = sum(a, b);
  return bias === undefined ? undefined : { epilogue: { bias: true, relu }, bias };
}
