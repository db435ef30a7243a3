import { normalizeAxes } from '../shape/shape.ts';
import { defineOp, type OpExample, type TensorType } from './record.ts';

export interface ReduceOptions {
  /** Axes to reduce; all axes when omitted. Negative axes count from the end. */
  readonly axes?: readonly number[] | undefined;
  readonly keepDims?: boolean | undefined;
}
export interface ReduceAttrs extends ReduceOptions {
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

const examples: readonly OpExample<ReduceOptions>[] = [
  { name: 'all', inputs: [[2, 3]], attrs: {} },
  { name: 'last axis', inputs: [[2, 3, 4]], attrs: { axes: [-1] } },
  { name: 'spatial keepDims', inputs: [[2, 3, 3, 2]], attrs: { axes: [1, 2], keepDims: true } },
  { name: 'scalar', inputs: [[]], attrs: {} },
];

/** Record of a reduction over `axes` (TensorFlow's `reduce_*`). */
export function reduceOp<Name extends string>(name: Name, doc: string) {
  return defineOp<Name, ReduceOptions, ReduceAttrs>({
    name,
    operands: ['x'],
    doc,
    infer([x]: readonly TensorType[], opts: ReduceOptions) {
      const rank = x!.shape.length;
      const axes = Object.freeze(
        opts.axes === undefined ? [...Array(rank).keys()] : normalizeAxes(name, opts.axes, rank),
      );
      const keepDims = opts.keepDims ?? false;
      const shape = keepDims
        ? x!.shape.map((d, i) => (axes.includes(i) ? 1 : d))
        : x!.shape.filter((_, i) => !axes.includes(i));
      return { attrs: { axes, keepDims }, shape };
    },
    examples,
  });
}
