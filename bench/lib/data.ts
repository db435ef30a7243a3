/** Seeded inputs, layout changes for the NCHW peers, and the agreement check. */
import { seeded } from 'graft/programs';
import type { Shape4 } from './cases.ts';

export type Outputs = Record<string, Float32Array>;

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Seeded float32 values in [lo, hi) (the examples' mulberry32 stream). */
export function seededF32(shape: readonly number[], seed: number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from(seeded(size(shape), seed, lo, hi));
}

/**
 * Permutes the axes of a 4-D array: `out` has shape `perm.map(i => shape[i])` and
 * `out[j0,j1,j2,j3] = a[i]` where `i` indexes `a` with `j_k` on axis `perm[k]`.
 */
export function transpose4(a: Float32Array, shape: Shape4, perm: readonly [number, number, number, number]): Float32Array {
  const out = new Float32Array(a.length);
  const strides = [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1] as const;
  const os = perm.map((p) => shape[p]!) as [number, number, number, number];
  const s = perm.map((p) => strides[p]!) as [number, number, number, number];
  let o = 0;
  for (let i0 = 0; i0 < os[0]; i0++)
    for (let i1 = 0; i1 < os[1]; i1++)
      for (let i2 = 0; i2 < os[2]; i2++) {
        const base = i0 * s[0] + i1 * s[1] + i2 * s[2];
        for (let i3 = 0; i3 < os[3]; i3++) out[o++] = a[base + i3 * s[3]]!;
      }
  return out;
}

/** NHWC → NCHW. */
export const nhwcToNchw = (a: Float32Array, s: Shape4) => transpose4(a, s, [0, 3, 1, 2]);
/** NCHW (given by its NHWC shape) → NHWC. */
export const nchwToNhwc = (a: Float32Array, nhwc: Shape4) => transpose4(a, [nhwc[0], nhwc[3], nhwc[1], nhwc[2]], [0, 2, 3, 1]);
/** HWIO → OIHW (ONNX / PyTorch filter layout). */
export const hwioToOihw = (a: Float32Array, s: Shape4) => transpose4(a, s, [3, 2, 0, 1]);
/** OIHW (given by its HWIO shape) → HWIO. */
export const oihwToHwio = (a: Float32Array, hwio: Shape4) => transpose4(a, [hwio[3], hwio[2], hwio[0], hwio[1]], [2, 3, 1, 0]);

export interface Agreement {
  /** max |peer − graft| / max |graft|, the worst over all outputs. */
  readonly maxRelErr: number;
  readonly agree: boolean;
  /** The output and element where the worst difference is, with both values. */
  readonly worst: string;
}

/**
 * float32 agreement: for every output, max |peer − graft| ≤ tol · max |graft|.
 * A missing output or a length mismatch disagrees.
 */
export function compareOutputs(ref: Outputs, peer: Outputs, tol: number): Agreement {
  let maxRelErr = 0;
  let worst = '';
  for (const [name, r] of Object.entries(ref)) {
    const p = peer[name];
    if (p === undefined || p.length !== r.length) {
      return { maxRelErr: Infinity, agree: false, worst: `${name}: length ${p?.length ?? 'missing'} ≠ ${r.length}` };
    }
    let scale = 0;
    for (let i = 0; i < r.length; i++) scale = Math.max(scale, Math.abs(r[i]!));
    let err = 0;
    let at = 0;
    for (let i = 0; i < r.length; i++) {
      const e = Math.abs(p[i]! - r[i]!);
      if (!(e <= err)) {
        err = e;
        at = i;
      }
    }
    const rel = err / (scale || 1);
    if (!(rel <= maxRelErr)) {
      maxRelErr = rel;
      worst = `${name}[${at}]: graft ${r[at]}, peer ${p[at]}, max |graft| ${scale}`;
    }
  }
  return { maxRelErr, agree: maxRelErr <= tol, worst };
}

/** A copy of every output (executors may reuse their output arrays between runs). */
export function copyOutputs(o: Readonly<Record<string, ArrayLike<number>>>): Outputs {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Float32Array.from(v)]));
}
