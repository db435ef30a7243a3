/**
 * The part of ONNX's protobuf schema (onnx.proto) that graft reads and writes, as plain
 * objects, with `encodeModel` / `decodeModel` between them and the wire format. Field numbers
 * are onnx.proto's:
 *
 *     ModelProto         ir_version 1, producer_name 2, producer_version 3, domain 4,
 *                        model_version 5, doc_string 6, graph 7, opset_import 8
 *     OperatorSetIdProto domain 1, version 2
 *     GraphProto         node 1, name 2, initializer 5, doc_string 10, input 11, output 12,
 *                        value_info 13
 *     NodeProto          input 1, output 2, name 3, op_type 4, attribute 5, doc_string 6, domain 7
 *     AttributeProto     name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, strings 9, type 20
 *     TensorProto        dims 1, data_type 2, float_data 4, int32_data 5, int64_data 7, name 8,
 *                        raw_data 9, double_data 10, external_data 13, data_location 14
 *     ValueInfoProto     name 1, type 2;  TypeProto tensor_type 1;  TypeProto.Tensor elem_type 1,
 *                        shape 2;  TensorShapeProto dim 1;  Dimension dim_value 1, dim_param 2
 */
import {
  ProtobufError,
  Writer,
  decodeBytes,
  decodeDoubles,
  decodeFloat,
  decodeFloats,
  decodeInt,
  decodeInts,
  decodeString,
  readFields,
  type Field,
} from './protobuf.ts';

/** TensorProto.DataType values graft uses. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;
export type DataTypeName = keyof typeof DataType;

/** AttributeProto.AttributeType values. */
const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9, GRAPHS: 10 } as const;

/** A tensor's elements, by element type. */
export type TensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/** A TensorProto with its data decoded (initializers, `Constant` values). */
export interface Tensor {
  readonly name: string;
  readonly dims: readonly number[];
  /** A TensorProto.DataType value. */
  readonly dataType: number;
  readonly data: TensorData;
}

export type AttributeValue =
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'strings'; readonly value: readonly string[] }
  | { readonly type: 'tensor'; readonly value: Tensor }
  /** Graph-valued and other attributes graft does not interpret (read, kept by type code). */
  | { readonly type: 'other'; readonly code: number };

export interface NodeProto {
  readonly opType: string;
  /** '' (or absent) is the default ONNX domain. */
  readonly domain?: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

/** A graph input or output: name, element type and shape (a string for a symbolic size). */
export interface ValueInfo {
  readonly name: string;
  readonly elemType: number;
  /** undefined: the shape is not given. */
  readonly dims: readonly (number | string)[] | undefined;
}

export interface GraphProto {
  readonly name: string;
  readonly nodes: readonly NodeProto[];
  readonly initializers: readonly Tensor[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly docString?: string;
}

export interface OpsetImport {
  readonly domain: string;
  readonly version: number;
}

export interface ModelProto {
  readonly irVersion: number;
  readonly opsetImports: readonly OpsetImport[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString?: string;
  readonly graph: GraphProto;
}

// ── encoding ──────────────────────────────────────────────────────────────────

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A typed array's elements as little-endian bytes (raw_data's byte order). */
export function rawBytes(data: TensorData): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (littleEndian || data.BYTES_PER_ELEMENT === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  const k = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += k) for (let j = 0; j < k; j++) out[i + j] = bytes[i + k - 1 - j]!;
  return out;
}

function encodeTensor(t: Tensor): Writer {
  const w = new Writer();
  w.packedInts(1, t.dims);
  w.int(2, t.dataType);
  if (t.name !== '') w.string(8, t.name);
  return w.bytes(9, rawBytes(t.data));
}

function encodeAttribute(name: string, a: AttributeValue): Writer {
  const w = new Writer().string(1, name);
  switch (a.type) {
    case 'int':
      return w.int(3, a.value).int(20, AttributeType.INT);
    case 'ints':
      return w.packedInts(8, a.value).int(20, AttributeType.INTS);
    case 'float':
      return w.float(2, a.value).int(20, AttributeType.FLOAT);
    case 'floats':
      return w.packedFloats(7, a.value).int(20, AttributeType.FLOATS);
    case 'string':
      return w.string(4, a.value).int(20, AttributeType.STRING);
    case 'strings':
      for (const s of a.value) w.string(9, s);
      return w.int(20, AttributeType.STRINGS);
    case 'tensor':
      return w.message(5, encodeTensor(a.value)).int(20, AttributeType.TENSOR);
    case 'other':
      throw new ProtobufError('encodeModel', `attribute "${name}" has a type graft cannot write`, { type: a.code });
  }
}

function encodeNode(n: NodeProto): Writer {
  const w = new Writer();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name !== '') w.string(3, n.name);
  w.string(4, n.opType);
  for (const [name, a] of Object.entries(n.attributes)) w.message(5, encodeAttribute(name, a));
  if (n.domain !== undefined && n.domain !== '') w.string(7, n.domain);
  return w;
}

function encodeValueInfo(v: ValueInfo): Writer {
  const tensorType = new Writer().int(1, v.elemType);
  if (v.dims !== undefined) {
    const shape = new Writer();
    for (const d of v.dims) shape.message(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().string(2, d));
    tensorType.message(2, shape);
  }
  return new Writer().string(1, v.name).message(2, new Writer().message(1, tensorType));
}

function encodeGraph(g: GraphProto): Writer {
  const w = new Writer();
  for (const n of g.nodes) w.message(1, encodeNode(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, encodeTensor(t));
  if (g.docString !== undefined) w.string(10, g.docString);
  for (const v of g.inputs) w.message(11, encodeValueInfo(v));
  for (const v of g.outputs) w.message(12, encodeValueInfo(v));
  return w;
}

/** Serialises a model (tensors as little-endian raw_data). */
export function encodeModel(m: ModelProto): Uint8Array {
  const w = new Writer().int(1, m.irVersion).string(2, m.producerName).string(3, m.producerVersion);
  if (m.docString !== undefined) w.string(6, m.docString);
  w.message(7, encodeGraph(m.graph));
  for (const o of m.opsetImports) {
    const op = new Writer();
    if (o.domain !== '') op.string(1, o.domain);
    w.message(8, op.int(2, o.version));
  }
  return w.finish();
}

// ── decoding ──────────────────────────────────────────────────────────────────

/** An int64 that must be a safe JavaScript integer. */
function safe(v: bigint, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new ProtobufError('decodeModel', `${what} must be a safe integer`, { value: v.toString() });
  return n;
}

const elementBytes: Readonly<Record<number, number>> = {
  [DataType.FLOAT]: 4,
  [DataType.DOUBLE]: 8,
  [DataType.INT64]: 8,
  [DataType.INT32]: 4,
  [DataType.UINT8]: 1,
  [DataType.INT8]: 1,
  [DataType.BOOL]: 1,
};

function emptyOf(dataType: number, n: number): TensorData {
  switch (dataType) {
    case DataType.FLOAT:
      return new Float32Array(n);
    case DataType.DOUBLE:
      return new Float64Array(n);
    case DataType.INT64:
      return new BigInt64Array(n);
    case DataType.INT32:
      return new Int32Array(n);
    default:
      return new Uint8Array(n);
  }
}

function decodeTensor(bytes: Uint8Array, where: string): Tensor {
  let name = '';
  const dims: number[] = [];
  let dataType = 0;
  let raw: Uint8Array | undefined;
  const floats: number[] = [];
  const doubles: number[] = [];
  const ints: bigint[] = [];
  let external = false;
  for (const f of readFields(bytes, `${where} TensorProto`)) {
    const what = `${where} TensorProto field ${f.field}`;
    if (f.field === 1) dims.push(...decodeInts(f, what).map((d) => safe(d, `${where} dims`)));
    else if (f.field === 2) dataType = safe(decodeInt(f, what), `${where} data_type`);
    else if (f.field === 4) floats.push(...decodeFloats(f, what));
    else if (f.field === 5 || f.field === 7) ints.push(...decodeInts(f, what));
    else if (f.field === 8) name = decodeString(f, what);
    else if (f.field === 9) raw = decodeBytes(f, what);
    else if (f.field === 10) doubles.push(...decodeDoubles(f, what));
    else if (f.field === 13) external = true;
    else if (f.field === 14) external ||= decodeInt(f, what) === 1n;
  }
  const label = `${where} tensor "${name}"`;
  if (external) throw new ProtobufError('decodeModel', `${label}: data stored outside the model (external_data) cannot be read from bytes`, { tensor: name });
  const width = elementBytes[dataType];
  if (width === undefined) throw new ProtobufError('decodeModel', `${label}: data_type ${dataType} is not one graft reads (FLOAT, DOUBLE, INT64, INT32, UINT8, INT8, BOOL)`, { tensor: name, dataType });
  const n = dims.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(n) || n < 0) throw new ProtobufError('decodeModel', `${label}: dims [${dims.join(',')}] must have a non-negative, safe element count`, { tensor: name, dims, elements: n });
  // The stored data must hold n elements before n elements are allocated (dims can lie).
  if (raw !== undefined && raw.length !== n * width) {
    throw new ProtobufError('decodeModel', `${label}: raw_data must hold ${n} elements of ${width} bytes (dims [${dims.join(',')}]), got ${raw.length} bytes`, {
      tensor: name,
      elements: n,
      width,
      dims,
      bytes: raw.length,
    });
  }
  const listed = dataType === DataType.FLOAT ? floats : dataType === DataType.DOUBLE ? doubles : ints;
  if (raw === undefined && listed.length !== n) {
    throw new ProtobufError('decodeModel', `${label}: must hold ${n} elements (dims [${dims.join(',')}]), got ${listed.length}`, { tensor: name, elements: n, dims, values: listed.length });
  }
  const data = emptyOf(dataType, n);
  if (raw !== undefined) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
    for (let i = 0; i < n; i++) {
      if (data instanceof Float32Array) data[i] = view.getFloat32(i * 4, true);
      else if (data instanceof Float64Array) data[i] = view.getFloat64(i * 8, true);
      else if (data instanceof BigInt64Array) data[i] = view.getBigInt64(i * 8, true);
      else if (data instanceof Int32Array) data[i] = view.getInt32(i * 4, true);
      else data[i] = raw[i]!;
    }
  } else {
    const values: readonly (number | bigint)[] = data instanceof Float32Array ? floats : data instanceof Float64Array ? doubles : ints;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (data instanceof BigInt64Array) data[i] = BigInt(v);
      else data[i] = Number(v);
    }
  }
  return { name, dims, dataType, data };
}

function decodeAttribute(bytes: Uint8Array, where: string): [string, AttributeValue] {
  let name = '';
  let type = 0;
  const byField = new Map<number, Field[]>();
  for (const f of readFields(bytes, `${where} AttributeProto`)) {
    if (f.field === 1) name = decodeString(f, `${where} attribute name`);
    else if (f.field === 20) type = safe(decodeInt(f, `${where} attribute type`), 'attribute type');
    else byField.set(f.field, [...(byField.get(f.field) ?? []), f]);
  }
  const what = `${where} attribute "${name}"`;
  const all = (field: number) => byField.get(field) ?? [];
  const one = (field: number) => all(field).at(-1);
  switch (type) {
    case AttributeType.INT:
      return [name, { type: 'int', value: safe(one(3) === undefined ? 0n : decodeInt(one(3)!, what), what) }];
    case AttributeType.INTS:
      return [name, { type: 'ints', value: all(8).flatMap((f) => decodeInts(f, what)).map((v) => safe(v, what)) }];
    case AttributeType.FLOAT:
      return [name, { type: 'float', value: one(2) === undefined ? 0 : decodeFloat(one(2)!, what) }];
    case AttributeType.FLOATS:
      return [name, { type: 'floats', value: all(7).flatMap((f) => decodeFloats(f, what)) }];
    case AttributeType.STRING:
      return [name, { type: 'string', value: one(4) === undefined ? '' : decodeString(one(4)!, what) }];
    case AttributeType.STRINGS:
      return [name, { type: 'strings', value: all(9).map((f) => decodeString(f, what)) }];
    case AttributeType.TENSOR:
      if (one(5) === undefined) throw new ProtobufError('decodeModel', `${what}: a TENSOR attribute must hold a tensor`, { attribute: what });
      return [name, { type: 'tensor', value: decodeTensor(decodeBytes(one(5)!, what), what) }];
    default:
      return [name, { type: 'other', code: type }];
  }
}

function decodeNode(bytes: Uint8Array, index: number): NodeProto {
  const where = `node ${index}`;
  const inputs: string[] = [];
  const outputs: string[] = [];
  let name = '';
  let opType = '';
  let domain = '';
  const attributes: Record<string, AttributeValue> = {};
  for (const f of readFields(bytes, `${where} NodeProto`)) {
    if (f.field === 1) inputs.push(decodeString(f, where));
    else if (f.field === 2) outputs.push(decodeString(f, where));
    else if (f.field === 3) name = decodeString(f, where);
    else if (f.field === 4) opType = decodeString(f, where);
    else if (f.field === 5) {
      const [k, v] = decodeAttribute(decodeBytes(f, where), `${where} (${opType || 'op'})`);
      attributes[k] = v;
    } else if (f.field === 7) domain = decodeString(f, where);
  }
  return { opType, domain, name, inputs, outputs, attributes };
}

function decodeValueInfo(bytes: Uint8Array, where: string): ValueInfo {
  let name = '';
  let elemType = 0;
  let dims: (number | string)[] | undefined;
  for (const f of readFields(bytes, where)) {
    if (f.field === 1) name = decodeString(f, where);
    else if (f.field === 2) {
      for (const t of readFields(decodeBytes(f, where), `${where} TypeProto`)) {
        if (t.field !== 1) continue; // sequence, map and optional types: elemType stays 0
        for (const tt of readFields(decodeBytes(t, where), `${where} TypeProto.Tensor`)) {
          if (tt.field === 1) elemType = safe(decodeInt(tt, where), 'elem_type');
          else if (tt.field === 2) {
            dims = [];
            for (const d of readFields(decodeBytes(tt, where), `${where} TensorShapeProto`)) {
              if (d.field !== 1) continue;
              let dim: number | string = '?';
              for (const dd of readFields(decodeBytes(d, where), `${where} Dimension`)) {
                if (dd.field === 1) dim = safe(decodeInt(dd, where), 'dim_value');
                else if (dd.field === 2) dim = decodeString(dd, where);
              }
              dims.push(dim);
            }
          }
        }
      }
    }
  }
  return { name, elemType, dims };
}

function decodeGraph(bytes: Uint8Array): GraphProto {
  let name = '';
  let docString: string | undefined;
  const nodes: NodeProto[] = [];
  const initializers: Tensor[] = [];
  const inputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];
  for (const f of readFields(bytes, 'GraphProto')) {
    if (f.field === 1) nodes.push(decodeNode(decodeBytes(f, 'GraphProto node'), nodes.length));
    else if (f.field === 2) name = decodeString(f, 'GraphProto name');
    else if (f.field === 5) initializers.push(decodeTensor(decodeBytes(f, 'GraphProto initializer'), `initializer ${initializers.length}`));
    else if (f.field === 10) docString = decodeString(f, 'GraphProto doc_string');
    else if (f.field === 11) inputs.push(decodeValueInfo(decodeBytes(f, 'GraphProto input'), `input ${inputs.length}`));
    else if (f.field === 12) outputs.push(decodeValueInfo(decodeBytes(f, 'GraphProto output'), `output ${outputs.length}`));
  }
  return { name, nodes, initializers, inputs, outputs, ...(docString === undefined ? {} : { docString }) };
}

/** Parses a serialised ModelProto. Throws ProtobufError for bytes that are not one. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  let irVersion = 0;
  let producerName = '';
  let producerVersion = '';
  let docString: string | undefined;
  let graph: GraphProto | undefined;
  const opsetImports: OpsetImport[] = [];
  for (const f of readFields(bytes, 'ModelProto')) {
    if (f.field === 1) irVersion = safe(decodeInt(f, 'ir_version'), 'ir_version');
    else if (f.field === 2) producerName = decodeString(f, 'producer_name');
    else if (f.field === 3) producerVersion = decodeString(f, 'producer_version');
    else if (f.field === 6) docString = decodeString(f, 'doc_string');
    else if (f.field === 7) graph = decodeGraph(decodeBytes(f, 'graph'));
    else if (f.field === 8) {
      let domain = '';
      let version = 0;
      for (const o of readFields(decodeBytes(f, 'opset_import'), 'OperatorSetIdProto')) {
        if (o.field === 1) domain = decodeString(o, 'opset domain');
        else if (o.field === 2) version = safe(decodeInt(o, 'opset version'), 'opset version');
      }
      opsetImports.push({ domain, version });
    }
  }
  if (graph === undefined) throw new ProtobufError('decodeModel', 'a ModelProto must contain a graph (field 7)', { bytes: bytes.length });
  return { irVersion, opsetImports, producerName, producerVersion, graph, ...(docString === undefined ? {} : { docString }) };
}
