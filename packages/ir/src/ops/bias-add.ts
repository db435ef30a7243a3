import { ShapeError, fmtShape } from '../errors.ts';
import { checkRank } from '../shape/shape.ts';
import { addTangents, defineOp, type ElementwiseRecord } from './record.ts';
import { S, arg } from './scalar.ts';

import type { NoAttrs } from './op-types.ts';

/** `y[…, c] = x[…, c] + b[c]` (`tf.nn.bias_add`, channels last). */
export const biasAdd = defineOp<'biasAdd', NoAttrs, NoAttrs, 'x' | 'b'>({
  name: 'biasAdd',
  operands: ['x', 'b'],
  doc: 'y[…, c] = x[…, c] + b[c]',
  infer([x, b]) {
    checkRank('biasAdd', 'b', b!.shape, 1);
    const context = `x ${fmtShape(x!.shape)}, b ${fmtShape(b!.shape)}`;
    if (x!.shape.length < 2) {
      throw new ShapeError('biasAdd', `x must have rank ≥ 2, got rank ${x!.shape.length}`, { x: x!.shape, b: b!.shape, rank: x!.shape.length, minRank: 2 }, context);
    }
    const c = x!.shape[x!.shape.length - 1]!;
    if (c !== b!.shape[0]) {
      throw new ShapeError('biasAdd', `x channels (${c}) must equal the bias length (${b!.shape[0]})`, { x: x!.shape, b: b!.shape }, context);
    }
    return { attrs: {}, shape: x!.shape };
  },
  // y = x + b[c]:  dx = dy,  db = Σ dy over every axis but the last.
  vjp: {
    x: ({ dy }) => dy,
    b: ({ g, dy }) => g.sum(dy, [...Array(dy.shape.length - 1).keys()]),
  },
  jvp: ({ g, tangents: [tx, tb] }) => addTangents(g, tx, tb),
  examples: [
    { name: 'dense', inputs: [[4, 3], [3]], attrs: {} },
    { name: 'nhwc', inputs: [[2, 3, 3, 5], [5]], attrs: {} },
  ],
  // b broadcasts along every axis but the last, which is what TensorFlow broadcasting does.
  traits: { elementwise: true, cheap: true, inPlace: true },
  arithmetic: S.add(arg(0), arg(1)),
}) as ElementwiseRecord<'biasAdd', 'x' | 'b'>;
