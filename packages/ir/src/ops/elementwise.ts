import type { Graph } from '../graph.ts';
import type { Node } from '../node.ts';
import { broadcastShapes } from '../shape/shape.ts';
import { defineOp, type JvpRule, type OpExample, type OpRecord, type TensorType, type VjpRule } from './record.ts';

import type { NoAttrs } from './op-types.ts';

const unaryExamples: readonly OpExample<NoAttrs>[] = [
  { name: 'scalar', inputs: [[]], attrs: {} },
  { name: 'vector', inputs: [[5]], attrs: {} },
  { name: 'nhwc', inputs: [[2, 3, 3, 2]], attrs: {} },
];

/**
 * The linearisation of `y = f(x)` at x applied to a tensor t: `f'(x) · t`. An elementwise
 * derivative is diagonal, hence self-adjoint, so the same map serves VJP (t = dy) and
 * JVP (t = tx). `undefined` means the derivative is zero almost everywhere.
 */
export type Linearisation = (g: Graph, x: Node, y: Node, t: Node) => Node | undefined;

/** Record of a unary elementwise op `y = f(x)` with its derivative. */
export function unaryOp<Name extends string>(
  name: Name,
  doc: string,
  linearise: Linearisation,
  examples = unaryExamples,
): OpRecord<Name, NoAttrs, NoAttrs> {
  return defineOp<Name, NoAttrs, NoAttrs>({
    name,
    operands: ['x'],
    doc,
    infer: ([x]: readonly TensorType[]) => ({ attrs: {}, shape: x!.shape }),
    vjp: { x: ({ g, inputs: [x], y, dy }) => linearise(g, x!, y, dy) },
    jvp: ({ g, inputs: [x], y, tangents: [t] }) => (t === undefined ? undefined : linearise(g, x!, y, t)),
    examples,
  });
}

const binaryExamples: readonly OpExample<NoAttrs>[] = [
  { name: 'same shape', inputs: [[2, 3], [2, 3]], attrs: {} },
  { name: 'row broadcast', inputs: [[2, 3], [3]], attrs: {} },
  { name: 'both broadcast', inputs: [[4, 1], [1, 3]], attrs: {} },
  { name: 'scalar', inputs: [[2, 2, 3], []], attrs: {} },
];

/**
 * Record of a binary elementwise op with TensorFlow (NumPy) broadcasting. VJP rules
 * return tensors of the broadcast shape; autodiff sums them back to each operand's shape.
 */
export function binaryOp<Name extends string>(
  name: Name,
  doc: string,
  vjp: { a: VjpRule<NoAttrs>; b: VjpRule<NoAttrs> },
  jvp: JvpRule<NoAttrs>,
  examples = binaryExamples,
): OpRecord<Name, NoAttrs, NoAttrs> {
  return defineOp<Name, NoAttrs, NoAttrs>({
    name,
    operands: ['a', 'b'],
    doc,
    infer: ([a, b]: readonly TensorType[]) => ({ attrs: {}, shape: broadcastShapes(name, a!.shape, b!.shape) }),
    vjp,
    jvp,
    examples,
  });
}
