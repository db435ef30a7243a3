import { AttrError, fmtShape } from '../errors.ts';
import { normalizePadding, normalizePair, poolGeometry, shapesEqualOrThrow, type ConvGeometry, type Padding, type Pair, type PairLike } from '../shape/conv.ts';
import { defineOp, type JvpRule, type OpExample, type OpRecord, type TensorType, type VjpRule } from './record.ts';

export interface PoolOptions {
  /** Window `[kh, kw]` (or one number). */
  readonly ksize: PairLike;
  /** Default: the window size. */
  readonly strides?: PairLike | undefined;
  /** Default VALID. Explicit amounts must be smaller than the window so every window sees input. */
  readonly padding?: Padding | undefined;
}
export interface PoolAttrs extends PoolOptions {
  readonly ksize: Pair;
  readonly strides: Pair;
  readonly padding: Padding;
}

const examples: readonly OpExample<PoolOptions>[] = [
  { name: 'x=[2,4,4,3] k=2 s=2 p=valid', inputs: [[2, 4, 4, 3]], attrs: { ksize: 2, strides: 2, padding: 'VALID' } },
  { name: 'x=[1,5,5,2] k=3 s=2 p=same', inputs: [[1, 5, 5, 2]], attrs: { ksize: 3, strides: 2, padding: 'SAME' } },
  { name: 'x=[1,5,4,1] k=[2,3] s=[1,2] p=explicit', inputs: [[1, 5, 4, 1]], attrs: { ksize: [2, 3], strides: [1, 2], padding: [[1, 0], [0, 2]] } },
  { name: 'x=[1,7,7,1] k=2 s=3 p=valid (unread rows)', inputs: [[1, 7, 7, 1]], attrs: { ksize: 2, strides: 3, padding: 'VALID' } },
];

/** Record of a 2-D pooling op (NHWC, as `tf.nn.max_pool2d` / `avg_pool2d`); its geometry is the window's over x. */
export function poolOp<Name extends string>(
  name: Name,
  doc: string,
  vjp: VjpRule<PoolAttrs, ConvGeometry>,
  jvp: JvpRule<PoolAttrs, ConvGeometry>,
): OpRecord<Name, PoolOptions, PoolAttrs, 'x', ConvGeometry> {
  return defineOp<Name, PoolOptions, PoolAttrs, 'x', ConvGeometry>({
    name,
    operands: ['x'],
    doc,
    infer([x]: readonly TensorType[], opts: PoolOptions) {
      const attrs = normalizePool(name, opts);
      const geometry = poolGeometry(name, x!.shape, attrs.ksize, attrs.strides, attrs.padding);
      return { attrs, shape: geometry.outShape, geometry };
    },
    vjp: { x: vjp },
    jvp,
    examples,
  });
}

/** Validates pool options (explicit padding must be smaller than the window). */
export function normalizePool(name: string, opts: PoolOptions): PoolAttrs {
  const ksize = normalizePair(name, 'ksize', opts.ksize);
  const strides = normalizePair(name, 'strides', opts.strides === undefined ? ksize : opts.strides);
  const padding = normalizePadding(name, opts.padding === undefined ? 'VALID' : opts.padding);
  if (Array.isArray(padding)) {
    const [[t, b], [l, r]] = padding as readonly (readonly number[])[] as [[number, number], [number, number]];
    if (t >= ksize[0] || b >= ksize[0] || l >= ksize[1] || r >= ksize[1]) {
      throw new AttrError(name, 'explicit padding must be smaller than the window on each side', { padding, ksize });
    }
  }
  return { ksize, strides, padding };
}

/**
 * Record of an op of max-pooling's gradient pair, `(x, t)`: both select through each
 * window's argmax of x (the first maximum in row-major order, as TensorFlow's CPU kernels),
 * one scattering window values to x's shape (t = dy), the other gathering to the pooled
 * shape (t = ddx). The geometry is the window's over x.
 */
export function poolGradOp<Name extends string, T extends 'dy' | 'ddx'>(
  name: Name,
  doc: string,
  t: T,
  vjp: VjpRule<PoolAttrs, ConvGeometry>,
  jvp: JvpRule<PoolAttrs, ConvGeometry>,
): OpRecord<Name, PoolOptions, PoolAttrs, 'x' | T, ConvGeometry> {
  const scatter = t === 'dy';
  return defineOp<Name, PoolOptions, PoolAttrs, 'x' | T, ConvGeometry>({
    name,
    operands: ['x', t],
    doc,
    infer([x, second]: readonly TensorType[], opts: PoolOptions) {
      const attrs = normalizePool(name, opts);
      const geometry = poolGeometry(name, x!.shape, attrs.ksize, attrs.strides, attrs.padding);
      const [expected, shape] = scatter ? [geometry.outShape, x!.shape] : [x!.shape, geometry.outShape];
      shapesEqualOrThrow(name, t, second!.shape, scatter ? 'the pooled shape' : 'x shape', expected, { x: x!.shape });
      return { attrs, shape, geometry };
    },
    // Linear in the second operand; piecewise constant in x, whose gradient is zero a.e.
    vjp: { x: () => undefined, [t]: vjp } as { readonly [K in 'x' | T]: VjpRule<PoolAttrs, ConvGeometry> },
    jvp,
    examples: examples.map((e) => {
      const a = normalizePool(name, e.attrs);
      const out = poolGeometry(name, e.inputs[0]!, a.ksize, a.strides, a.padding).outShape;
      return { ...e, inputs: [e.inputs[0]!, scatter ? out : e.inputs[0]!] };
    }),
  });
}
