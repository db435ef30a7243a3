import type { DType } from './dtype.ts';
import { GraphError } from './errors.ts';
import type { Node } from './node.ts';
import type { FusedExpr } from './ops/fused.ts';
import { checkScalar, primitives, type Primitive, type Scalar } from './ops/scalar.ts';
import { broadcastStrides, type Shape } from './shape/shape.ts';

/** One value of an elementwise program. */
export type ProgramValue =
  /**
   * Element of operand `input` at flat offset `Σ_d i_d · strides[d]` for output index i
   * (`strides` has one entry per output axis; 0 repeats a broadcast axis).
   */
  | { readonly kind: 'load'; readonly input: number; readonly strides: readonly number[] }
  /** A number, already rounded to the program's dtype. */
  | { readonly kind: 'literal'; readonly value: number }
  /** A primitive applied to earlier values; in float32 its result is rounded to float32 unless the primitive is exact. */
  | { readonly kind: 'call'; readonly fn: Primitive; readonly args: readonly number[] };

/**
 * What every executor compiles an elementwise node (one op, or a fused group) into: per
 * output element, an SSA program of primitive calls over loads of the operands. Built by
 * `elementwiseProgram` from the ops' arithmetic, so no executor knows any elementwise op.
 */
export interface ElementwiseProgram {
  readonly shape: Shape;
  readonly dtype: DType;
  /** Operands the loads read. */
  readonly inputs: number;
  readonly values: readonly ProgramValue[];
  readonly result: number;
}

/**
 * The elementwise program of `node`: an elementwise op's record arithmetic over its operands,
 * or a fused node's expression with each op's arithmetic inlined. Equal subexpressions of one
 * op's arithmetic stay separate values (they are few and cheap); literals are rounded to the
 * node's dtype.
 */
export function elementwiseProgram(node: Node): ElementwiseProgram {
  const shape = node.shape;
  const f32 = node.dtype === 'float32';
  const values: ProgramValue[] = [];
  const push = (v: ProgramValue) => values.push(Object.freeze(v)) - 1;
  const loads = node.inputs.map((x, input) => -1 - input);
  const load = (input: number): number => {
    if (loads[input]! < 0) loads[input] = push({ kind: 'load', input, strides: Object.freeze(broadcastStrides(node.inputs[input]!.shape, shape)) });
    return loads[input]!;
  };
  const literal = (v: number) => push({ kind: 'literal', value: f32 ? Math.fround(v) : v });
  /** Appends `e` with operand i standing for value `args[i]`; returns its value. */
  const inline = (e: Scalar, args: readonly number[]): number => {
    switch (e.kind) {
      case 'arg':
        return args[e.index]!;
      case 'literal':
        return literal(e.value);
      case 'call':
        return push({ kind: 'call', fn: e.fn, args: Object.freeze(e.args.map((a) => inline(a, args))) });
    }
  };
  let result: number;
  if (node.op === 'fused') {
    const { expr } = node.attrs as { readonly expr: FusedExpr };
    const at: number[] = [];
    for (const v of expr.values) {
      if (v.kind === 'load') at.push(load(v.input));
      else if (v.kind === 'literal') at.push(literal(v.value));
      else at.push(inline(checkScalar(v.op.name, v.op.arithmetic, v.op.operands.length), v.args.map((a) => at[a]!)));
    }
    result = at[expr.result]!;
  } else {
    const arithmetic = node.record.arithmetic;
    if (arithmetic === undefined) throw new GraphError('elementwise', `${node} is not elementwise (its record has no arithmetic)`, { node: String(node) });
    result = inline(checkScalar(node.op, arithmetic, node.inputs.length), node.inputs.map((_, i) => load(i)));
  }
  // A program whose result is a bare load or literal still computes: the executors copy it.
  return Object.freeze({ shape, dtype: node.dtype, inputs: node.inputs.length, values: Object.freeze(values), result });
}

/** Whether a primitive's float32 result needs rounding (its result is not one of its operands or 0/1). */
export function roundsInFloat32(fn: Primitive): boolean {
  return !primitives[fn].exact;
}

/** Whether executors run `node` by compiling its elementwise program (an elementwise op, or a fused node). */
export function hasElementwiseProgram(node: Node): boolean {
  return node.record.arithmetic !== undefined || node.op === 'fused';
}
