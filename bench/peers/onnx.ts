/**
 * Just enough of the ONNX protobuf format to write a one-node model (a `Conv` or a
 * `ConvTranspose`), so the bench needs no ONNX tooling. Field numbers are from onnx.proto
 * (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto).
 */

class Writer {
  readonly bytes: number[] = [];
  varint(v: number): this {
    let n = BigInt(v);
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n > 0n) b |= 0x80;
      this.bytes.push(b);
    } while (n > 0n);
    return this;
  }
  key(field: number, wire: 0 | 2): this {
    return this.varint((field << 3) | wire);
  }
  int(field: number, v: number): this {
    return this.key(field, 0).varint(v);
  }
  raw(field: number, data: Uint8Array | readonly number[]): this {
    this.key(field, 2).varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }
  string(field: number, s: string): this {
    return this.raw(field, new TextEncoder().encode(s));
  }
  message(field: number, m: Writer): this {
    return this.raw(field, m.bytes);
  }
}

const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR_INTS = 7; // AttributeProto.AttributeType.INTS

function valueInfo(name: string, dims: readonly number[]): Writer {
  const shape = new Writer();
  for (const d of dims) shape.message(1, new Writer().int(1, d)); // TensorShapeProto.dim.dim_value
  const tensorType = new Writer().int(1, FLOAT).message(2, shape); // TypeProto.Tensor
  return new Writer().string(1, name).message(2, new Writer().message(1, tensorType));
}

function initializer(name: string, dims: readonly number[], data: Float32Array): Writer {
  const t = new Writer();
  for (const d of dims) t.int(1, d);
  t.int(2, FLOAT).string(8, name);
  return t.raw(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)); // little-endian raw_data
}

export interface OneNodeModel {
  readonly op: 'Conv' | 'ConvTranspose';
  /** The fed input `X`, NCHW. */
  readonly input: readonly number[];
  /** The weight `W`, stored in the model as an initializer (OIHW for Conv and for ConvTranspose). */
  readonly weight: { readonly dims: readonly number[]; readonly data: Float32Array };
  readonly output: readonly number[];
  readonly attrs: Readonly<Record<string, readonly number[]>>;
}

/** A serialised ModelProto (IR version 8, opset 13) with one node `Y = op(X, W)`. */
export function oneNodeModel(m: OneNodeModel): Uint8Array {
  const node = new Writer().string(1, 'X').string(1, 'W').string(2, 'Y').string(3, 'node').string(4, m.op);
  for (const [name, ints] of Object.entries(m.attrs)) {
    const a = new Writer().string(1, name).int(20, ATTR_INTS);
    for (const i of ints) a.int(8, i);
    node.message(5, a);
  }
  const graph = new Writer()
    .message(1, node)
    .string(2, 'bench')
    .message(5, initializer('W', m.weight.dims, m.weight.data))
    .message(11, valueInfo('X', m.input))
    .message(12, valueInfo('Y', m.output));
  const model = new Writer()
    .int(1, 8) // ir_version
    .string(2, 'graft-bench')
    .message(7, graph)
    .message(8, new Writer().string(1, '').int(2, 13)); // opset_import
  return Uint8Array.from(model.bytes);
}
