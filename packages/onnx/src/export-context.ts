import type { AttrsOf, Node, OpName } from '@graft/ir';
import type { Perm } from './layouts.ts';
import type { AttributeValue } from './onnx-proto.ts';

/** An ONNX value standing for a graft node's result, with its axes in `perm` order (see layouts.ts). */
export interface OnnxValue {
  readonly name: string;
  /** Axis k of the ONNX value is the graft node's axis `perm[k]`. */
  readonly perm: Perm;
}

/** Attribute values a rule writes: an integer, integers, or a tagged value (floats, strings, tensors). */
export type Attr = number | readonly number[] | AttributeValue;

/** What an export rule sees: the graft node, and ways to reach its operands and emit ONNX nodes. */
export interface ExportContext<K extends OpName> {
  readonly node: Node<K>;
  readonly attrs: AttrsOf<K>;
  /** The ONNX opset being written. */
  readonly opset: number;
  /** Operand i in graft's own axis order. */
  input(i: number): string;
  /** Operand i in `perm` order (constants are permuted at export, other values by a Transpose node). */
  permuted(i: number, perm: Perm): string;
  /** Operand i in the order it already has (no Transpose), for ops indifferent to the layout. */
  anyLayout(i: number): OnnxValue;
  /** Operand i reshaped to `dims` (constants re-dimensioned at export, other values by a Reshape node). */
  reshaped(i: number, dims: readonly number[]): string;
  /** A 1-D INT64 initializer (shapes, axes, pads, slice bounds), shared between users. */
  int64(values: readonly (number | bigint)[]): string;
  /** Emits one ONNX node; returns its output's name. */
  emit(opType: string, inputs: readonly string[], attrs?: Readonly<Record<string, Attr>>): string;
}

/** A rule's result: the output's name in graft's axis order, or a value in another order. */
export type ExportResult = string | OnnxValue;

/** Emits the ONNX nodes of one graft node. */
export type ExportRule<K extends OpName> = (c: ExportContext<K>) => ExportResult;

/**
 * How one graft op maps to ONNX: the ONNX op types its rule emits (the coverage table is made
 * from these), or why ONNX cannot express it.
 */
export type ExportEntry<K extends OpName> =
  | { readonly onnx: readonly string[]; readonly emit: ExportRule<K>; readonly note?: string }
  | { readonly unsupported: string };
