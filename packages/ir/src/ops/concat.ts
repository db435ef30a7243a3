import { ShapeError, fmtShape } from '../errors.ts';
import { normalizeAxis, type Shape } from '../shape/shape.ts';
import { defineOp } from './record.ts';

export interface ConcatOptions {
  /** The axis to join along (negative counts from the end); default −1, the channels of NHWC. */
  readonly axis?: number | undefined;
}
export interface ConcatAttrs extends ConcatOptions {
  readonly axis: number;
}

/** Where each operand lands along the axis: operand k fills `[offsets[k], offsets[k] + sizes[k])`. */
export interface ConcatGeometry {
  readonly axis: number;
  readonly offsets: readonly number[];
  readonly sizes: readonly number[];
}

/**
 * `tf.concat(xs, axis)`: the operands side by side along `axis`,
 * `y[…, offsets[k] + t, …] = xs[k][…, t, …]`. Its VJP w.r.t. xs[k] is the slice of dy that
 * xs[k] filled — a crop, i.e. a pad by negative amounts — and its JVP the concat of the tangents.
 * A primitive because no composition of the other ops joins tensors.
 */
export const concat = defineOp<'concat', ConcatOptions, ConcatAttrs, 'xs', ConcatGeometry>({
  name: 'concat',
  operands: ['xs'],
  variadic: true,
  doc: 'joins the operands along an axis',
  infer(inputs, opts) {
    const first = inputs[0]!.shape;
    if (first.length === 0) throw new ShapeError('concat', 'operands must have rank ≥ 1, got a scalar', { xs0: first });
    const axis = normalizeAxis('concat', opts.axis === undefined ? -1 : opts.axis, first.length);
    const sizes: number[] = [];
    const offsets: number[] = [];
    let total = 0;
    inputs.forEach((t, k) => {
      const same = t.shape.length === first.length && t.shape.every((d, i) => i === axis || d === first[i]);
      if (!same) {
        throw new ShapeError(
          'concat',
          `operands must have equal shapes except along axis ${axis}: xs[0] is ${fmtShape(first)}, xs[${k}] is ${fmtShape(t.shape)}`,
          { axis, operand: k, xs0: first, [`xs${k}`]: t.shape },
        );
      }
      offsets.push(total);
      sizes.push(t.shape[axis]!);
      total += t.shape[axis]!;
    });
    const shape: Shape = first.map((d, i) => (i === axis ? total : d));
    return { attrs: { axis }, shape, geometry: { axis, offsets, sizes } };
  },
  vjp: {
    // dxs[k] = dy[…, offsets[k] : offsets[k] + sizes[k], …]: dy cropped before and after.
    xs: ({ g, geometry: { axis, offsets, sizes }, dy, index }) => {
      const after = dy.shape[axis]! - offsets[index]! - sizes[index]!;
      return g.pad(dy, dy.shape.map((_, i) => (i === axis ? ([-offsets[index]!, -after] as const) : ([0, 0] as const))));
    },
  },
  jvp: ({ g, inputs, attrs, tangents }) => {
    if (tangents.every((t) => t === undefined)) return undefined;
    const ts = tangents.map((t, k) => t ?? g.broadcastTo(g.constant(0, [], inputs[k]!.dtype), inputs[k]!.shape));
    return g.concat(ts, attrs.axis);
  },
  examples: [
    { name: 'channels of NHWC', inputs: [[2, 3, 3, 2], [2, 3, 3, 3]], attrs: {} },
    { name: 'three along axis 0', inputs: [[1, 4], [2, 4], [3, 4]], attrs: { axis: 0 } },
    { name: 'one operand', inputs: [[2, 5]], attrs: { axis: 1 } },
    { name: 'middle axis', inputs: [[2, 1, 3], [2, 2, 3]], attrs: { axis: -2 } },
  ],
});
