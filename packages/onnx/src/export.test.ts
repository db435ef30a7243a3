import { AttrError, FeedError, Graph, GraftError, opNames, type Node } from '@graft/ir';
import { describe, expect, it } from 'vitest';
import { OnnxExportError } from './errors.ts';
import { exportOnnx, exportOnnxModel } from './export.ts';
import { exportRules } from './export-rules.ts';
import { decodeModel, type AttributeValue, type NodeProto } from './onnx-proto.ts';

const ints = (n: NodeProto, k: string) => (n.attributes[k] as Extract<AttributeValue, { type: 'ints' }>).value;
const int = (n: NodeProto, k: string) => (n.attributes[k] as Extract<AttributeValue, { type: 'int' }>).value;
const ops = (m: ReturnType<typeof exportOnnxModel>) => m.graph.nodes.map((n) => n.opType);

describe('exportOnnx mapping', () => {
  it('has an entry for every graft op but input and constant', () => {
    expect(Object.keys(exportRules).sort()).toEqual(opNames.filter((o) => o !== 'input' && o !== 'constant').sort());
  });

  it('x=[1,7,7,2] w=[4,4,2,3] s=2 p=same: Conv with SAME as explicit asymmetric pads [1,1,2,2] and the filter stored OIHW', () => {
    const g = new Graph();
    const x = g.input('x', [1, 7, 7, 2]);
    const w = g.input('w', [4, 4, 2, 3]);
    const y = g.conv2d(x, w, { strides: 2, padding: 'SAME' });
    const wv = Float32Array.from({ length: 96 }, (_, i) => i);
    const m = exportOnnxModel({ y }, { feeds: { w: wv } });
    expect(ops(m)).toEqual(['Transpose', 'Conv', 'Transpose']);
    const conv = m.graph.nodes[1]!;
    // TF SAME: out 4, total (4−1)·2 + 4 − 7 = 3, top/left 1, bottom/right 2; ONNX lists begins then ends.
    expect(ints(conv, 'pads')).toEqual([1, 1, 2, 2]);
    expect(ints(conv, 'strides')).toEqual([2, 2]);
    expect(ints(conv, 'kernel_shape')).toEqual([4, 4]);
    const filter = m.graph.initializers.find((t) => t.name === conv.inputs[1])!;
    expect(filter.dims).toEqual([3, 2, 4, 4]);
    // OIHW [o, i, a, b] holds HWIO [a, b, i, o]: w[1, 2, 1, 0] = ((1·4 + 2)·2 + 1)·3 = 39 at [0, 1, 1, 2].
    expect(filter.data[((0 * 2 + 1) * 4 + 1) * 4 + 2]).toBe(39);
    expect(m.graph.inputs.map((v) => [v.name, v.dims])).toEqual([['x', [1, 7, 7, 2]]]);
    expect(m.graph.outputs.map((v) => [v.name, v.dims])).toEqual([['y', [1, 4, 4, 3]]]);
  });

  it('v=[1,4,4,3] → [1,8,8,2] and [1,7,7,2], s=2 p=same: ConvTranspose with output_padding = unread rows', () => {
    for (const [h, pads, outputPadding] of [
      [8, [0, 0, 1, 1], [0, 0]],
      [7, [1, 1, 1, 1], [0, 0]],
    ] as const) {
      const g = new Graph();
      const v = g.input('v', [1, 4, 4, 3]);
      const w = g.input('w', [3, 3, 2, 3]);
      const y = g.conv2dTranspose(v, w, { strides: 2, padding: 'SAME', outputShape: [1, h, h, 2] });
      const t = exportOnnxModel({ y }).graph.nodes.find((n) => n.opType === 'ConvTranspose')!;
      expect(ints(t, 'pads')).toEqual(pads);
      expect(ints(t, 'output_padding')).toEqual(outputPadding);
    }
    // VALID, k=3, s=2: 9 and 10 both give 4; 10 leaves one row unread.
    const g = new Graph();
    const y = g.conv2dBackpropInput(g.input('dy', [1, 4, 4, 3]), g.input('w', [3, 3, 2, 3]), { strides: 2, inputShape: [1, 10, 9, 2] });
    const t = exportOnnxModel({ y }).graph.nodes.find((n) => n.opType === 'ConvTranspose')!;
    expect(ints(t, 'output_padding')).toEqual([1, 0]);
  });

  it('a conv → bias → relu → pool → conv chain stays NCHW: Transposes only at the ends', () => {
    const g = new Graph();
    const x = g.input('x', [2, 8, 8, 1]);
    let h: Node = g.maxPool(g.relu(g.biasAdd(g.conv2d(x, g.input('w1', [3, 3, 1, 4]), { padding: 'SAME' }), g.input('b1', [4]))), { ksize: 2 });
    h = g.avgPool(g.conv2d(h, g.input('w2', [3, 3, 4, 4]), { padding: 'SAME' }), { ksize: 2, padding: 'SAME' });
    const m = exportOnnxModel({ y: g.reshape(h, [2, -1]) });
    expect(ops(m)).toEqual(['Transpose', 'Transpose', 'Conv', 'Reshape', 'Add', 'Relu', 'MaxPool', 'Transpose', 'Conv', 'AveragePool', 'Transpose', 'Reshape']);
    expect(int(m.graph.nodes.find((n) => n.opType === 'AveragePool')!, 'count_include_pad')).toBe(0);
    // The bias, a graph input here, is reshaped to [4, 1, 1] for the NCHW Add.
    expect(m.graph.initializers.find((t) => t.name === m.graph.nodes[3]!.inputs[1])!.data).toEqual(BigInt64Array.of(4n, 1n, 1n));
  });

  it('a transpose is a change of view: transpose then conv needs one Transpose, not two', () => {
    const g = new Graph();
    const x = g.input('x', [1, 2, 5, 5]); // NCHW data
    const y = g.conv2d(g.transpose(x, [0, 2, 3, 1]), g.input('w', [3, 3, 2, 2]));
    const m = exportOnnxModel({ y });
    expect(ops(m)).toEqual(['Transpose', 'Conv', 'Transpose']);
    expect(m.graph.nodes[1]!.inputs[0]).toBe('x');
  });

  it('pad with negative amounts is a Slice (crop) and a Pad; reverse is a Slice with step −1 from INT64_MIN ends', () => {
    const g = new Graph();
    const x = g.input('x', [4, 5]);
    const y = g.reverse(g.pad(x, [[2, -1], [-3, 1]]), [1]);
    const m = exportOnnxModel({ y });
    expect(ops(m)).toEqual(['Slice', 'Pad', 'Slice']);
    const init = (name: string) => Array.from(m.graph.initializers.find((t) => t.name === name)!.data as BigInt64Array);
    const [crop, padNode, rev] = m.graph.nodes as [NodeProto, NodeProto, NodeProto];
    expect(crop.inputs.slice(1).map(init)).toEqual([[0n, 3n], [3n, 5n], [0n, 1n]]);
    expect(init(padNode.inputs[1]!)).toEqual([2n, 0n, 0n, 1n]);
    expect(rev.inputs.slice(1).map(init)).toEqual([[-1n], [-(2n ** 63n)], [1n], [-1n]]);
  });

  it('an output that is an input, or shared by two names, gets an Identity; names are kept', () => {
    const g = new Graph();
    const x = g.input('x', [3]);
    const r = g.relu(x);
    const m = exportOnnxModel({ same: x, a: r, b: r });
    expect(m.graph.nodes.map((n) => `${n.opType}(${n.inputs.join(',')})→${n.outputs[0]}`)).toEqual(['Relu(x)→a', 'Identity(x)→same', 'Identity(a)→b']);
  });

  it('a Model is exported through its inference graph with its parameters and state as initializers', () => {
    const params = new Map([
      ['dense/w', { value: Float32Array.of(1, 2, 3, 4, 5, 6) }],
      ['dense/b', { value: Float32Array.of(0.5, -0.5) }],
    ]);
    const model = {
      inputShape: [3],
      dtype: 'float32' as const,
      params,
      state: new Map([['norm/mean', { value: Float32Array.of(0.25, 0.5, 0.75) }]]),
      apply(x: Node, { training }: { training: boolean }) {
        const g = x.graph;
        const h = g.sub(training ? g.mul(x, g.input('noise', x.shape)) : x, g.input('norm/mean', [3]));
        return { output: g.biasAdd(g.matmul(h, g.input('dense/w', [3, 2])), g.input('dense/b', [2])) };
      },
    };
    const m = decodeModel(exportOnnx(model, { batch: 5, outputName: 'logits' }));
    expect(m.graph.inputs.map((v) => [v.name, v.dims])).toEqual([['x', [5, 3]]]);
    expect(m.graph.outputs.map((v) => v.name)).toEqual(['logits']);
    expect(m.graph.initializers.map((t) => [t.name, Array.from(t.data as Float32Array)])).toEqual([
      ['norm/mean', [0.25, 0.5, 0.75]],
      ['dense/w', [1, 2, 3, 4, 5, 6]],
      ['dense/b', [0.5, -0.5]],
    ]);
    expect(m.opsetImports).toEqual([{ domain: '', version: 17 }]);
    expect(m.irVersion).toBe(8);
  });
});

describe('exportOnnx errors', () => {
  it('lists every node without an ONNX mapping at once (op and node), as an OnnxExportError', () => {
    const g = new Graph();
    const x = g.input('x', [1, 4, 4, 1]);
    const w = g.input('w', [2, 2, 1, 1]);
    const y = g.conv2d(x, w);
    const dw = g.conv2dBackpropFilter(x, y, { filterShape: [2, 2, 1, 1] });
    const dx = g.maxPoolGrad(x, g.maxPool(x, { ksize: 2 }), { ksize: 2 });
    const d = g.dilate(x, 2);
    const d2 = g.dilate(y, 3);
    let error: unknown;
    try {
      exportOnnx({ dw, dx, d, d2, y });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OnnxExportError);
    expect(error).toBeInstanceOf(GraftError);
    const e = error as OnnxExportError;
    expect(e.unsupported.map((u) => `${u.op} ${u.node}`)).toEqual([
      `conv2dBackpropFilter ${dw}`,
      `maxPoolGrad ${dx}`,
      `dilate ${d}`,
      `dilate ${d2}`,
    ]);
    expect(e.message).toBe(
      'exportOnnx: every op must have an ONNX mapping; 4 nodes of 3 ops (conv2dBackpropFilter, maxPoolGrad, dilate) do not ' +
        `(${dw} (the conv filter gradient: ONNX's inference ops have none; export the forward graph); ` +
        `${dx} (the max-pool gradient scatter: ONNX's inference ops have none; export the forward graph); ` +
        `${d} (no ONNX op inserts zeros between elements); ${d2} (no ONNX op inserts zeros between elements))`,
    );
  });

  it('checks options and feeds before writing anything', () => {
    const g = new Graph();
    const x = g.input('x', [2, 3]);
    const y = g.relu(x);
    expect(() => exportOnnx({ y }, { opset: 12 })).toThrow(AttrError);
    expect(() => exportOnnx({ y }, { opset: 12 })).toThrow('opset must be an integer from 13 to 17');
    expect(() => exportOnnx({ y }, { feeds: { z: [1] } })).toThrow(FeedError);
    expect(() => exportOnnx({ y }, { feeds: { x: [1, 2] } })).toThrow('feed "x" must have 6 values for shape [2,3], got 2');
    expect(() => exportOnnx({ x: y })).toThrow('output names must differ from input names; "x" is both');
    expect(() => exportOnnx({})).toThrow('at least one output must be named');
    expect(() => exportOnnx({ y }, { batch: 2 })).toThrow('batch is for models');
  });
});
