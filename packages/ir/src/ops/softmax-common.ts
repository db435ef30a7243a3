import { ShapeError } from '../errors.ts';
import { normalizeAxis } from '../shape/shape.ts';
import { defineOp, type JvpRule, type OpExample, type OpRecord, type TensorType, type VjpRule } from './record.ts';

export interface AxisOptions {
  /** Axis to normalise over; default −1. */
  readonly axis?: number | undefined;
}
export interface AxisAttrs extends AxisOptions {
  readonly axis: number;
}

const examples: readonly OpExample<AxisOptions>[] = [
  { name: 'logits', inputs: [[3, 5]], attrs: {} },
  { name: 'axis 0', inputs: [[4, 2]], attrs: { axis: 0 } },
  { name: 'rank 3 middle', inputs: [[2, 3, 2]], attrs: { axis: 1 } },
];

/** Record of an op normalising along one axis (softmax, logSoftmax). */
export function axisOp<Name extends string>(name: Name, doc: string, vjp: VjpRule<AxisAttrs>, jvp: JvpRule<AxisAttrs>): OpRecord<Name, AxisOptions, AxisAttrs, 'x'> {
  return defineOp<Name, AxisOptions, AxisAttrs, 'x'>({
    name,
    operands: ['x'],
    doc,
    infer([x]: readonly TensorType[], opts: AxisOptions) {
      if (x!.shape.length === 0) throw new ShapeError(name, 'x must have rank ≥ 1, got a scalar', { x: x!.shape });
      const axis = opts.axis === undefined ? -1 : opts.axis;
      return { attrs: { axis: normalizeAxis(name, axis, x!.shape.length) }, shape: x!.shape };
    },
    vjp: { x: vjp },
    jvp,
    examples,
  });
}
