import { AttrError, ShapeError, fmtShape, fmtValue } from '../errors.ts';
import { defineOp, linearJvp } from './record.ts';

export interface PadAttrs {
  /** One `[before, after]` pair per axis; negative amounts crop. */
  readonly pads: readonly (readonly [number, number])[];
}

/**
 * Zero padding with one `[before, after]` pair per axis; a negative amount crops
 * (the lowering of conv gradients needs crops for rows the forward pass never read).
 */
export const pad = defineOp<'pad', PadAttrs, PadAttrs, 'x'>({
  name: 'pad',
  operands: ['x'],
  doc: 'zero padding per axis; negative amounts crop',
  infer([x], { pads }) {
    const rank = x!.shape.length;
    if (
      !Array.isArray(pads) ||
      pads.length !== rank ||
      !pads.every((p) => Array.isArray(p) && p.length === 2 && p.every((d) => typeof d === 'number' && Number.isSafeInteger(d)))
    ) {
      throw new AttrError('pad', `pads must be ${rank} [before, after] integer pairs, one per axis`, { pads, rank });
    }
    const shape = x!.shape.map((d, i) => d + pads[i]![0] + pads[i]![1]);
    if (shape.some((d) => d < 1)) {
      throw new ShapeError(
        'pad',
        'every padded size (size + before + after) must be at least 1',
        { x: x!.shape, pads, padded: shape },
        `x ${fmtShape(x!.shape)}, pads ${fmtValue(pads)} give ${fmtShape(shape)}`,
      );
    }
    return { attrs: { pads: Object.freeze(pads.map((p) => Object.freeze([p[0], p[1]] as const))) }, shape };
  },
  // pad by p is adjoint to pad by −p: padding zeros becomes cropping and vice versa.
  vjp: { x: ({ g, attrs: { pads }, dy }) => g.pad(dy, pads.map(([b, a]) => [-b, -a] as const)) },
  jvp: linearJvp((g, t, { pads }) => g.pad(t, pads)),
  examples: [
    { name: 'spatial pad', inputs: [[1, 3, 3, 2]], attrs: { pads: [[0, 0], [1, 2], [2, 1], [0, 0]] } },
    { name: 'crop', inputs: [[2, 5]], attrs: { pads: [[0, 0], [-1, -2]] } },
    { name: 'pad and crop', inputs: [[4, 4]], attrs: { pads: [[2, -1], [-3, 1]] } },
  ],
});
