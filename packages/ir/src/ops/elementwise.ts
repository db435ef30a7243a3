import { broadcastShapes } from '../shape/shape.ts';
import { defineOp, type OpExample, type TensorType } from './record.ts';

type NoAttrs = Record<string, never>;

const unaryExamples: readonly OpExample<NoAttrs>[] = [
  { name: 'scalar', inputs: [[]], attrs: {} },
  { name: 'vector', inputs: [[5]], attrs: {} },
  { name: 'nhwc', inputs: [[2, 3, 3, 2]], attrs: {} },
];

/** Record of a unary elementwise op `y = f(x)`. */
export function unaryOp<Name extends string>(name: Name, doc: string, examples = unaryExamples) {
  return defineOp<Name, NoAttrs, NoAttrs>({
    name,
    operands: ['x'],
    doc,
    infer: ([x]: readonly TensorType[]) => ({ attrs: {}, shape: x!.shape }),
    examples,
  });
}

const binaryExamples: readonly OpExample<NoAttrs>[] = [
  { name: 'same shape', inputs: [[2, 3], [2, 3]], attrs: {} },
  { name: 'row broadcast', inputs: [[2, 3], [3]], attrs: {} },
  { name: 'both broadcast', inputs: [[4, 1], [1, 3]], attrs: {} },
  { name: 'scalar', inputs: [[2, 2, 3], []], attrs: {} },
];

/** Record of a binary elementwise op with TensorFlow (NumPy) broadcasting. */
export function binaryOp<Name extends string>(name: Name, doc: string, examples = binaryExamples) {
  return defineOp<Name, NoAttrs, NoAttrs>({
    name,
    operands: ['a', 'b'],
    doc,
    infer: ([a, b]: readonly TensorType[]) => ({ attrs: {}, shape: broadcastShapes(name, a!.shape, b!.shape) }),
    examples,
  });
}
