/** Element types a graph can hold. */
export type DType = 'float32' | 'float64';

/** The typed array that stores a tensor of each dtype. */
export type ArrayOf<D extends DType> = D extends 'float32' ? Float32Array : Float64Array;

/** Either typed array that stores a tensor. */
export type FloatArray = Float32Array | Float64Array;

export const DTYPES: readonly DType[] = ['float32', 'float64'];

export function isDType(d: unknown): d is DType {
  return d === 'float32' || d === 'float64';
}

/** Allocates a zeroed typed array of the given dtype. */
export function allocate(dtype: DType, length: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

/** Bytes per element of a dtype. */
export function bytesPerElement(dtype: DType): number {
  return dtype === 'float32' ? 4 : 8;
}

/** The dtype a typed array holds, or undefined for anything else. */
export function dtypeOfArray(a: unknown): DType | undefined {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  return undefined;
}
