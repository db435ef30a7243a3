/**
 * Dense row-major float64 tensors for oracles, and the comparisons the suite uses.
 * Nothing here imports graft: the oracles must not share code with what they check.
 */

export type Dims = readonly number[];

export interface Tensor {
  readonly shape: Dims;
  readonly data: Float64Array;
}

export function sizeOfDims(shape: Dims): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides. */
export function stridesOfDims(shape: Dims): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** Multi-index of flat position `flat`. */
export function unravel(flat: number, shape: Dims): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i]!;
    flat = Math.floor(flat / shape[i]!);
  }
  return idx;
}

/** Flat position of a multi-index. */
export function ravel(idx: readonly number[], shape: Dims): number {
  let flat = 0;
  for (let i = 0; i < shape.length; i++) flat = flat * shape[i]! + idx[i]!;
  return flat;
}

export function zeros(shape: Dims): Tensor {
  return { shape: [...shape], data: new Float64Array(sizeOfDims(shape)) };
}

/** `[2,7,7,3]` */
export function fmtDims(shape: Dims): string {
  return `[${shape.join(',')}]`;
}

/**
 * Asserts `|actual − expected| ≤ tol·(1 + |expected|)` elementwise (mixed absolute/relative).
 * A failure names the element (flat and multi-index), both values and the tolerance.
 */
export function assertClose(actual: ArrayLike<number>, expected: Tensor, tol: number, label: string): void {
  if (actual.length !== expected.data.length) {
    throw new Error(`${label}: length ${actual.length} ≠ expected ${expected.data.length} (shape ${fmtDims(expected.shape)})`);
  }
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const b = expected.data[i]!;
    if (!(Math.abs(a - b) <= tol * (1 + Math.abs(b)))) {
      throw new Error(
        `${label}: element ${i} ${fmtDims(unravel(i, expected.shape))} of shape ${fmtDims(expected.shape)} is ${a}, expected ${b} ` +
          `(|diff| ${Math.abs(a - b)} > tol ${tol}·(1 + |expected|))`,
      );
    }
  }
}

/**
 * Asserts `|actual − reference| ≤ tol·scale` elementwise, `scale` defaulting to max|reference|:
 * the float32-vs-float64 criterion, relative to the largest magnitude of the output.
 */
export function assertCloseToMax(actual: ArrayLike<number>, reference: Tensor, tol: number, label: string, scale?: number): void {
  if (actual.length !== reference.data.length) {
    throw new Error(`${label}: length ${actual.length} ≠ reference ${reference.data.length}`);
  }
  let maxAbs = 0;
  for (const v of reference.data) maxAbs = Math.max(maxAbs, Math.abs(v));
  if (scale !== undefined) maxAbs = Math.max(maxAbs, scale);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const b = reference.data[i]!;
    if (!(Math.abs(a - b) <= tol * maxAbs)) {
      throw new Error(
        `${label}: element ${i} ${fmtDims(unravel(i, reference.shape))} of shape ${fmtDims(reference.shape)} is ${a}, float64 gives ${b} ` +
          `(|diff| ${Math.abs(a - b)} > ${tol}·scale = ${tol * maxAbs})`,
      );
    }
  }
}

/** Inner product ⟨a, b⟩ and Σ|aᵢ·bᵢ| (the scale its rounding error is proportional to). */
export function inner(a: ArrayLike<number>, b: ArrayLike<number>): { value: number; scale: number } {
  if (a.length !== b.length) throw new Error(`inner: lengths ${a.length} and ${b.length} differ`);
  let value = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    value += a[i]! * b[i]!;
    scale += Math.abs(a[i]! * b[i]!);
  }
  return { value, scale };
}
