import type { Graph } from '../graph.ts';
import type { Node } from '../node.ts';
import { broadcastShapes } from '../shape/shape.ts';
import {
  defineOp,
  type ElementwiseRecord,
  type JvpRule,
  type OpExample,
  type OpTraits,
  type TensorType,
  type VjpRule,
} from './record.ts';
import { arg, checkScalar, isCheap, type Scalar, type ScalarLike } from './scalar.ts';

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

/** Options of the elementwise record builders. */
export interface ElementwiseOptions {
  /** Configurations tests sweep (default: a scalar, a vector and an NHWC tensor for unary ops). */
  readonly examples?: readonly OpExample<NoAttrs>[];
  /** Default: cheap when the arithmetic is at most three cheap primitives (see `isCheap`). */
  readonly cheap?: boolean;
}

function elementwiseTraits(arithmetic: Scalar, options: ElementwiseOptions): OpTraits {
  return { elementwise: true, inPlace: true, cheap: options.cheap ?? isCheap(arithmetic) };
}

/**
 * Record of a unary elementwise op `y = f(x)`: its arithmetic, as a scalar expression of x,
 * and its derivative. This record is all an elementwise op needs: autodiff applies the
 * derivative, the compiler reads the traits, and every executor generates its kernels from
 * the arithmetic. Use it through `g.apply(record, [x])`, or list it in the IR's op table.
 *
 * ```ts
 * const softplus = unaryOp('softplus', 'y = ln(1 + eˣ)', (x) => S.log(S.add(1, S.exp(x))), (g, x, _y, t) => g.mul(t, g.sigmoid(x)));
 * ```
 */
export function unaryOp<Name extends string>(
  name: Name,
  doc: string,
  arithmetic: (x: Scalar) => ScalarLike,
  linearise: Linearisation,
  options: ElementwiseOptions = {},
): ElementwiseRecord<Name, 'x'> {
  const expr = checkScalar(name, liftScalar(arithmetic(arg(0))), 1);
  return defineOp<Name, NoAttrs, NoAttrs, 'x'>({
    name,
    operands: ['x'],
    doc,
    infer: ([x]: readonly TensorType[]) => ({ attrs: {}, shape: x!.shape }),
    vjp: { x: ({ g, inputs: [x], y, dy }) => linearise(g, x!, y, dy) },
    jvp: ({ g, inputs: [x], y, tangents: [t] }) => (t === undefined ? undefined : linearise(g, x!, y, t)),
    examples: options.examples ?? unaryExamples,
    traits: elementwiseTraits(expr, options),
    arithmetic: expr,
  }) as ElementwiseRecord<Name, 'x'>;
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
  arithmetic: (a: Scalar, b: Scalar) => ScalarLike,
  vjp: { a: VjpRule<NoAttrs>; b: VjpRule<NoAttrs> },
  jvp: JvpRule<NoAttrs>,
  options: ElementwiseOptions = {},
): ElementwiseRecord<Name, 'a' | 'b'> {
  const expr = checkScalar(name, liftScalar(arithmetic(arg(0), arg(1))), 2);
  return defineOp<Name, NoAttrs, NoAttrs, 'a' | 'b'>({
    name,
    operands: ['a', 'b'],
    doc,
    infer: ([a, b]: readonly TensorType[]) => ({ attrs: {}, shape: broadcastShapes(name, a!.shape, b!.shape) }),
    vjp,
    jvp,
    examples: options.examples ?? binaryExamples,
    traits: elementwiseTraits(expr, options),
    arithmetic: expr,
  }) as ElementwiseRecord<Name, 'a' | 'b'>;
}

function liftScalar(v: ScalarLike): Scalar {
  return typeof v === 'number' ? { kind: 'literal', value: v } : v;
}
