import { platform } from '#platform';
import { GraftError, bytesPerElement, fmtShape, isDType, shapesEqual, sizeOf, type DType, type FloatArray, type Shape } from '@graft/ir';
import type { Model } from './model.ts';

/**
 * The weights file (see README.md):
 *
 *     bytes 0–7    magic "GRAFTWTS"
 *     bytes 8–11   uint32 little-endian: header length H
 *     bytes 12…    H bytes of UTF-8 JSON, padded with spaces so the data starts at a multiple of 8
 *     data         each tensor's values, little-endian float32 or float64, at its offset
 *
 * Header: `{ format: "graft-weights", version: 1, dtype, tensors: [{ name, shape, offset, length }] }`,
 * offsets in bytes from the start of the data, lengths in elements (= the shape's size).
 * The file ends where the last tensor does.
 */
export const WEIGHTS_MAGIC = 'GRAFTWTS';
export const WEIGHTS_FORMAT = 'graft-weights';
export const WEIGHTS_VERSION = 1;

/** Why a weights file was refused. */
export type WeightsErrorReason = 'magic' | 'truncated' | 'header' | 'version' | 'dtype' | 'names' | 'shape' | 'io';

/** A weights file that cannot be read or does not fit the model; the model is left unchanged. */
export class WeightsError extends GraftError {
  constructor(
    readonly reason: WeightsErrorReason,
    rule: string,
    values: Record<string, unknown>,
  ) {
    super('loadWeights', rule, values);
  }
}

export interface WeightsTensor {
  readonly name: string;
  readonly shape: Shape;
  readonly values: FloatArray;
}

export interface DecodedWeights {
  readonly dtype: DType;
  readonly tensors: readonly WeightsTensor[];
}

/** Encodes named tensors of one dtype into the weights format. */
export function encodeTensors(dtype: DType, tensors: readonly WeightsTensor[]): Uint8Array {
  const bpe = bytesPerElement(dtype);
  let offset = 0;
  const entries = tensors.map((t) => {
    const e = { name: t.name, shape: [...t.shape], offset, length: t.values.length };
    offset += t.values.length * bpe;
    return e;
  });
  const json = new TextEncoder().encode(JSON.stringify({ format: WEIGHTS_FORMAT, version: WEIGHTS_VERSION, dtype, tensors: entries }));
  const dataStart = Math.ceil((12 + json.length) / 8) * 8;
  const bytes = new Uint8Array(dataStart + offset);
  bytes.set(new TextEncoder().encode(WEIGHTS_MAGIC), 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, dataStart - 12, true);
  bytes.set(json, 12);
  bytes.fill(0x20, 12 + json.length, dataStart);
  tensors.forEach((t, k) => {
    let at = dataStart + entries[k]!.offset;
    for (let i = 0; i < t.values.length; i++, at += bpe) {
      if (dtype === 'float32') view.setFloat32(at, t.values[i]!, true);
      else view.setFloat64(at, t.values[i]!, true);
    }
  });
  return bytes;
}

/** Encodes a model's current weights: its parameters in order, then its state tensors (moving statistics). */
export function encodeWeights(model: Model): Uint8Array {
  const tensors = [...model.params.values(), ...model.state.values()];
  return encodeTensors(model.dtype, tensors.map((p) => ({ name: p.name, shape: p.shape, values: p.value })));
}

/** Decodes and validates a weights file on its own (not against a model). */
export function decodeWeights(bytes: Uint8Array): DecodedWeights {
  if (!(bytes instanceof Uint8Array)) throw new WeightsError('io', 'weights must be a Uint8Array or a file path', { weights: typeof bytes });
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (bytes.length < 8 || magic !== WEIGHTS_MAGIC) {
    throw new WeightsError('magic', `file must start with the magic bytes "${WEIGHTS_MAGIC}"`, { found: bytes.length < 8 ? `${bytes.length} bytes` : magic });
  }
  if (bytes.length < 12) throw new WeightsError('truncated', 'file ends inside the header length', { bytes: bytes.length });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  const dataStart = 12 + headerLength;
  if (dataStart > bytes.length) {
    throw new WeightsError('truncated', `file ends inside the header (header needs ${dataStart} bytes, file has ${bytes.length})`, { needed: dataStart, bytes: bytes.length });
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, dataStart)));
  } catch (e) {
    throw new WeightsError('header', `header must be UTF-8 JSON: ${(e as Error).message}`, { error: (e as Error).message, headerBytes: headerLength });
  }
  const h = header as { format?: unknown; version?: unknown; dtype?: unknown; tensors?: unknown };
  if (h === null || typeof h !== 'object' || h.format !== WEIGHTS_FORMAT) {
    throw new WeightsError('header', `header.format must be "${WEIGHTS_FORMAT}"`, { format: h?.format });
  }
  if (h.version !== WEIGHTS_VERSION) throw new WeightsError('version', `header.version must be ${WEIGHTS_VERSION}`, { version: h.version });
  if (!isDType(h.dtype)) throw new WeightsError('dtype', "header.dtype must be 'float32' or 'float64'", { dtype: h.dtype });
  const dtype = h.dtype;
  if (!Array.isArray(h.tensors)) throw new WeightsError('header', 'header.tensors must be an array', { tensors: String(h.tensors) });
  const bpe = bytesPerElement(dtype);
  const names = new Set<string>();
  let end = 0;
  const tensors = h.tensors.map((t: unknown, k: number): WeightsTensor => {
    const e = t as { name?: unknown; shape?: unknown; offset?: unknown; length?: unknown };
    const isCount = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
    if (
      e === null || typeof e !== 'object' || typeof e.name !== 'string' || names.has(e.name) ||
      !Array.isArray(e.shape) || !e.shape.every((d) => isCount(d) && d >= 1) || !isCount(e.offset) || !isCount(e.length)
    ) {
      throw new WeightsError('header', 'each header.tensors entry must be { name (unique string), shape (positive integers), offset, length }', { index: k, entry: t });
    }
    const shape = e.shape as number[];
    const length = e.length as number;
    const offset = e.offset as number;
    if (length !== sizeOf(shape)) {
      throw new WeightsError('header', `tensor "${e.name}" length (${length}) must equal its shape's size (${sizeOf(shape)})`, { name: e.name, length, size: sizeOf(shape), shape });
    }
    if (offset % bpe !== 0) throw new WeightsError('header', `tensor "${e.name}" offset (${offset}) must be a multiple of ${bpe}`, { name: e.name, offset, multipleOf: bpe });
    names.add(e.name);
    const stop = dataStart + offset + length * bpe;
    end = Math.max(end, stop);
    if (stop > bytes.length) {
      throw new WeightsError('truncated', `file is truncated: tensor "${e.name}" needs bytes up to ${stop}, file has ${bytes.length}`, { name: e.name, needed: stop, bytes: bytes.length });
    }
    const values = dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
    for (let i = 0, at = dataStart + offset; i < length; i++, at += bpe) {
      values[i] = dtype === 'float32' ? view.getFloat32(at, true) : view.getFloat64(at, true);
    }
    return { name: e.name, shape, values };
  });
  if (bytes.length !== Math.max(end, dataStart)) {
    throw new WeightsError('header', `file has ${bytes.length - Math.max(end, dataStart)} bytes past its last tensor`, { trailing: bytes.length - Math.max(end, dataStart), bytes: bytes.length, end: Math.max(end, dataStart) });
  }
  return { dtype, tensors };
}

/**
 * Loads weights (a file path or the bytes of one) into `model`. Everything is validated —
 * magic, header, truncation, dtype equal to the model's, exactly the model's parameter and
 * state names, each shape — before any value is written, so a failure leaves the model unchanged.
 */
export function loadWeights(model: Model, source: string | Uint8Array): void {
  let bytes: Uint8Array;
  if (typeof source === 'string') {
    try {
      bytes = platform.readFile(source);
    } catch (e) {
      throw new WeightsError('io', `cannot read "${source}": ${(e as Error).message}`, { path: source, error: (e as Error).message });
    }
  } else bytes = source;
  const decoded = decodeWeights(bytes);
  if (decoded.dtype !== model.dtype) {
    throw new WeightsError('dtype', `file dtype (${decoded.dtype}) must equal the model's (${model.dtype})`, { dtype: decoded.dtype, model: model.dtype });
  }
  const byName = new Map(decoded.tensors.map((t) => [t.name, t]));
  const owned = new Map([...model.params, ...model.state]);
  const missing = [...owned.keys()].filter((n) => !byName.has(n));
  const unexpected = [...byName.keys()].filter((n) => !owned.has(n));
  if (missing.length > 0 || unexpected.length > 0) {
    throw new WeightsError('names', "file must hold exactly the model's parameters and state", { missing, unexpected });
  }
  for (const p of owned.values()) {
    const t = byName.get(p.name)!;
    if (!shapesEqual(t.shape, p.shape)) {
      throw new WeightsError('shape', `tensor "${p.name}" has shape ${fmtShape(t.shape)}, the model's parameter ${fmtShape(p.shape)}`, { name: p.name, shape: t.shape, expected: p.shape });
    }
  }
  model.setWeights(Object.fromEntries(decoded.tensors.map((t) => [t.name, t.values])));
}

/** Writes the model's weights to `path`; returns the number of bytes written. */
export function saveWeights(model: Model, path: string): number {
  const bytes = encodeWeights(model);
  platform.writeFile(path, bytes);
  return bytes.length;
}
