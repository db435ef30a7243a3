/**
 * The protobuf wire format, as much of it as ONNX uses: varints (int32/int64/enum/bool), 32-bit
 * and 64-bit fixed values (float/double), and length-delimited fields (strings, bytes, nested
 * messages, packed repeated scalars). Wire types: 0 varint, 1 fixed64, 2 length-delimited,
 * 5 fixed32.
 */
import { GraftError } from '@graft/ir';

/** A protobuf message that cannot be decoded: truncated, or a wire type that does not fit. */
export class ProtobufError extends GraftError {}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Appends fields to a growing buffer. A nested message is written to its own Writer first. */
export class Writer {
  #buf = new Uint8Array(256);
  #len = 0;

  get length(): number {
    return this.#len;
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  #byte(b: number): void {
    this.#reserve(1);
    this.#buf[this.#len++] = b;
  }

  /**
   * An unsigned varint: 7 bits a byte, low bits first, high bit set on all but the last. A
   * negative int64 is its 64-bit two's complement (ten bytes), as protobuf's int64 requires.
   */
  varint(v: number | bigint): this {
    let n = typeof v === 'bigint' ? BigInt.asUintN(64, v) : v;
    if (typeof n === 'number') {
      if (!Number.isSafeInteger(n)) throw new ProtobufError('protobuf', 'an integer field must be a safe integer', { value: v });
      if (n < 0) n = BigInt.asUintN(64, BigInt(n));
    }
    if (typeof n === 'number') {
      while (n > 0x7f) {
        this.#byte((n % 0x80) | 0x80);
        n = Math.floor(n / 0x80);
      }
      this.#byte(n);
      return this;
    }
    while (n > 0x7fn) {
      this.#byte(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.#byte(Number(n));
    return this;
  }

  /** A field key: `(field << 3) | wireType`. */
  key(field: number, wireType: 0 | 1 | 2 | 5): this {
    return this.varint(field * 8 + wireType);
  }

  /** An int32/int64/enum/bool field (wire type 0). */
  int(field: number, v: number | bigint): this {
    return this.key(field, 0).varint(v);
  }

  /** A float field (wire type 5, little-endian IEEE 754 single). */
  float(field: number, v: number): this {
    this.key(field, 5);
    this.#reserve(4);
    new DataView(this.#buf.buffer).setFloat32(this.#len, v, true);
    this.#len += 4;
    return this;
  }

  /** A bytes field (wire type 2). */
  bytes(field: number, data: Uint8Array): this {
    this.key(field, 2).varint(data.length);
    this.#reserve(data.length);
    this.#buf.set(data, this.#len);
    this.#len += data.length;
    return this;
  }

  /** A UTF-8 string field. */
  string(field: number, s: string): this {
    return this.bytes(field, textEncoder.encode(s));
  }

  /** A nested message field. */
  message(field: number, m: Writer): this {
    return this.bytes(field, m.finish());
  }

  /** A packed repeated varint field (one length-delimited run); nothing for an empty list. */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    if (values.length === 0) return this;
    const inner = new Writer();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  /** A packed repeated float field; nothing for an empty list. */
  packedFloats(field: number, values: readonly number[]): this {
    if (values.length === 0) return this;
    const data = new Uint8Array(values.length * 4);
    const view = new DataView(data.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.bytes(field, data);
  }
}

/** One field read from a message: its number, wire type and value. */
export type Field =
  | { readonly field: number; readonly wireType: 0; readonly value: bigint }
  | { readonly field: number; readonly wireType: 1; readonly value: Uint8Array }
  | { readonly field: number; readonly wireType: 2; readonly value: Uint8Array }
  | { readonly field: number; readonly wireType: 5; readonly value: Uint8Array };

/** Reads the fields of one message in order. */
export function readFields(bytes: Uint8Array, what: string): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  const fail = (rule: string): never => {
    throw new ProtobufError('protobuf', `${what}: ${rule}`, { offset: pos, length: bytes.length });
  };
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= bytes.length) fail('a varint must end before the message does');
      const b = bytes[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) fail('a varint must have at most 10 bytes');
    }
  };
  const take = (n: number): Uint8Array => {
    if (pos + n > bytes.length) fail(`a field of ${n} bytes must fit in the message`);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  while (pos < bytes.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (field === 0) fail('field numbers must be positive');
    if (wireType === 0) fields.push({ field, wireType, value: varint() });
    else if (wireType === 1) fields.push({ field, wireType, value: take(8) });
    else if (wireType === 2) fields.push({ field, wireType, value: take(Number(varint())) });
    else if (wireType === 5) fields.push({ field, wireType, value: take(4) });
    else fail(`wire type ${wireType} (field ${field}) is not one protobuf 3 writes`);
  }
  return fields;
}

/** The UTF-8 text of a length-delimited field. */
export function decodeString(f: Field, what: string): string {
  if (f.wireType !== 2) throw new ProtobufError('protobuf', `${what}: field ${f.field} must be length-delimited`, { field: f.field, wireType: f.wireType });
  return textDecoder.decode(f.value);
}

/** The bytes of a length-delimited field. */
export function decodeBytes(f: Field, what: string): Uint8Array {
  if (f.wireType !== 2) throw new ProtobufError('protobuf', `${what}: field ${f.field} must be length-delimited`, { field: f.field, wireType: f.wireType });
  return f.value;
}

/** A varint field as a signed 64-bit integer. */
export function decodeInt(f: Field, what: string): bigint {
  if (f.wireType !== 0) throw new ProtobufError('protobuf', `${what}: field ${f.field} must be a varint`, { field: f.field, wireType: f.wireType });
  return BigInt.asIntN(64, f.value);
}

/** A float field (fixed32). */
export function decodeFloat(f: Field, what: string): number {
  if (f.wireType !== 5) throw new ProtobufError('protobuf', `${what}: field ${f.field} must be a 32-bit float`, { field: f.field, wireType: f.wireType });
  return new DataView(f.value.buffer, f.value.byteOffset, 4).getFloat32(0, true);
}

/** A repeated varint field, packed (one run) or not (one field per value). */
export function decodeInts(f: Field, what: string): bigint[] {
  if (f.wireType === 0) return [BigInt.asIntN(64, f.value)];
  const out: bigint[] = [];
  for (const inner of readPacked(f, what)) out.push(BigInt.asIntN(64, inner));
  return out;
}

function readPacked(f: Field, what: string): bigint[] {
  const bytes = decodeBytes(f, what);
  const out: bigint[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= bytes.length) throw new ProtobufError('protobuf', `${what}: a packed varint must end inside its field`, { bytes: bytes.length });
      const b = bytes[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
    }
    out.push(result);
  }
  return out;
}

/** A repeated float field, packed or not. */
export function decodeFloats(f: Field, what: string): number[] {
  if (f.wireType === 5) return [decodeFloat(f, what)];
  const bytes = decodeBytes(f, what);
  if (bytes.length % 4 !== 0) throw new ProtobufError('protobuf', `${what}: packed floats must be a multiple of 4 bytes`, { bytes: bytes.length });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

/** A repeated double field, packed or not. */
export function decodeDoubles(f: Field, what: string): number[] {
  const bytes = f.wireType === 1 ? f.value : decodeBytes(f, what);
  if (bytes.length % 8 !== 0) throw new ProtobufError('protobuf', `${what}: packed doubles must be a multiple of 8 bytes`, { bytes: bytes.length });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  return Array.from({ length: bytes.length / 8 }, (_, i) => view.getFloat64(i * 8, true));
}
