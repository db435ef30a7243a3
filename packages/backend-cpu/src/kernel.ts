import type { FloatArray, Node, OpName, ProgramOpName } from '@graft/ir';

/**
 * A CPU kernel: reads its operands' arrays (in the node's dtype) and writes every element
 * of `out`, whose length is the node's size. It never allocates its output.
 */
export type Kernel<K extends OpName> = (node: Node<K>, inputs: readonly FloatArray[], out: FloatArray) => void;

/**
 * One kernel per op (inputs are fed, not computed): a missing kernel is a type error.
 * Elementwise ops and fused nodes have none here: their kernels are generated from their
 * arithmetic (`elementwiseProgram`).
 */
export type KernelTable = { readonly [K in Exclude<OpName, 'input' | ProgramOpName>]: Kernel<K> };
