import { normalizeAxes } from '../shape/shape.ts';
import { defineOp, linearJvp } from './record.ts';

export interface ReverseAttrs {
  readonly axes: readonly number[];
}

/** Reverses the order of elements along `axes` (`tf.reverse`); rot180 of a filter is axes [0, 1]. */
export const reverse = defineOp<'reverse', ReverseAttrs, ReverseAttrs, 'x'>({
  name: 'reverse',
  operands: ['x'],
  doc: 'reverses element order along axes',
  infer([x], { axes }) {
    return { attrs: { axes: Object.freeze(normalizeAxes('reverse', axes, x!.shape.length)) }, shape: x!.shape };
  },
  // A reversal is its own inverse and an orthogonal map: dx = reverse(dy).
  vjp: { x: ({ g, attrs: { axes }, dy }) => g.reverse(dy, axes) },
  jvp: linearJvp((g, t, { axes }) => g.reverse(t, axes)),
  examples: [
    { name: 'rot180 HWIO', inputs: [[3, 2, 2, 4]], attrs: { axes: [0, 1] } },
    { name: 'vector', inputs: [[5]], attrs: { axes: [0] } },
    { name: 'negative axis', inputs: [[2, 3]], attrs: { axes: [-1] } },
  ],
});
