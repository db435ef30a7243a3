/**
 * Running exported models in onnxruntime-node (the independent implementation the ONNX tests
 * compare graft with) and measuring agreement.
 */
import * as ort from 'onnxruntime-node';
import { compile, cpu, type FloatArray, type Node } from 'graft';
import { mulberry32, uniform } from './random.ts';

/** Runs a serialised model in onnxruntime (CPU, one thread) and returns its outputs by name. */
export async function runOnnxruntime(bytes: Uint8Array, feeds: Readonly<Record<string, { data: Float32Array; dims: readonly number[] }>>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionProviders: ['cpu'] });
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) inputs[name] = new ort.Tensor('float32', t.data, [...t.dims]);
    const out = await session.run(inputs);
    const result: Record<string, Float32Array> = {};
    for (const [name, t] of Object.entries(out)) result[name] = t.data as Float32Array;
    return result;
  } finally {
    await session.release();
  }
}

/** Compiles `outputs` for cpu() and runs them once. */
export async function runGraft(outputs: Readonly<Record<string, Node>>, feeds: Readonly<Record<string, FloatArray>>): Promise<Record<string, FloatArray>> {
  return compile(outputs, { backend: cpu() }).run(feeds);
}

export interface Agreement {
  /** max |a − b| */
  maxAbs: number;
  /** max |a − b| / max(1, |b|) — what the tests bound. */
  maxScaled: number;
  /** max |a − b| / |b| over |b| ≥ 1e-3 */
  maxRel: number;
  /** The element with the largest scaled error: index, both values. */
  worst: { index: number; actual: number; expected: number };
}

/** How far `actual` is from `expected` (the graft reference). */
export function agreement(actual: ArrayLike<number>, expected: ArrayLike<number>): Agreement {
  if (actual.length !== expected.length) throw new Error(`lengths differ: ${actual.length} vs ${expected.length}`);
  const r: Agreement = { maxAbs: 0, maxScaled: 0, maxRel: 0, worst: { index: -1, actual: NaN, expected: NaN } };
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    const d = Math.abs(a - b);
    if (!(d <= Number.MAX_VALUE)) return { ...r, maxAbs: Infinity, maxScaled: Infinity, worst: { index: i, actual: a, expected: b } };
    r.maxAbs = Math.max(r.maxAbs, d);
    if (Math.abs(b) >= 1e-3) r.maxRel = Math.max(r.maxRel, d / Math.abs(b));
    const scaled = d / Math.max(1, Math.abs(b));
    if (scaled > r.maxScaled || r.worst.index < 0) {
      r.maxScaled = scaled;
      r.worst = { index: i, actual: a, expected: b };
    }
  }
  return r;
}

export function fmtAgreement(a: Agreement): string {
  return `max abs ${a.maxAbs.toExponential(2)}, max rel ${a.maxRel.toExponential(2)} (worst element ${a.worst.index}: ${a.worst.actual} vs ${a.worst.expected})`;
}

/** Seeded uniform values in [lo, hi) as float32. */
export function seededValues(seed: number, n: number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from(uniform(mulberry32(seed), n, lo, hi));
}
