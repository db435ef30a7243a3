import { AttrError } from '../errors.ts';
import { defineOp } from './record.ts';

export interface InputAttrs {
  readonly name: string;
}

/** A tensor fed at run time by name. Built by `g.input(name, shape, dtype?)`. */
export const input = defineOp<'input', InputAttrs, InputAttrs, never>({
  name: 'input',
  operands: [],
  doc: 'a tensor fed by name at run time',
  infer: () => {
    throw new AttrError('input', 'input nodes must be built by g.input(name, shape, dtype)', { op: 'input' });
  },
  vjp: {},
  jvp: () => undefined,
  examples: [],
});
