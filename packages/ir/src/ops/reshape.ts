import { AttrError, ShapeError, fmtShape } from '../errors.ts';
import { sizeOf, type Shape } from '../shape/shape.ts';
import { defineOp, linearJvp } from './record.ts';

export interface ReshapeAttrs {
  /** New shape; one entry may be −1 (inferred). Normalised attrs have no −1. */
  readonly shape: readonly number[];
}

/** Same elements in row-major order, new shape (`tf.reshape`). */
export const reshape = defineOp<'reshape', ReshapeAttrs, ReshapeAttrs, 'x'>({
  name: 'reshape',
  operands: ['x'],
  doc: 'the same row-major elements under a new shape',
  infer([x], { shape }) {
    if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && (d >= 1 || d === -1))) {
      throw new AttrError('reshape', 'shape must be positive integers with at most one −1', { shape });
    }
    const unknown = shape.filter((d) => d === -1).length;
    if (unknown > 1) throw new AttrError('reshape', 'shape may contain at most one −1', { shape });
    const n = sizeOf(x!.shape);
    const known = sizeOf(shape.filter((d) => d !== -1));
    const out: Shape = shape.map((d) => (d === -1 ? n / known : d));
    if (sizeOf(out) !== n || out.some((d) => !Number.isInteger(d))) {
      throw new ShapeError(
        'reshape',
        `element count must be preserved: ${fmtShape(x!.shape)} has ${n} elements, ${fmtShape(shape)} has ${unknown ? `a multiple of ${known}` : known}`,
        { x: x!.shape, shape, elements: n, [unknown ? 'multipleOf' : 'newElements']: known },
        `x ${fmtShape(x!.shape)}, shape ${fmtShape(shape)}`,
      );
    }
    return { attrs: { shape: Object.freeze(out) }, shape: out };
  },
  vjp: { x: ({ g, inputs: [x], dy }) => g.reshape(dy, x!.shape) },
  jvp: linearJvp((g, t, { shape }) => g.reshape(t, shape)),
  examples: [
    { name: 'flatten', inputs: [[2, 3, 3, 2]], attrs: { shape: [2, -1] } },
    { name: 'split', inputs: [[6]], attrs: { shape: [2, 3] } },
    { name: 'to scalar', inputs: [[1, 1]], attrs: { shape: [] } },
  ],
});
