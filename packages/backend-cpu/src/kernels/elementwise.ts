import { broadcastStrides, type BinaryOp, type FloatArray, type Node, type Shape, type UnaryOp } from '@graft/ir';
import type { Kernel } from '../kernel.ts';

/*
 * Elementwise ops. Each op has its own loop (a switch outside the loop, never a callback per
 * element), so every loop body is a single arithmetic expression V8 can inline.
 * Math semantics are JavaScript's, which match TensorFlow's at the edges:
 * log(0) = −∞, log(−1) = NaN, sqrt(−1) = NaN, exp(1000) = ∞.
 */

function unary(op: UnaryOp, x: FloatArray, out: FloatArray): void {
  const n = out.length;
  switch (op) {
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -x[i]!;
      return;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!);
      return;
    case 'log':
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]!);
      return;
    case 'relu':
      // max(x, 0), with NaN passed through.
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        out[i] = v < 0 ? 0 : v;
      }
      return;
    case 'sigmoid':
      // 1 / (1 + e^−x) saturates to exactly 0 or 1 without overflow trouble (1 / ∞ = 0).
      for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-x[i]!));
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]!);
      return;
    case 'square':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        out[i] = v * v;
      }
      return;
    case 'sqrt':
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!);
      return;
    case 'step':
      // Heaviside: 1 where x > 0, else 0 (NaN gives 0).
      for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? 1 : 0;
      return;
    default:
      return unknownOp(op);
  }
}

/** A new op added to the union without a case here is a type error at the call. */
function unknownOp(op: never): never {
  throw new Error(`no elementwise kernel for ${String(op)}`);
}

function unaryKernel<K extends UnaryOp>(op: K): Kernel<K> {
  return (_node, [x], out) => unary(op, x!, out);
}

/** `y = −x`. */
export const neg = unaryKernel('neg');
/** `y = eˣ`. */
export const exp = unaryKernel('exp');
/** `y = ln x` (log 0 = −∞, log of a negative = NaN). */
export const log = unaryKernel('log');
/** `y = max(x, 0)`. */
export const relu = unaryKernel('relu');
/** `y = 1 / (1 + e^−x)`. */
export const sigmoid = unaryKernel('sigmoid');
/** `y = tanh x`. */
export const tanh = unaryKernel('tanh');
/** `y = x²`. */
export const square = unaryKernel('square');
/** `y = √x` (NaN for negative x). */
export const sqrt = unaryKernel('sqrt');
/** `y = 1` where `x > 0`, else 0. */
export const step = unaryKernel('step');

/** `out[o + t] = a[ia + t·sa] ∘ b[ib + t·sb]` for `t < len`; a stride of 0 broadcasts. */
function binaryRun(
  op: BinaryOp,
  out: FloatArray,
  o: number,
  a: FloatArray,
  ia: number,
  sa: number,
  b: FloatArray,
  ib: number,
  sb: number,
  len: number,
): void {
  const end = o + len;
  switch (op) {
    case 'add':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! + b[ib]!;
      return;
    case 'sub':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! - b[ib]!;
      return;
    case 'mul':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! * b[ib]!;
      return;
    case 'div':
      for (; o < end; o++, ia += sa, ib += sb) out[o] = a[ia]! / b[ib]!;
      return;
    default:
      unknownOp(op);
  }
}

/**
 * Binary op with broadcasting. Equal sizes mean no axis is broadcast (a broadcast axis
 * shrinks the operand), so the element mapping is the identity; a one-element operand is a
 * scalar; otherwise the last axis is a strided run and the leading axes are counted.
 */
export function binary(op: BinaryOp, node: Node, a: FloatArray, b: FloatArray, out: FloatArray): void {
  const n = out.length;
  if (a.length === n && b.length === n) {
    binaryRun(op, out, 0, a, 0, 1, b, 0, 1, n);
    return;
  }
  if (b.length === 1) {
    binaryRun(op, out, 0, a, 0, a.length === n ? 1 : 0, b, 0, 0, n);
    return;
  }
  if (a.length === 1) {
    binaryRun(op, out, 0, a, 0, 0, b, 0, 1, n);
    return;
  }
  const shape = node.shape;
  const rank = shape.length;
  const sa = broadcastStrides(node.inputs[0]!.shape, shape);
  const sb = broadcastStrides(node.inputs[1]!.shape, shape);
  const len = shape[rank - 1]!;
  const saLast = sa[rank - 1]!;
  const sbLast = sb[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let o = 0; o < n; o += len) {
    binaryRun(op, out, o, a, ia, saLast, b, ib, sbLast, len);
    // Odometer over the leading axes, moving both operand offsets with it.
    for (let d = rank - 2; d >= 0; d--) {
      ia += sa[d]!;
      ib += sb[d]!;
      if (++index[d]! < shape[d]!) break;
      ia -= sa[d]! * shape[d]!;
      ib -= sb[d]! * shape[d]!;
      index[d] = 0;
    }
  }
}

function binaryKernel<K extends BinaryOp>(op: K): Kernel<K> {
  return (node, [a, b], out) => binary(op, node, a!, b!, out);
}

/** `y = a + b`, broadcast. */
export const add = binaryKernel('add');
/** `y = a − b`, broadcast. */
export const sub = binaryKernel('sub');
/** `y = a · b`, broadcast. */
export const mul = binaryKernel('mul');
/** `y = a / b`, broadcast (IEEE: x / 0 = ±∞, 0 / 0 = NaN). */
export const div = binaryKernel('div');

/** `y[…, c] = x[…, c] + b[c]`. */
export const biasAdd: Kernel<'biasAdd'> = (_node, [x, b], out) => {
  const xs = x!;
  const bs = b!;
  const c = bs.length;
  const n = out.length;
  for (let o = 0; o < n; o += c) {
    for (let t = 0; t < c; t++) out[o + t] = xs[o + t]! + bs[t]!;
  }
};
