import { AttrError, ShapeError, fmtShape } from '../errors.ts';

/** A tensor shape: one non-negative integer per axis; `[]` is a scalar. */
export type Shape = readonly number[];

/**
 * The most elements a tensor may have in the IR: `Number.MAX_SAFE_INTEGER` (2⁵³ − 1), the
 * largest count a double holds exactly, so every size, stride and index graft computes is an
 * exact integer. Executors have lower limits of their own (`Backend.maxElements`).
 */
export const MAX_TENSOR_ELEMENTS = Number.MAX_SAFE_INTEGER;

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Throws unless `shape` is an array of positive integers whose element count is at most
 * `MAX_TENSOR_ELEMENTS` (so each size is a safe integer too).
 */
export function checkShape(op: string, what: string, shape: unknown): Shape {
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 1)) {
    throw new AttrError(op, `${what} must be an array of positive integers`, { [what]: shape });
  }
  checkSize(op, what, shape);
  return Object.freeze([...shape]) as Shape;
}

/** Throws a ShapeError unless the element count of `shape` (of positive integers) is at most `MAX_TENSOR_ELEMENTS`. */
export function checkSize(op: string, what: string, shape: Shape): void {
  const elements = sizeOf(shape);
  if (!(elements <= MAX_TENSOR_ELEMENTS)) {
    throw new ShapeError(op, `${what} must have at most ${MAX_TENSOR_ELEMENTS} elements (Number.MAX_SAFE_INTEGER), got ${elements}`, {
      [what]: shape,
      elements,
      limit: MAX_TENSOR_ELEMENTS,
    });
  }
}

/** Throws unless `shape` has the given rank. */
export function checkRank(op: string, what: string, shape: Shape, rank: number): void {
  if (shape.length !== rank) {
    throw new ShapeError(op, `${what} must have rank ${rank}, got rank ${shape.length}`, { [what]: shape, rank: shape.length, expected: rank });
  }
}

/**
 * Normalises an axis in `[-rank, rank)` to `[0, rank)`.
 */
export function normalizeAxis(op: string, axis: unknown, rank: number): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new AttrError(op, `axis must be an integer in [${-rank}, ${rank - 1}]`, { axis, rank, range: [-rank, rank - 1] });
  }
  return axis < 0 ? axis + rank : axis;
}

/** Normalises a list of distinct axes, sorted ascending. */
export function normalizeAxes(op: string, axes: unknown, rank: number): number[] {
  if (!Array.isArray(axes)) throw new AttrError(op, 'axes must be an array of integers', { axes });
  const out = axes.map((a) => normalizeAxis(op, a, rank));
  if (new Set(out).size !== out.length) throw new AttrError(op, 'axes must be distinct', { axes });
  return out.sort((a, b) => a - b);
}

/**
 * TensorFlow (NumPy) broadcasting: shapes are aligned at their last axis; each pair of
 * sizes must be equal or one of them 1.
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): Shape {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        op,
        `shapes must broadcast: sizes ${da} and ${db} at axis ${i - rank} must be equal or 1`,
        { a, b, axis: i - rank, sizes: [da, db] },
        `a ${fmtShape(a)}, b ${fmtShape(b)}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides for reading an operand of shape `from` at each index of `out` (TensorFlow
 * broadcasting: aligned at the last axis; a size-1 or missing axis repeats, stride 0).
 */
export function broadcastStrides(from: Shape, out: Shape): number[] {
  const own = stridesOf(from);
  const lead = out.length - from.length;
  return out.map((d, i) => (i < lead || from[i - lead] !== d ? 0 : own[i - lead]!));
}

/** The axes of `out` along which an operand of shape `from` was broadcast (for un-broadcasting). */
export function broadcastAxes(from: Shape, out: Shape): number[] {
  const axes: number[] = [];
  const lead = out.length - from.length;
  for (let i = 0; i < out.length; i++) {
    if (i < lead || (from[i - lead] === 1 && out[i] !== 1)) axes.push(i);
  }
  return axes;
}
