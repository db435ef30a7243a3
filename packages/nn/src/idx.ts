import { GraftError } from '@graft/ir';
import { platform } from '#platform';

/*
 * The IDX format of the MNIST files (and of Fashion-MNIST, which copies it):
 *
 *     bytes 0–1   0x00 0x00
 *     byte  2     element type: 0x08 ubyte, 0x09 sbyte, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64
 *     byte  3     number of dimensions d
 *     then d big-endian uint32 sizes, then the elements, big-endian, row-major
 *
 * A file may be gzip-compressed (`.gz`, magic 0x1f 0x8b), as the Fashion-MNIST files are.
 */

/** Why an IDX file was refused. */
export type IdxErrorReason = 'magic' | 'type' | 'dims' | 'truncated' | 'trailing' | 'gzip' | 'io' | 'count' | 'missing';

/** An IDX or dataset file that cannot be read as what it should be; names the file and what is wrong. */
export class DatasetError extends GraftError {
  constructor(
    readonly reason: IdxErrorReason,
    readonly file: string,
    rule: string,
    values: Record<string, unknown>,
  ) {
    super('dataset', `${file}: ${rule}`, { file, ...values });
  }
}

/** The element types IDX declares, by type byte: name and size in bytes. */
const TYPES: Readonly<Record<number, { readonly name: IdxType; readonly bytes: number }>> = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
};
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** A decoded IDX tensor. */
export interface IdxTensor {
  readonly type: IdxType;
  readonly shape: readonly number[];
  /** The elements in row-major order (big-endian decoded). */
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** The most elements one IDX tensor may declare (2³¹ − 1: beyond any dataset graft reads). */
const MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * Decodes IDX bytes (gzip-compressed or not). `file` names the source in errors. Every header
 * field is checked against the bytes that follow: a wrong magic, an unknown type, a zero or
 * overflowing dimension, fewer bytes than the dimensions need (truncated) or more (trailing
 * bytes), and a corrupted gzip stream each get a `DatasetError` naming the file and the values.
 */
export function parseIdx(input: Uint8Array, file = 'IDX data'): IdxTensor {
  let bytes = input;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = platform.gunzip(bytes);
    } catch (e) {
      if (e instanceof GraftError) throw e;
      throw new DatasetError('gzip', file, `the gzip stream must be intact: ${(e as Error).message}`, { bytes: input.length });
    }
  }
  if (bytes.length < 4) throw new DatasetError('truncated', file, 'an IDX file must have a 4-byte header', { bytes: bytes.length, headerBytes: 4 });
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DatasetError('magic', file, 'an IDX file must start with two zero bytes', { magic: [bytes[0], bytes[1], bytes[2], bytes[3]] });
  }
  const type = TYPES[bytes[2]!];
  if (type === undefined) {
    throw new DatasetError('type', file, 'the element type byte must be 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e', { typeByte: bytes[2] });
  }
  const rank = bytes[3]!;
  if (rank < 1) throw new DatasetError('dims', file, 'an IDX file must declare at least one dimension', { rank });
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new DatasetError('truncated', file, `the header must hold ${rank} dimension sizes (${headerBytes} bytes)`, { bytes: bytes.length, rank, headerBytes });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < rank; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    shape.push(size);
    count *= size;
  }
  if (shape.some((s) => s === 0) || count > MAX_ELEMENTS) {
    throw new DatasetError('dims', file, `dimension sizes must be positive with at most ${MAX_ELEMENTS} elements in all`, { shape, elements: count, limit: MAX_ELEMENTS });
  }
  const expected = headerBytes + count * type.bytes;
  if (bytes.length < expected) {
    throw new DatasetError('truncated', file, `the dimensions [${shape.join(',')}] need ${expected} bytes`, { bytes: bytes.length, expected, shape });
  }
  if (bytes.length > expected) {
    throw new DatasetError('trailing', file, `the dimensions [${shape.join(',')}] need exactly ${expected} bytes`, { bytes: bytes.length, expected, shape });
  }
  return { type: type.name, shape, data: decodeElements(view, headerBytes, count, type.name) };
}

function decodeElements(view: DataView, at: number, count: number, type: IdxType): IdxTensor['data'] {
  switch (type) {
    case 'uint8':
      return new Uint8Array(view.buffer, view.byteOffset + at, count).slice();
    case 'int8':
      return new Int8Array(view.buffer, view.byteOffset + at, count).slice();
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(at + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(at + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(at + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(at + 8 * i, false);
      return out;
    }
  }
}

/** Reads and decodes an IDX file (Node; gzip when the bytes say so). */
export function readIdx(path: string): IdxTensor {
  let bytes: Uint8Array;
  try {
    bytes = platform.readFile(path);
  } catch (e) {
    if (e instanceof GraftError) throw e;
    throw new DatasetError('io', path, `the file must be readable: ${(e as Error).message}`, { error: (e as Error).message });
  }
  return parseIdx(bytes, path);
}
