import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataType, decodeModel, encodeModel, type ModelProto } from './onnx-proto.ts';
import { ProtobufError, Writer, decodeFloats, decodeInt, decodeInts, decodeString, readFields } from './protobuf.ts';

describe('protobuf wire format', () => {
  it('writes varints as protobuf does: 300 is ac 02, −1 as int64 is ten bytes', () => {
    expect([...new Writer().varint(300).finish()]).toEqual([0xac, 0x02]);
    expect([...new Writer().varint(0).finish()]).toEqual([0]);
    expect([...new Writer().varint(-1).finish()]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    // Field 1, wire type 0, value 150: the example of protobuf's encoding guide.
    expect([...new Writer().int(1, 150).finish()]).toEqual([0x08, 0x96, 0x01]);
    // Field 2, a string "testing".
    expect([...new Writer().string(2, 'testing').finish()]).toEqual([0x12, 0x07, ...new TextEncoder().encode('testing')]);
  });

  it('reads back what it writes: int64 (bigint and number), floats, strings, packed lists (fast-check, seed 14)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        fc.array(fc.float({ noNaN: true }), { maxLength: 6 }),
        fc.string(),
        fc.array(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), { maxLength: 6 }),
        (big, small, floats, s, ints) => {
          const bytes = new Writer().int(3, big).int(4, small).packedFloats(5, floats).string(6, s).packedInts(7, ints).finish();
          const fields = readFields(bytes, 'test');
          const by = (n: number) => fields.filter((f) => f.field === n);
          expect(decodeInt(by(3)[0]!, 'big')).toBe(big);
          expect(decodeInt(by(4)[0]!, 'small')).toBe(BigInt(small));
          expect(by(5).flatMap((f) => decodeFloats(f, 'floats'))).toEqual(floats.map((f) => Math.fround(f)));
          expect(decodeString(by(6)[0]!, 's')).toBe(s);
          expect(by(7).flatMap((f) => decodeInts(f, 'ints')).map(Number)).toEqual(ints);
        },
      ),
      { seed: 14, numRuns: 200 },
    );
  });

  it('a truncated message is a ProtobufError naming the message, not garbage', () => {
    const bytes = new Writer().string(1, 'hello').finish();
    expect(() => readFields(bytes.subarray(0, 4), 'NodeProto')).toThrow(ProtobufError);
    expect(() => readFields(bytes.subarray(0, 4), 'NodeProto')).toThrow('NodeProto: a field of 5 bytes must fit in the message');
    expect(() => readFields(Uint8Array.of(0x80), 'X')).toThrow('a varint must end before the message does');
    expect(() => readFields(Uint8Array.of(0x0b), 'X')).toThrow('wire type 3 (field 1) is not one protobuf 3 writes');
  });
});

describe('ONNX messages', () => {
  const model: ModelProto = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'graft',
    producerVersion: '0.2.0',
    docString: 'a test',
    graph: {
      name: 'g',
      nodes: [
        {
          opType: 'Conv',
          name: 'conv2d#2/Conv',
          inputs: ['x', 'w', ''],
          outputs: ['y'],
          attributes: {
            pads: { type: 'ints', value: [0, 1, 1, 0] },
            group: { type: 'int', value: 1 },
            alpha: { type: 'float', value: 0.5 },
            scales: { type: 'floats', value: [1.5, -2] },
            mode: { type: 'string', value: 'constant' },
            names: { type: 'strings', value: ['a', 'b'] },
            value: { type: 'tensor', value: { name: 't', dims: [2], dataType: DataType.INT64, data: BigInt64Array.of(-(2n ** 63n), 7n) } },
          },
        },
      ],
      initializers: [
        { name: 'w', dims: [2, 1, 1, 1], dataType: DataType.FLOAT, data: Float32Array.of(0.25, -3) },
        { name: 'd', dims: [], dataType: DataType.DOUBLE, data: Float64Array.of(Math.PI) },
      ],
      inputs: [{ name: 'x', elemType: DataType.FLOAT, dims: ['N', 1, 3, 3] }],
      outputs: [{ name: 'y', elemType: DataType.FLOAT, dims: [1, 2, 3, 3] }],
    },
  };

  it('decodeModel(encodeModel(m)) is m: every attribute type, int64 extremes, FLOAT and DOUBLE raw data, symbolic dims', () => {
    const back = decodeModel(encodeModel(model));
    expect(back).toEqual({ ...model, graph: { ...model.graph, nodes: [{ ...model.graph.nodes[0]!, domain: '' }] } });
  });

  it('reads tensors stored as float_data / int64_data (as other exporters write them)', () => {
    const tensor = new Writer().packedInts(1, [3]).int(2, DataType.FLOAT).string(8, 'f').packedFloats(4, [1, 2, 3]);
    const ints = new Writer().packedInts(1, [2]).int(2, DataType.INT64).string(8, 'i').packedInts(7, [-5, 9]);
    const graph = new Writer().message(5, tensor).message(5, ints).string(2, 'g');
    const bytes = new Writer().int(1, 7).message(7, graph).message(8, new Writer().int(2, 13)).finish();
    const m = decodeModel(bytes);
    expect(m.graph.initializers.map((t) => [t.name, Array.from(t.data as ArrayLike<number | bigint>)])).toEqual([
      ['f', [1, 2, 3]],
      ['i', [-5n, 9n]],
    ]);
    expect(m.opsetImports).toEqual([{ domain: '', version: 13 }]);
  });

  it('a tensor whose raw_data does not hold dims elements is a ProtobufError naming it', () => {
    const tensor = new Writer().packedInts(1, [4]).int(2, DataType.FLOAT).string(8, 'short').bytes(9, new Uint8Array(12));
    const bytes = new Writer().message(7, new Writer().message(5, tensor)).finish();
    expect(() => decodeModel(bytes)).toThrow('tensor "short": raw_data must hold 4 elements of 4 bytes (dims [4]), got 12 bytes');
    expect(() => decodeModel(new Writer().int(1, 8).finish())).toThrow('a ModelProto must contain a graph (field 7)');
  });
});
