import type { DType, Graph, Node } from '@graft/ir';
import type { Perm } from './layouts.ts';
import type { NodeProto, Tensor } from './onnx-proto.ts';

/** A graft node standing for an ONNX value seen in `perm` order: the node is `transpose(value, perm)`. */
export interface GraftView {
  readonly node: Node;
  readonly perm: Perm;
}

/** What an import rule sees: the ONNX node, its operands as graft nodes, its attributes. */
export interface ImportContext {
  readonly g: Graph;
  readonly node: NodeProto;
  /** The model's ai.onnx opset. */
  readonly opset: number;
  readonly dtype: DType;
  /** Whether operand i is given (ONNX marks an omitted optional operand with an empty name). */
  has(i: number): boolean;
  /** Operand i's ONNX shape. */
  shape(i: number): readonly number[];
  /** Operand i as a graft node in ONNX's axis order. */
  input(i: number): Node;
  /** Operand i in `perm` order (an initializer is permuted at import, anything else by a transpose). */
  permuted(i: number, perm: Perm): Node;
  /** Operand i in the order it already has, for ops indifferent to the layout. */
  anyLayout(i: number): GraftView;
  /** Operand i (in ONNX order) reshaped to `dims`: a constant of that shape when its values are known. */
  reshaped(i: number, dims: readonly number[]): Node;
  /** Operand i's values when they are known at import (an initializer or a Constant), else undefined. */
  values(i: number): Tensor | undefined;
  /** Operand i's values as integers (shapes, axes, pads); throws `unsupported` unless known at import. */
  intsOf(i: number, what: string): number[];
  /** An integer attribute. */
  int(name: string, fallback: number): number;
  /** An integer-list attribute. */
  ints(name: string, fallback: readonly number[]): readonly number[];
  /** A float attribute. */
  float(name: string, fallback: number): number;
  /** A string attribute. */
  string(name: string, fallback: string): string;
}

/** A rule's result: a graft node in ONNX's order, a view in another order, or values known at import. */
export type ImportResult = Node | GraftView | { readonly tensor: Tensor };

/**
 * How one ONNX op type maps to graft: the graft ops it builds (the coverage table is made from
 * these), a static check of the node's attributes (the reason it cannot be imported, or
 * undefined), and the build.
 */
export interface ImportEntry {
  readonly graft: readonly string[];
  readonly note?: string;
  check?(node: NodeProto, opset: number): string | undefined;
  build(c: ImportContext): ImportResult;
}

/** Thrown by a rule for a node it cannot map (collected into one OnnxImportError). */
export class Unsupported extends Error {}
