import type { Node, OpName, ProgramOpName } from '@graft/ir';

/** A generated kernel: gpu.js source over a flat output of `size` elements reading `args` operands. */
export interface KernelSpec {
  /** `function (x0, x1, …) { … }`, numbers only interpolated. */
  readonly source: string;
  /** Output elements (the kernel's `output: [size]`). */
  readonly size: number;
  /** Operand count (`x0 … x{args − 1}`), in the order the step lists its input buffers. */
  readonly args: number;
}

/**
 * What a step becomes: a generated kernel; `alias` when the output is the operand's flat
 * data unchanged (reshape), so the device handle is shared and nothing runs; `constant` when
 * the values are part of the graph and stay resident from the first run on.
 */
export type StepCode = { readonly kind: 'kernel'; readonly spec: KernelSpec } | { readonly kind: 'alias' } | { readonly kind: 'constant' };

/**
 * Code generation for one op (inputs are fed, not computed): a missing entry is a type error.
 * Elementwise ops and fused nodes have none: their kernels come from their elementwise program.
 */
export type CodegenTable = { readonly [K in Exclude<OpName, 'input' | ProgramOpName>]: (node: Node<K>) => StepCode };

export function kernel(source: string, size: number, args: number): StepCode {
  return { kind: 'kernel', spec: { source, size, args } };
}
