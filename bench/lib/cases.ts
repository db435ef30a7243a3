/**
 * The workloads of issue #7: conv2d forward and its two gradients at the MNIST-CNN sizes, a
 * stride-2 and a dilated geometry, and one SGD training step of the small MNIST CNN.
 */

export type Shape4 = readonly [number, number, number, number];

/** The three members of the conv family that the bench times. */
export type ConvOp = 'conv2d' | 'backpropInput' | 'backpropFilter';

export interface ConvCase {
  readonly kind: 'conv';
  /** Stable id, used in JSON, file names and `--only`. */
  readonly id: string;
  readonly group: 'forward' | 'gradients' | 'stride2' | 'dilated';
  readonly op: ConvOp;
  /** NHWC input shape. */
  readonly x: Shape4;
  /** HWIO filter shape. */
  readonly w: Shape4;
  readonly strides: number;
  readonly dilations: number;
  readonly padding: 'SAME';
}

export interface TrainCase {
  readonly kind: 'train';
  readonly id: string;
  readonly group: 'train';
  readonly batch: number;
  /** Learning rate of the SGD update. */
  readonly lr: number;
}

export type Case = ConvCase | TrainCase;

function conv(group: ConvCase['group'], op: ConvOp, x: Shape4, w: Shape4, strides = 1, dilations = 1): ConvCase {
  const tag = { conv2d: 'fwd', backpropInput: 'bpi', backpropFilter: 'bpf' }[op];
  const id = `${tag}-x${x.join('x')}-w${w.join('x')}-s${strides}-d${dilations}`;
  return { kind: 'conv', id, group, op, x, w, strides, dilations, padding: 'SAME' };
}

const mid: [Shape4, Shape4] = [[32, 14, 14, 32], [5, 5, 32, 64]];
const s2: [Shape4, Shape4] = [[16, 32, 32, 16], [3, 3, 16, 32]];

export const cases: readonly Case[] = [
  conv('forward', 'conv2d', [32, 28, 28, 1], [5, 5, 1, 32]),
  conv('forward', 'conv2d', ...mid),
  conv('forward', 'conv2d', [8, 56, 56, 64], [3, 3, 64, 64]),
  conv('gradients', 'backpropInput', ...mid),
  conv('gradients', 'backpropFilter', ...mid),
  conv('stride2', 'conv2d', ...s2, 2),
  conv('stride2', 'backpropInput', ...s2, 2),
  conv('stride2', 'backpropFilter', ...s2, 2),
  conv('dilated', 'conv2d', ...s2, 1, 2),
  conv('dilated', 'backpropInput', ...s2, 1, 2),
  conv('dilated', 'backpropFilter', ...s2, 1, 2),
  { kind: 'train', id: 'train-mnist-cnn-b64', group: 'train', batch: 64, lr: 0.01 },
];

/** One spatial axis of TensorFlow's SAME rule: out = ceil(in / s), the odd pad row goes after. */
export interface AxisPads {
  readonly out: number;
  readonly before: number;
  readonly after: number;
}

/**
 * TensorFlow's SAME padding for one axis: `out = ceil(in / s)`,
 * `total = max((out − 1)·s + (k − 1)·d + 1 − in, 0)`, `before = floor(total / 2)`.
 * The peers (ONNX Runtime, PyTorch) take explicit pads, so the bench states them itself;
 * graft is given `'SAME'` and computes its own, which makes this an independent check.
 */
export function sameAxis(size: number, k: number, s: number, d: number): AxisPads {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + (k - 1) * d + 1 - size, 0);
  const before = Math.floor(total / 2);
  return { out, before, after: total - before };
}

/** Geometry of a conv case: output shape and pads `[top, bottom, left, right]`. */
export function convGeometry(c: ConvCase): { y: Shape4; pads: readonly [number, number, number, number] } {
  const [n, h, wd] = c.x;
  const [kh, kw, , cout] = c.w;
  const rows = sameAxis(h, kh, c.strides, c.dilations);
  const cols = sameAxis(wd, kw, c.strides, c.dilations);
  return { y: [n, rows.out, cols.out, cout], pads: [rows.before, rows.after, cols.before, cols.after] };
}

/** GFLOP of one conv op of this geometry: 2·N·oh·ow·kh·kw·cin·cout (the same for its gradients). */
export function convGflop(x: Shape4, w: Shape4, y: Shape4): number {
  const [kh, kw, cin, cout] = w;
  return (2 * x[0] * y[1] * y[2] * kh * kw * cin * cout) / 1e9;
}

/** A human label: `conv2d x[32,14,14,32] w[5,5,32,64] s1 d1`. */
export function caseLabel(c: Case): string {
  if (c.kind === 'train') return `train step, MNIST CNN, batch ${c.batch}`;
  return `${c.op} x[${c.x.join(',')}] w[${c.w.join(',')}] s${c.strides} d${c.dilations}`;
}
