import { AttrError, ShapeError, fmtShape } from '../errors.ts';
import { broadcastAxes, checkShape, type Shape } from '../shape/shape.ts';
import { defineOp, type ElementwiseRecord } from './record.ts';
import { arg } from './scalar.ts';

export interface BroadcastToAttrs {
  readonly shape: Shape;
}

/**
 * `tf.broadcast_to`: repeats x along axes of size 1 (and new leading axes) to `shape`.
 * A primitive because the gradient of a reduction must produce a tensor of the input's
 * size, and `x + zeros(shape)` would keep a constant that large in the graph.
 * Its VJP is the un-broadcast: a sum over the broadcast axes.
 */
export const broadcastTo = defineOp<'broadcastTo', BroadcastToAttrs, BroadcastToAttrs, 'x'>({
  name: 'broadcastTo',
  operands: ['x'],
  doc: 'repeats x along size-1 and new leading axes up to shape',
  infer([x], { shape }) {
    if (!Array.isArray(shape)) throw new AttrError('broadcastTo', 'shape must be an array', { shape });
    const s = shape.length === 0 ? [] : checkShape('broadcastTo', 'shape', shape);
    const xs = x!.shape;
    const lead = s.length - xs.length;
    if (lead < 0 || xs.some((d, i) => d !== 1 && d !== s[lead + i])) {
      throw new ShapeError('broadcastTo', `x must broadcast to shape: each size must equal the target's or be 1`, { x: xs, shape: s }, `x ${fmtShape(xs)}, shape ${fmtShape(s)}`);
    }
    return { attrs: { shape: Object.freeze([...s]) }, shape: s };
  },
  vjp: {
    x: ({ g, inputs: [x], dy }) => {
      const axes = broadcastAxes(x!.shape, dy.shape);
      const summed = axes.length === 0 ? dy : g.sum(dy, axes, true);
      return summed.shape.length === x!.shape.length ? summed : g.reshape(summed, x!.shape);
    },
  },
  jvp: ({ g, attrs, tangents: [t] }) => (t === undefined ? undefined : g.broadcastTo(t, attrs.shape)),
  examples: [
    { name: 'row to matrix', inputs: [[3]], attrs: { shape: [2, 3] } },
    { name: 'keepDims to full', inputs: [[2, 1, 1, 3]], attrs: { shape: [2, 4, 4, 3] } },
    { name: 'scalar', inputs: [[]], attrs: { shape: [2, 2] } },
  ],
  // y = x read with broadcast strides: a copy, which a fused loop does for free.
  traits: { elementwise: true, cheap: true, inPlace: true },
  arithmetic: arg(0),
}) as ElementwiseRecord<'broadcastTo', 'x', BroadcastToAttrs, BroadcastToAttrs>;
