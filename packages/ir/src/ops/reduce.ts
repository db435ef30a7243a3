import { AttrError } from '../errors.ts';
import type { Graph } from '../graph.ts';
import type { Node } from '../node.ts';
import { normalizeAxes, sizeOf } from '../shape/shape.ts';
import { defineOp, type JvpRule, type OpExample, type OpRecord, type TensorType, type VjpRule } from './record.ts';

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

/** A reduced tensor reshaped to keepDims form (reduced axes of size 1), so it broadcasts against x. */
export function keepDimsOf(g: Graph, r: Node, x: Node, axes: readonly number[]): Node {
  const shape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return r.shape.length === shape.length ? r : g.reshape(r, shape);
}

/** Number of elements each output element reduces over. */
export function reducedCount(x: Node, axes: readonly number[]): number {
  return sizeOf(axes.map((a) => x.shape[a]!));
}

/** Record of a reduction over `axes` (TensorFlow's `reduce_*`). */
export function reduceOp<Name extends string>(
  name: Name,
  doc: string,
  vjp: VjpRule<ReduceAttrs>,
  jvp: JvpRule<ReduceAttrs>,
): OpRecord<Name, ReduceOptions, ReduceAttrs, 'x'> {
  return defineOp<Name, ReduceOptions, ReduceAttrs, 'x'>({
    name,
    operands: ['x'],
    doc,
    infer([x]: readonly TensorType[], opts: ReduceOptions) {
      const rank = x!.shape.length;
      const axes = Object.freeze(
        opts.axes === undefined ? [...Array(rank).keys()] : normalizeAxes(name, opts.axes, rank),
      );
      if (opts.keepDims !== undefined && typeof opts.keepDims !== 'boolean') {
        throw new AttrError(name, 'keepDims must be a boolean', { keepDims: opts.keepDims });
      }
      const keepDims = opts.keepDims ?? false;
      const shape = keepDims
        ? x!.shape.map((d, i) => (axes.includes(i) ? 1 : d))
        : x!.shape.filter((_, i) => !axes.includes(i));
      return { attrs: { axes, keepDims }, shape };
    },
    vjp: { x: vjp },
    jvp,
    examples,
  });
}
