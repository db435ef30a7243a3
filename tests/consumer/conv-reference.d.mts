// Types of conv-reference.mjs (plain JavaScript, so that the Node consumer runs it without a loader).
export declare function seeded(n: number, seed: number): Float64Array;
export declare function convLossAndGradients(
  x: Float64Array,
  xShape: readonly number[],
  w: Float64Array,
  wShape: readonly number[],
  stride: number,
): { loss: number; dx: Float64Array; dw: Float64Array; yShape: number[] };
export declare function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number;
export declare const CASE: { readonly xShape: [number, number, number, number]; readonly wShape: [number, number, number, number]; readonly stride: number; readonly seed: number };
