import { AttrError } from '../errors.ts';
import { defineOp } from './record.ts';

export interface ConstantAttrs {
  /** Row-major values, kept in float64 and rounded to the node's dtype by executors. */
  readonly values: Float64Array;
}

/** A tensor whose values are part of the graph. Built by `g.constant(values, shape)`. */
export const constant = defineOp<'constant', ConstantAttrs, ConstantAttrs, never>({
  name: 'constant',
  operands: [],
  doc: 'a tensor whose values are part of the graph',
  infer: () => {
    throw new AttrError('constant', 'constant nodes must be built by g.constant(values, shape, dtype)', { op: 'constant' });
  },
  vjp: {},
  jvp: () => undefined,
  examples: [],
});
