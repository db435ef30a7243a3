/**
 * ONNX Runtime for Node (CPU execution provider, one inter-op thread, one intra-op thread unless asked) on a
 * one-node model: `Conv` for the forward case and `ConvTranspose` for the input gradient
 * (the transpose of conv2d as a linear map in x, which is exactly backprop-input). ONNX is
 * NCHW with OIHW filters: inputs are transposed before the timed region, outputs after it,
 * and the filter is a model initializer (so ONNX Runtime may pre-pack it), as in inference.
 * It has no filter-gradient op outside its training build.
 */
import * as ort from 'onnxruntime-node';
import type { Case, ConvCase } from '../lib/cases.ts';
import { hwioToOihw, nchwToNhwc, nhwcToNchw } from '../lib/data.ts';
import { Unsupported, type Impl, type Inputs, type Runner } from '../lib/peer.ts';
import { oneNodeModel } from './onnx.ts';

export const versions = { ort: ort.env.versions.node ?? ort.env.versions.common };

const sessionOptions = (threads: number): ort.InferenceSession.SessionOptions => ({
  executionProviders: ['cpu'],
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});

async function convSession(c: ConvCase, inputs: Inputs, threads: number): Promise<Runner> {
  if (inputs.kind !== 'conv') throw new Error(`${c.id}: conv inputs expected`);
  const [n, h, wd, cin] = c.x;
  const [kh, kw, , cout] = c.w;
  const [, oh, ow] = inputs.y;
  const [pt, pb, pl, pr] = inputs.pads;
  const weight = { dims: [cout, cin, kh, kw], data: hwioToOihw(inputs.w, c.w) };
  const common = { strides: [c.strides, c.strides], dilations: [c.dilations, c.dilations], pads: [pt, pl, pb, pr] };
  let model: Uint8Array;
  let feed: ort.Tensor;
  let outNhwc: readonly [number, number, number, number];
  let name: string;
  if (c.op === 'conv2d') {
    model = oneNodeModel({ op: 'Conv', input: [n, cin, h, wd], weight, output: [n, cout, oh, ow], attrs: common });
    feed = new ort.Tensor('float32', nhwcToNchw(inputs.x, c.x), [n, cin, h, wd]);
    outNhwc = inputs.y;
    name = 'y';
  } else if (c.op === 'backpropInput') {
    // ConvTranspose: out = s·(in − 1) + output_padding + (k − 1)·d + 1 − pads; pick output_padding so out = x's size.
    const keh = (kh - 1) * c.dilations + 1;
    const kew = (kw - 1) * c.dilations + 1;
    const output_padding = [h - (c.strides * (oh - 1) + keh - pt - pb), wd - (c.strides * (ow - 1) + kew - pl - pr)];
    model = oneNodeModel({
      op: 'ConvTranspose',
      input: [n, cout, oh, ow],
      weight,
      output: [n, cin, h, wd],
      attrs: { ...common, output_padding },
    });
    feed = new ort.Tensor('float32', nhwcToNchw(inputs.dy, inputs.y), [n, cout, oh, ow]);
    outNhwc = c.x;
    name = 'dx';
  } else {
    throw new Unsupported('no filter-gradient op in onnxruntime-node (inference build)');
  }
  const session = await ort.InferenceSession.create(model, sessionOptions(threads));
  return {
    run: async () => (await session.run({ X: feed })).Y!.data,
    outputs: (r) => ({ [name]: nchwToNhwc(r as Float32Array, outNhwc) }),
    dispose: () => void session.release(),
    note: 'NCHW, transposes untimed; W initializer',
  };
}

/** ONNX Runtime with `threads` intra-op threads, named `name`. */
export function onnxruntimeOn(threads: number, name: string): Impl {
  return {
    name,
    async prepare(c: Case, inputs: Inputs): Promise<Runner> {
      if (c.kind !== 'conv') throw new Unsupported('inference only: no training step');
      return convSession(c, inputs, threads);
    },
  };
}

export const onnxruntime: Impl = onnxruntimeOn(1, 'onnxruntime');
