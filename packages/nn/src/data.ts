import { AttrError, ShapeError, allocate, checkShape, fmtShape, sizeOf, type DType, type FloatArray, type Shape } from '@graft/ir';
import { fillNormal, mulberry32, permutation, streamFor, type Rng } from './random.ts';

/**
 * Examples stored row-major: `inputs` is `[length, ...inputShape]`, `targets`
 * `[length, ...targetShape]`. `labels` (class indices) make accuracy available.
 */
export interface Dataset {
  readonly length: number;
  readonly inputs: FloatArray;
  readonly inputShape: Shape;
  readonly targets: FloatArray;
  readonly targetShape: Shape;
  readonly labels?: Uint8Array | undefined;
}

/** Checks that the arrays fit the shapes and the length. */
export function checkDataset(op: string, d: Dataset): void {
  if (d === null || typeof d !== 'object') throw new AttrError(op, 'data must be a Dataset', { data: d });
  checkShape(op, 'inputShape', d.inputShape);
  checkShape(op, 'targetShape', d.targetShape);
  if (!Number.isInteger(d.length) || d.length < 1) throw new AttrError(op, 'data must hold at least one example', { length: d.length });
  for (const k of ['inputs', 'targets'] as const) {
    if (!(d[k] instanceof Float32Array || d[k] instanceof Float64Array)) throw new AttrError(op, `${k} must be a Float32Array or Float64Array`, { [k]: String(d[k]) });
  }
  if (d.inputs.length !== d.length * sizeOf(d.inputShape)) {
    throw new ShapeError(op, `inputs must have ${d.length}·${sizeOf(d.inputShape)} values for ${d.length} examples of ${fmtShape(d.inputShape)}, got ${d.inputs.length}`, { length: d.length, perExample: sizeOf(d.inputShape), inputShape: d.inputShape, values: d.inputs.length });
  }
  if (d.targets.length !== d.length * sizeOf(d.targetShape)) {
    throw new ShapeError(op, `targets must have ${d.length}·${sizeOf(d.targetShape)} values for ${d.length} examples of ${fmtShape(d.targetShape)}, got ${d.targets.length}`, { length: d.length, perExample: sizeOf(d.targetShape), targetShape: d.targetShape, values: d.targets.length });
  }
  if (d.labels !== undefined && d.labels.length !== d.length) {
    throw new ShapeError(op, `labels must have one entry per example (${d.length}), got ${d.labels.length}`, { length: d.length, labels: d.labels.length });
  }
}

/** A classification dataset from inputs and class labels (targets are one-hot rows). */
export function classification(inputs: FloatArray, inputShape: Shape, labels: Uint8Array, classes: number): Dataset {
  const targets = allocate(inputs instanceof Float64Array ? 'float64' : 'float32', labels.length * classes);
  labels.forEach((l, i) => {
    if (l >= classes) throw new AttrError('classification', `labels must be below classes (${classes})`, { index: i, label: l, classes });
    targets[i * classes + l] = 1;
  });
  const d: Dataset = { length: labels.length, inputs, inputShape, targets, targetShape: [classes], labels };
  checkDataset('classification', d);
  return d;
}

/** The same inputs as their own targets (for autoencoders); labels are kept. */
export function reconstruction(d: Dataset): Dataset {
  return { length: d.length, inputs: d.inputs, inputShape: d.inputShape, targets: d.inputs, targetShape: d.inputShape, labels: d.labels };
}

/** The examples at `indices`, copied, in that order. */
export function subset(d: Dataset, indices: ArrayLike<number>): Dataset {
  const n = indices.length;
  const xs = sizeOf(d.inputShape);
  const ts = sizeOf(d.targetShape);
  const inputs = d.inputs instanceof Float64Array ? new Float64Array(n * xs) : new Float32Array(n * xs);
  const sameTargets = d.targets === d.inputs;
  const targets = sameTargets ? inputs : d.targets instanceof Float64Array ? new Float64Array(n * ts) : new Float32Array(n * ts);
  const labels = d.labels === undefined ? undefined : new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    if (!(i >= 0 && i < d.length)) throw new AttrError('subset', `indices must be in [0, ${d.length})`, { index: i, length: d.length });
    inputs.set(d.inputs.subarray(i * xs, (i + 1) * xs), k * xs);
    if (!sameTargets) targets.set(d.targets.subarray(i * ts, (i + 1) * ts), k * ts);
    if (labels !== undefined) labels[k] = d.labels![i]!;
  }
  return { length: n, inputs, inputShape: d.inputShape, targets, targetShape: d.targetShape, labels };
}

/** The first n examples. */
export function take(d: Dataset, n: number): Dataset {
  return subset(d, Array.from({ length: Math.min(n, d.length) }, (_, i) => i));
}

/** Copies a dataset into another dtype. */
export function castDataset(d: Dataset, dtype: DType): Dataset {
  const cast = (a: FloatArray) => (dtype === 'float64' ? Float64Array.from(a) : Float32Array.from(a));
  const inputs = cast(d.inputs);
  return { ...d, inputs, targets: d.targets === d.inputs ? inputs : cast(d.targets) };
}

/** Seeded mini-batch orders: a fresh permutation of the examples per epoch. */
export function epochOrder(length: number, seed: number, epoch: number): Uint32Array {
  return permutation(length, streamFor(seed, `shuffle/${epoch}`));
}

export interface SyntheticOptions {
  /** Number of examples (default 512). */
  readonly length?: number;
  /** Image height = width (default 8). */
  readonly size?: number;
  readonly seed?: number;
  /** Standard deviation of added pixel noise (default 0.1). */
  readonly noise?: number;
  readonly dtype?: DType;
}

/**
 * A synthetic 4-class image set for tests: each `size × size × 1` image holds one shape at
 * a random place — 0 a horizontal bar, 1 a vertical bar, 2 a diagonal, 3 a 2×2 blob — on
 * a background of Gaussian noise. Labels cycle 0, 1, 2, 3 so every class is balanced.
 */
export function syntheticShapes(options: SyntheticOptions = {}): Dataset {
  const length = options.length ?? 512;
  const size = options.size ?? 8;
  const seed = options.seed ?? 0;
  const noise = options.noise ?? 0.1;
  if (!Number.isInteger(size) || size < 4) throw new AttrError('syntheticShapes', 'size must be an integer ≥ 4', { size });
  const rng = mulberry32(seed);
  const pixels = new Float64Array(length * size * size);
  fillNormal(pixels, rng, 0, noise);
  const labels = new Uint8Array(length);
  const at = (i: number, r: number, c: number) => i * size * size + r * size + c;
  const pick = (n: number) => Math.floor(rng.next() * n);
  for (let i = 0; i < length; i++) {
    const label = i % 4;
    labels[i] = label;
    const len = size - 2;
    if (label === 0) {
      const r = pick(size), c0 = pick(size - len + 1);
      for (let k = 0; k < len; k++) pixels[at(i, r, c0 + k)]! += 1;
    } else if (label === 1) {
      const c = pick(size), r0 = pick(size - len + 1);
      for (let k = 0; k < len; k++) pixels[at(i, r0 + k, c)]! += 1;
    } else if (label === 2) {
      const r0 = pick(size - len + 1), c0 = pick(size - len + 1);
      for (let k = 0; k < len; k++) pixels[at(i, r0 + k, c0 + k)]! += 1;
    } else {
      const r = pick(size - 1), c = pick(size - 1);
      for (const [dr, dc] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) pixels[at(i, r + dr, c + dc)]! += 1;
    }
  }
  const dtype = options.dtype ?? 'float32';
  const inputs = dtype === 'float64' ? pixels : Float32Array.from(pixels);
  return classification(inputs, [size, size, 1], labels, 4);
}

/** Changes a training batch in place (`count` examples of `inputShape`), drawing from `rng`. */
export type Augment = (batch: FloatArray, count: number, inputShape: Shape, rng: Rng) => void;

/**
 * Random translations of NHWC images by up to `maxShift` pixels along each axis (uniform
 * integers in [−maxShift, maxShift]), filling the uncovered border with `fill` (default 0).
 */
export function randomShift(maxShift: number, fill = 0): Augment {
  if (!Number.isInteger(maxShift) || maxShift < 0) throw new AttrError('randomShift', 'maxShift must be a non-negative integer', { maxShift });
  let scratch = new Float64Array(0);
  return (batch, count, inputShape, rng) => {
    if (inputShape.length !== 3) throw new ShapeError('randomShift', `examples must be [height, width, channels], got ${fmtShape(inputShape)}`, { inputShape });
    const [h, w, c] = inputShape as [number, number, number];
    const size = h * w * c;
    if (scratch.length < size) scratch = new Float64Array(size);
    for (let n = 0; n < count; n++) {
      const dy = Math.floor(rng.next() * (2 * maxShift + 1)) - maxShift;
      const dx = Math.floor(rng.next() * (2 * maxShift + 1)) - maxShift;
      if (dy === 0 && dx === 0) continue;
      const img = batch.subarray(n * size, (n + 1) * size);
      scratch.set(img);
      // out[r, q] = in[r − dy, q − dx] where that lies inside the image, else fill.
      for (let r = 0; r < h; r++) {
        const sr = r - dy;
        for (let q = 0; q < w; q++) {
          const sq = q - dx;
          const inside = sr >= 0 && sr < h && sq >= 0 && sq < w;
          for (let k = 0; k < c; k++) img[(r * w + q) * c + k] = inside ? scratch[(sr * w + sq) * c + k]! : fill;
        }
      }
    }
  };
}
