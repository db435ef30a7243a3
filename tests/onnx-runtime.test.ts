/**
 * ONNX export checked by an independent implementation: exported models run in
 * onnxruntime-node and their outputs agree with graft's (cpu(), float32) within
 * 1e-5·max(1, |graft|) per element — the demo CNN, the up-sampling autoencoder and random graphs
 * of every supported op (strides, dilations, SAME asymmetric, explicit pads, transposed convs
 * with both output sizes, crops, reversals, reductions).
 *
 * The reference is graft's float32 on cpu()'s TypeScript kernels (`setCpuWasmKernels(false)`),
 * except where the WebAssembly kernels are named: the WebAssembly conv2dBackpropInput kernel
 * (which conv2dTranspose runs on) disagrees with onnxruntime, graft's float64 kernels and an
 * independent loop for some shapes (e.g. v [1,7,7,2], w [3,3,1,2], stride 2, SAME → [1,14,14,1]),
 * so graphs with transposed convs are compared with the TypeScript float32 kernels.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Graph, nn, setCpuWasmKernels, type FloatArray, type Node } from 'graft';
import { decodeModel, exportOnnx, exportRules } from '@graft/onnx';
import { demoCnn } from 'graft/programs';
import { upsamplingAutoencoder } from '../examples/upsampling-autoencoder/main.ts';
import { buildCase, graphCaseArb, requiredGraphTraits } from './util/onnx-graphs.ts';
import { agreement, fmtAgreement, runGraft, runOnnxruntime, seededValues, type Agreement } from './util/onnx.ts';

const TOL = 1e-5;

/** Gives every bias seeded non-zero values (a zero bias would hide a bias mapped to the wrong axis). */
function withRandomBiases(model: nn.Model, seed: number): nn.Model {
  const weights = model.getWeights();
  let k = 0;
  for (const name of Object.keys(weights)) if (name.endsWith('/b')) weights[name] = seededValues(seed + k++, weights[name]!.length, -0.5, 0.5);
  model.setWeights(weights);
  return model;
}

/** The model's inference graph at `batch`, in graft. */
function inferenceGraph(model: nn.Model, batch: number): { y: Node; feeds: Record<string, FloatArray> } {
  const g = new Graph();
  const x = g.input('x', [batch, ...model.inputShape]);
  const y = model.apply(x, { training: false }).output;
  const feeds: Record<string, FloatArray> = {};
  for (const [name, p] of [...model.params, ...model.state]) feeds[name] = p.value;
  return { y, feeds };
}

async function modelAgreement(model: nn.Model, batch: number, seed: number): Promise<{ agree: Agreement; bytes: Uint8Array }> {
  const bytes = exportOnnx(model, { batch });
  const x = seededValues(seed, batch * model.inputShape.reduce((a: number, b: number) => a * b, 1), 0, 1);
  const ort = await runOnnxruntime(bytes, { x: { data: x, dims: [batch, ...model.inputShape] } });
  const { y, feeds } = inferenceGraph(model, batch);
  const graft = await runGraft({ y }, { ...feeds, x });
  return { agree: agreement(ort.y!, graft.y!), bytes };
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

/**
 * A residual network with batch norm (inference mode, from moving statistics), a grouped conv,
 * a depthwise-separable block, global average pooling and a channel concatenation, built with
 * the functional API; its moving statistics are set to seeded values (fresh ones are 0 and 1,
 * which would hide a statistic applied to the wrong axis).
 */
function residualBnNet(seed: number): nn.Model {
  const { input, apply, functional, conv2d, batchNorm, relu, add, concatenate, separableConv2d, depthwiseConv2d, globalAvgPool, dense } = nn;
  const x = input();
  const stem = apply(relu(), apply(batchNorm(), apply(conv2d({ filters: 8, kernel: 3, strides: 2, padding: 'SAME', useBias: false }), x)));
  const grouped = apply(batchNorm(), apply(conv2d({ filters: 8, kernel: 3, padding: 'SAME', groups: 2 }), stem));
  const res = apply(relu(), apply(add(), [grouped, stem]));
  const dw = apply(relu(), apply(depthwiseConv2d({ kernel: 3, depthMultiplier: 2, strides: 2, padding: 'SAME' }), res));
  const sep = apply(relu(), apply(batchNorm(), apply(separableConv2d({ filters: 12, kernel: 3, padding: 'SAME', useBias: false }), dw)));
  const features = apply(concatenate(), [apply(globalAvgPool(), sep), apply(globalAvgPool(), res)]);
  const model = functional(x, apply(dense({ units: 10 }), features), { inputShape: [14, 14, 1], seed });
  const state = model.getWeights();
  let k = 0;
  for (const [name, values] of Object.entries(state)) {
    if (/moving_?mean/i.test(name)) state[name] = seededValues(seed + 100 + k++, values.length, -0.3, 0.3);
    else if (/moving_?var/i.test(name)) state[name] = seededValues(seed + 100 + k++, values.length, 0.5, 2);
  }
  model.setWeights(state);
  return model;
}

describe('exported models agree with graft in onnxruntime-node', () => {
  beforeAll(() => setCpuWasmKernels(false));
  afterAll(() => setCpuWasmKernels(true));

  it('a residual network with batch norm, grouped, depthwise and separable convs, global pooling and concat, batch 3', async () => {
    const model = withRandomBiases(residualBnNet(5), 211);
    const names = Object.keys(model.getWeights());
    expect(names.filter((n) => /moving/i.test(n)).length).toBeGreaterThanOrEqual(6);
    const { agree, bytes } = await modelAgreement(model, 3, 13);
    const types = new Set(decodeModel(bytes).graph.nodes.map((n) => n.opType));
    console.log(`residual/BN model: ${kib(bytes.length)}, ONNX ops ${[...types].sort().join(', ')}; ${fmtAgreement(agree)}`);
    for (const t of ['Conv', 'Concat', 'ReduceMean', 'Add', 'Sqrt', 'Div']) expect(types.has(t), t).toBe(true);
    // The grouped conv (group 2) and the depthwise convs (group = their channels, 8 and 16).
    const groups = decodeModel(bytes).graph.nodes.filter((n) => n.opType === 'Conv').map((n) => JSON.stringify(n.attributes.group));
    expect(groups.filter((g) => g !== JSON.stringify({ type: 'int', value: 1 })).length).toBeGreaterThanOrEqual(2);
    expect(agree.maxScaled).toBeLessThanOrEqual(TOL);
  });

  it('the demo CNN (graft/programs demoCnn), batch 4, on both float32 kernel sets', async () => {
    const model = withRandomBiases(demoCnn(1), 101);
    const ts = await modelAgreement(model, 4, 7);
    setCpuWasmKernels(true);
    const wasm = await modelAgreement(model, 4, 7);
    setCpuWasmKernels(false);
    const paramBytes = model.parameterCount * 4;
    console.log(`demo CNN: ${kib(ts.bytes.length)} (${model.parameterCount} float32 parameters = ${kib(paramBytes)}); ` + `TypeScript kernels: ${fmtAgreement(ts.agree)}; WebAssembly kernels: ${fmtAgreement(wasm.agree)}`);
    expect(ts.agree.maxScaled).toBeLessThanOrEqual(TOL);
    expect(wasm.agree.maxScaled).toBeLessThanOrEqual(TOL);
    // The weights dominate the file: nothing is stored twice.
    expect(ts.bytes.length).toBeGreaterThan(paramBytes);
    expect(ts.bytes.length).toBeLessThan(paramBytes + 8 * 1024);
    const m = decodeModel(ts.bytes);
    expect(m.graph.nodes.map((n) => n.opType)).toEqual([
      'Transpose', 'Conv', 'Add', 'Relu', 'MaxPool',
      'Conv', 'Add', 'Relu', 'MaxPool',
      'Conv', 'Add', 'Relu', 'MaxPool',
      'Transpose', 'Reshape', 'MatMul', 'Add', 'Relu', 'MatMul', 'Add',
    ]);
  });

  it('the up-sampling autoencoder (conv2d s2 ×2, conv2dTranspose s2 ×2, SAME), batch 3', async () => {
    const model = withRandomBiases(upsamplingAutoencoder(1), 202);
    const { agree, bytes } = await modelAgreement(model, 3, 8);
    console.log(`autoencoder: ${kib(bytes.length)} (${model.parameterCount} float32 parameters); ${fmtAgreement(agree)}`);
    expect(agree.maxScaled).toBeLessThanOrEqual(TOL);
    const m = decodeModel(bytes);
    expect(m.graph.nodes.filter((n) => n.opType === 'ConvTranspose')).toHaveLength(2);
    expect(m.graph.nodes.filter((n) => n.opType === 'Transpose')).toHaveLength(2);
  });

  it('conv2dTranspose s=2 v=[2,4,4,3] k=3 → both output sizes: SAME [7,7] and [8,8] (pads differ), VALID [9,9] and [10,10] (output_padding 0 and 1), filter fed at run time', async () => {
    for (const [padding, size] of [['SAME', 7], ['SAME', 8], ['VALID', 9], ['VALID', 10]] as const) {
      const g = new Graph();
      const v = g.input('v', [2, 4, 4, 3]);
      const w = g.input('w', [3, 3, 2, 3]);
      const y = g.conv2dTranspose(v, w, { strides: 2, padding, outputShape: [2, size, size, 2] });
      const feeds = { v: seededValues(1, 96), w: seededValues(2, 54) };
      const ort = await runOnnxruntime(exportOnnx({ y }), { v: { data: feeds.v, dims: v.shape }, w: { data: feeds.w, dims: w.shape } });
      const graft = await runGraft({ y }, feeds);
      expect(agreement(ort.y!, graft.y!).maxScaled, `${padding} → ${size}`).toBeLessThanOrEqual(TOL);
    }
  });

  it('random graphs of the supported ops, opsets 13–17 (fast-check, seed 0x0a1e, 200 runs)', async () => {
    const seen = new Map<string, number>();
    let worst = { maxScaled: 0, maxAbs: 0, maxRel: 0 };
    await fc.assert(
      fc.asyncProperty(graphCaseArb, fc.integer({ min: 13, max: 17 }), async (c, opset) => {
        const built = buildCase(c);
        const feedsFor = built.weights.filter(() => c.weightsFed);
        const bytes = exportOnnx(built.outputs, { opset, feeds: Object.fromEntries(feedsFor.map((w) => [w, built.values[w]!])) });
        const inputs = Object.fromEntries(
          [...built.graph.inputs.values()].filter((n) => !feedsFor.includes(n.attrs.name)).map((n) => [n.attrs.name, { data: built.values[n.attrs.name]!, dims: n.shape }]),
        );
        // Every ONNX node is one its graft node's entry declares (or a Transpose/Reshape/Identity of the layout plumbing).
        for (const n of decodeModel(bytes).graph.nodes) {
          const op = n.name.split('#')[0] as keyof typeof exportRules;
          const entry = exportRules[op];
          const declared = entry !== undefined && 'onnx' in entry ? entry.onnx : [];
          expect([...declared, 'Transpose', 'Reshape', 'Identity'], `${n.name} (${n.opType})`).toContain(n.opType);
        }
        const ort = await runOnnxruntime(bytes, inputs);
        const graft = await runGraft(built.outputs, built.values);
        for (const name of Object.keys(built.outputs)) {
          const a = agreement(ort[name]!, graft[name]!);
          expect(a.maxScaled, `${name} (opset ${opset}):\n${built.description.join('\n')}\n${fmtAgreement(a)}`).toBeLessThanOrEqual(TOL);
          worst = { maxScaled: Math.max(worst.maxScaled, a.maxScaled), maxAbs: Math.max(worst.maxAbs, a.maxAbs), maxRel: Math.max(worst.maxRel, a.maxRel) };
        }
        for (const t of built.traits) seen.set(t, (seen.get(t) ?? 0) + 1);
      }),
      { seed: 0x0a1e, numRuns: 200 },
    );
    console.log(`random graphs: max abs ${worst.maxAbs.toExponential(2)}, max rel ${worst.maxRel.toExponential(2)}; traits ${JSON.stringify(Object.fromEntries(seen))}`);
    expect(requiredGraphTraits.filter((t) => !seen.has(t))).toEqual([]);
  });
});
