/**
 * Grow-only float64 scratch buffers shared by the kernels. Kernels run one at a time and
 * never hold a buffer across calls, so one buffer per slot suffices; after the first run of
 * a program no kernel allocates.
 */

/** Named scratch slots; two buffers a kernel holds at the same time must use different slots. */
export const Slot = {
  /** Packed micro-panels of GEMM's A operand. */
  packA: 0,
  /** Packed micro-panels of GEMM's B operand. */
  packB: 1,
  /** One GEMM micro-tile, for edge tiles. */
  tile: 2,
  /** A chunk of im2col rows (or of their gradient). */
  cols: 3,
  /** A float64 accumulator for a kernel's output (reductions, filter gradient). */
  acc: 4,
  /** Element offsets (exact in float64 up to 2⁵³), e.g. each window's argmax. */
  index: 5,
} as const;
export type Slot = (typeof Slot)[keyof typeof Slot];

const buffers: Float64Array[] = [];

/**
 * A scratch Float64Array of at least `length` elements for `slot`; its contents are
 * whatever the previous user left.
 */
export function scratch(slot: Slot, length: number): Float64Array {
  const b = buffers[slot];
  if (b !== undefined && b.length >= length) return b;
  // Growing by at least half amortises a sequence of slightly larger requests.
  const grown = new Float64Array(Math.max(length, Math.ceil((b?.length ?? 0) * 1.5)));
  buffers[slot] = grown;
  return grown;
}
