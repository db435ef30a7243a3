/**
 * A tensor held under several axis orders. graft is NHWC/HWIO and ONNX's conv and pool ops are
 * NCHW/OIHW, so a value may exist on the other side in its own layout, permuted for a conv, or
 * both. A *view* of a value under `perm` is `transpose(value, perm)`: its axis k is the value's
 * axis `perm[k]`. Views are made on demand: from a source that can produce any view directly
 * (constants: their data permuted at conversion time), else by one transpose of the first view
 * made, so a chain conv → bias → relu → pool → conv stays in NCHW with no transposes between.
 */

import { GraphError } from '@graft/ir';

export type Perm = readonly number[];

export function identity(rank: number): Perm {
  return [...Array(rank).keys()];
}

export function isIdentity(perm: Perm): boolean {
  return perm.every((p, i) => p === i);
}

/** `q` with `q[perm[i]] = i`. */
export function invert(perm: Perm): number[] {
  const q = new Array<number>(perm.length);
  perm.forEach((p, i) => (q[p] = i));
  return q;
}

/** The perm R with `transpose(transpose(v, from), R) = transpose(v, to)`: `R[k] = from⁻¹[to[k]]`. */
export function between(from: Perm, to: Perm): number[] {
  const inv = invert(from);
  return to.map((t) => inv[t]!);
}

/** NHWC → NCHW (and a view of an NHWC tensor in NCHW order). */
export const NCHW: Perm = [0, 3, 1, 2];
/** HWIO → OIHW, ONNX's Conv weight order; also ConvTranspose's (in = the transposed conv's input). */
export const OIHW: Perm = [3, 2, 0, 1];

/** Whether seeing `shape` in `perm` order moves only size-1 axes (so a reshape does it). */
export function onlyUnitAxesMove(perm: Perm, shape: readonly number[]): boolean {
  const moved = perm.filter((p) => shape[p] !== 1);
  return moved.every((p, k) => k === 0 || p > moved[k - 1]!);
}

/** `shape` seen under `perm`. */
export function permuteShape(shape: readonly number[], perm: Perm): number[] {
  return perm.map((p) => shape[p]!);
}

/** Row-major `data` of `shape` transposed by `perm` (a new array of the same kind). */
export function permuteData<T extends { length: number; [i: number]: number | bigint }>(
  data: T,
  shape: readonly number[],
  perm: Perm,
  make: (n: number) => T,
): T {
  const rank = shape.length;
  const out = make(data.length);
  if (isIdentity(perm)) {
    for (let i = 0; i < data.length; i++) out[i] = data[i]!;
    return out;
  }
  const outShape = permuteShape(shape, perm);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let k = rank - 1; k >= 0; k--) {
    inStrides[k] = s;
    s *= shape[k]!;
  }
  // Output axis k walks input axis perm[k].
  const stride = perm.map((p) => inStrides[p]!);
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let k = 0; k < rank; k++) src += index[k]! * stride[k]!;
    out[o] = data[src]!;
    for (let k = rank - 1; k >= 0; k--) {
      if (++index[k]! < outShape[k]!) break;
      index[k] = 0;
    }
  }
  return out;
}

const key = (perm: Perm) => perm.join(',');

/** A value's view under a perm. */
export interface View<V> {
  readonly perm: Perm;
  readonly value: V;
}

/** The views of every value by id; see the file comment. */
export class Layouts<Id, V> {
  readonly #views = new Map<Id, Map<string, View<V>>>();

  constructor(
    /** A new view (in order `to`) from an existing one: `transpose(from, perm)`. */
    private readonly transpose: (id: Id, from: V, perm: Perm, to: Perm) => V,
    /** A view made directly (constants), or undefined when only transposes can make it. */
    private readonly direct: (id: Id, perm: Perm) => V | undefined,
    private readonly rankOf: (id: Id) => number,
  ) {}

  set(id: Id, perm: Perm, value: V): void {
    let m = this.#views.get(id);
    if (m === undefined) this.#views.set(id, (m = new Map()));
    if (!m.has(key(perm))) m.set(key(perm), { perm, value });
  }

  /** The first view made of `id` (its own layout, or a direct one in the identity order). */
  first(id: Id): View<V> {
    const m = this.#views.get(id);
    if (m !== undefined && m.size > 0) return m.values().next().value!;
    return { perm: identity(this.rankOf(id)), value: this.get(id, identity(this.rankOf(id))) };
  }

  /** The view of `id` under `perm`, made if needed. */
  get(id: Id, perm: Perm): V {
    const existing = this.#views.get(id)?.get(key(perm));
    if (existing !== undefined) return existing.value;
    const made = this.direct(id, perm);
    if (made !== undefined) {
      this.set(id, perm, made);
      return made;
    }
    const from = this.#views.get(id)?.values().next().value;
    if (from === undefined) throw new GraphError('exportOnnx', `layouts: value ${String(id)} must have a view before it is transposed`, { value: String(id) });
    const value = this.transpose(id, from.value, between(from.perm, perm), perm);
    this.set(id, perm, value);
    return value;
  }
}
