/**
 * The blocks of small modern CNNs: batch normalisation (training and evaluation modes, the
 * moving statistics a training step updates, Keras's conventions), depthwise and separable
 * convs, global average pooling, and the functional model API with residual `add` and
 * `concatenate`; weight files carry the moving statistics.
 */
import { compile } from '@graft/compiler';
import { cpu } from '@graft/backend-cpu';
import { gradcheck } from '@graft/gradcheck';
import { Graph, ShapeError, type FloatArray, type Node } from '@graft/ir';
import { describe, expect, it } from 'vitest';
import {
  Trainer,
  WeightsError,
  add,
  apply,
  batchNorm,
  concatenate,
  conv2d,
  decodeWeights,
  dense,
  depthwiseConv2d,
  encodeWeights,
  flatten,
  functional,
  globalAvgPool,
  input,
  loadWeights,
  relu,
  separableConv2d,
  sequential,
  sgd,
  type Model,
} from './index.ts';
import { fillUniform, mulberry32 } from './random.ts';

function feedsOf(m: Model, x: Node, seed: number): Record<string, FloatArray> {
  const feeds: Record<string, FloatArray> = { x: fillUniform(new Float64Array(x.size), mulberry32(seed), -1, 1) };
  for (const p of m.params.values()) feeds[p.name] = p.value;
  for (const t of m.state.values()) feeds[t.name] = t.value;
  return feeds;
}

/** Gradcheck (first and second order, float64) of a model's output w.r.t. x and every parameter. */
async function checkModel(m: Model, batch: number, training: boolean, seed = 5): Promise<void> {
  const g = new Graph({ dtype: 'float64' });
  const x = g.input('x', [batch, ...m.inputShape]);
  const built = m.apply(x, { training });
  const feeds = feedsOf(m, x, seed);
  // γ, β and biases away from their initial 1 and 0, so every term of the rules matters.
  for (const p of m.params.values()) if (!p.name.endsWith('/w') && !p.name.includes('wise')) fillUniform(p.value, mulberry32(seed + 1), 0.5, 1.5);
  const y = g.sum(g.mul(built.output, g.constant(fillUniform(new Float64Array(built.output.size), mulberry32(seed + 2), -1, 1), built.output.shape)));
  for (const order of [1, 2] as const) {
    const report = await gradcheck(y, [x, ...built.params.values()], { feeds, order, seed });
    expect(report.ok, `order ${order}\n${report}`).toBe(true);
  }
}

describe('batchNorm', () => {
  const data = (n: number, seed: number) => fillUniform(new Float64Array(n), mulberry32(seed), -2, 3);

  it('training mode: (x − μ)/√(σ² + ε)·γ + β with the batch mean and biased variance per channel; the step updates the moving statistics (Keras momentum)', async () => {
    const m = sequential([batchNorm({ momentum: 0.8, epsilon: 1e-3 })], { inputShape: [2, 3, 4], dtype: 'float64' });
    expect([...m.params.keys()]).toEqual(['batchNorm1/gamma', 'batchNorm1/beta']);
    expect([...m.state.keys()]).toEqual(['batchNorm1/movingMean', 'batchNorm1/movingVariance']);
    const gamma = m.params.get('batchNorm1/gamma')!.value;
    const beta = m.params.get('batchNorm1/beta')!.value;
    gamma.set([1.5, -0.5, 2, 1]);
    beta.set([0.1, 0.2, -0.3, 0]);
    const movingMean = m.state.get('batchNorm1/movingMean')!.value;
    const movingVariance = m.state.get('batchNorm1/movingVariance')!.value;
    movingMean.set([0.5, -1, 0, 2]);
    const x = data(5 * 2 * 3 * 4, 1);
    // Independent statistics: per channel c over the 30 positions.
    const mean = [0, 0, 0, 0];
    const variance = [0, 0, 0, 0];
    for (let i = 0; i < x.length; i++) mean[i % 4]! += x[i]! / 30;
    for (let i = 0; i < x.length; i++) variance[i % 4]! += (x[i]! - mean[i % 4]!) ** 2 / 30;
    const expected = x.map((v, i) => ((v - mean[i % 4]!) / Math.sqrt(variance[i % 4]! + 1e-3)) * gamma[i % 4]! + beta[i % 4]!);
    const oldMean = Array.from(movingMean);
    const oldVariance = Array.from(movingVariance);

    const g = new Graph({ dtype: 'float64' });
    const xn = g.input('x', [5, 2, 3, 4]);
    const built = m.apply(xn, { training: true });
    expect([...built.updates.keys()]).toEqual(['batchNorm1/movingMean', 'batchNorm1/movingVariance']);
    const outputs: Record<string, Node> = { y: built.output, ...Object.fromEntries(built.updates) };
    const out = await compile(outputs, { backend: cpu() }).run({ ...feedsOf(m, xn, 0), x });
    for (let i = 0; i < x.length; i++) expect(out.y![i]).toBeCloseTo(expected[i]!, 12);
    for (let c = 0; c < 4; c++) {
      expect(out['batchNorm1/movingMean']![c]).toBeCloseTo(0.8 * oldMean[c]! + 0.2 * mean[c]!, 12);
      expect(out['batchNorm1/movingVariance']![c]).toBeCloseTo(0.8 * oldVariance[c]! + 0.2 * variance[c]!, 12);
    }

    // A Trainer step writes the new moving statistics into the model (they depend on x alone).
    const targets = new Float64Array(5 * 24);
    await new Trainer(m, { batchSize: 5, optimizer: sgd(), loss: 'meanSquaredError' }).step(x, targets);
    for (let c = 0; c < 4; c++) {
      expect(movingMean[c]).toBeCloseTo(0.8 * oldMean[c]! + 0.2 * mean[c]!, 12);
      expect(movingVariance[c]).toBeCloseTo(0.8 * oldVariance[c]! + 0.2 * variance[c]!, 12);
    }
  });

  it('evaluation mode normalises with the moving statistics: set to the batch statistics, it gives the training output', async () => {
    const m = sequential([batchNorm({ center: false })], { inputShape: [3], dtype: 'float64' });
    expect([...m.params.keys()]).toEqual(['batchNorm1/gamma']);
    m.params.get('batchNorm1/gamma')!.value.set([2, -1, 0.5]);
    const x = data(8 * 3, 2);
    const g = new Graph({ dtype: 'float64' });
    const xn = g.input('x', [8, 3]);
    const train = m.apply(xn, { training: true });
    const outputs: Record<string, Node> = { y: train.output, ...Object.fromEntries(train.updates) };
    const p = compile(outputs, { backend: cpu() });
    // Momentum 0 would need a model of its own; instead solve for the batch statistics from one update.
    const before = { mean: Array.from(m.state.get('batchNorm1/movingMean')!.value), variance: Array.from(m.state.get('batchNorm1/movingVariance')!.value) };
    const r = await p.run({ ...feedsOf(m, xn, 0), x });
    const batchMean = Array.from(r['batchNorm1/movingMean']!, (v, c) => (v - 0.99 * before.mean[c]!) / 0.01);
    const batchVariance = Array.from(r['batchNorm1/movingVariance']!, (v, c) => (v - 0.99 * before.variance[c]!) / 0.01);
    m.state.get('batchNorm1/movingMean')!.value.set(batchMean);
    m.state.get('batchNorm1/movingVariance')!.value.set(batchVariance);
    const ge = new Graph({ dtype: 'float64' });
    const xe = ge.input('x', [8, 3]);
    const built = m.apply(xe, { training: false });
    expect(built.updates.size).toBe(0);
    const evalOut = await compile({ y: built.output }, { backend: cpu() }).run({ ...feedsOf(m, xe, 0), x });
    for (let i = 0; i < x.length; i++) expect(evalOut.y![i]).toBeCloseTo(r.y![i]!, 9);
  });

  it('gradients through the batch statistics, first and second order (NHWC and dense)', async () => {
    await checkModel(sequential([conv2d({ filters: 3, kernel: 2, useBias: false }), batchNorm({ momentum: 0.9 }), relu()], { inputShape: [4, 4, 2], dtype: 'float64', seed: 2 }), 2, true);
    await checkModel(sequential([dense({ units: 3 }), batchNorm(), dense({ units: 2 })], { inputShape: [4], dtype: 'float64', seed: 3 }), 5, true);
    await checkModel(sequential([batchNorm({ scale: false })], { inputShape: [2, 2, 3], dtype: 'float64', seed: 4 }), 3, false);
  });

  it('refuses bad options and inputs of rank 1', () => {
    expect(() => batchNorm({ momentum: 1.5 })).toThrow(/momentum must be in \[0, 1\]/);
    expect(() => batchNorm({ epsilon: 0 })).toThrow(/epsilon must be a positive finite number/);
    expect(() => sequential([flatten(), batchNorm()], { inputShape: [3] })).not.toThrow();
    expect(() => functional(input(), apply(batchNorm(), input()), { inputShape: [3] })).toThrow(/depend on the given input/);
  });
});

describe('depthwise, separable and global pooling layers', () => {
  it('depthwiseConv2d: w [kh, kw, cin, m], output cin·m channels, bias; gradients of every order', async () => {
    const m = sequential([depthwiseConv2d({ kernel: 3, depthMultiplier: 2, strides: 2, padding: 'SAME', activation: 'tanh' })], { inputShape: [5, 5, 3], dtype: 'float64', seed: 1 });
    expect(m.params.get('depthwiseConv2d1/w')!.shape).toEqual([3, 3, 3, 2]);
    expect(m.params.get('depthwiseConv2d1/b')!.shape).toEqual([6]);
    expect(m.outputShape).toEqual([3, 3, 6]);
    await checkModel(m, 2, false);
  });

  it('separableConv2d: depthwise then 1×1 pointwise and a bias', async () => {
    const m = sequential([separableConv2d({ filters: 4, kernel: [2, 3], depthMultiplier: 2, dilations: [1, 2], padding: 'VALID' })], { inputShape: [5, 6, 2], dtype: 'float64', seed: 2 });
    expect([...m.params].map(([k, p]) => `${k} [${p.shape}]`)).toEqual(['separableConv2d1/depthwise [2,3,2,2]', 'separableConv2d1/pointwise [1,1,4,4]', 'separableConv2d1/b [4]']);
    expect(m.outputShape).toEqual([4, 2, 4]);
    await checkModel(m, 2, false);
  });

  it('conv2d with groups: kernel [kh, kw, cin / groups, filters]; channels that do not divide are refused', async () => {
    const m = sequential([conv2d({ filters: 4, kernel: 2, groups: 2 })], { inputShape: [3, 3, 6], dtype: 'float64', seed: 3 });
    expect(m.params.get('conv2d1/w')!.shape).toEqual([2, 2, 3, 4]);
    await checkModel(m, 2, false);
    expect(() => sequential([conv2d({ filters: 4, kernel: 2, groups: 4 })], { inputShape: [3, 3, 6] })).toThrow(/input channels \(6\) must be divisible by groups \(4\)/);
    expect(() => sequential([conv2d({ filters: 3, kernel: 2, groups: 2 })], { inputShape: [3, 3, 6] })).toThrow(/w out-channels \(3\) must be divisible by groups \(2\)/);
  });

  it('globalAvgPool: the mean of each channel over its pixels', async () => {
    const m = sequential([globalAvgPool()], { inputShape: [2, 3, 2], dtype: 'float64' });
    expect(m.outputShape).toEqual([2]);
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [1, 2, 3, 2]);
    const out = await compile({ y: m.apply(x, { training: false }).output }, { backend: cpu() }).run({ x: Float64Array.from({ length: 12 }, (_, i) => i) });
    expect(Array.from(out.y!)).toEqual([5, 6]);
  });
});

describe('functional models: residual add and concatenation', () => {
  const residual = (seed = 1, dtype: 'float32' | 'float64' = 'float64') => {
    const x = input();
    const h = apply(batchNorm(), apply(conv2d({ filters: 3, kernel: 3, padding: 'SAME', useBias: false }), x));
    const r = apply(relu(), apply(add(), [h, x]));
    const both = apply(concatenate(), [r, apply(depthwiseConv2d({ kernel: 1 }), x)]);
    return functional(x, apply(dense({ units: 2 }), apply(globalAvgPool(), both)), { inputShape: [4, 4, 3], seed, dtype });
  };

  it('builds each applied layer once, in order of application, with the shortcut read twice', () => {
    const m = residual();
    expect([...m.params.keys()]).toEqual([
      'conv2d1/w',
      'batchNorm1/gamma',
      'batchNorm1/beta',
      'depthwiseConv2d1/w',
      'depthwiseConv2d1/b',
      'dense1/w',
      'dense1/b',
    ]);
    expect(m.outputShape).toEqual([2]);
    expect(m.summary()).toMatch(/add1 +\[4,4,3\]/);
    expect(m.summary()).toMatch(/concatenate1 +\[4,4,6\]/);
    expect(m.summary()).toContain('and 6 state values');
  });

  it('gradients through the residual and the concatenation (training mode, first and second order)', () => checkModel(residual(2), 2, true));

  it('merge layers refuse inputs of different shapes, single inputs, and a lone value', () => {
    const x = input();
    const wide = apply(conv2d({ filters: 5, kernel: 1 }), x);
    expect(() => functional(x, apply(add(), [x, wide]), { inputShape: [3, 3, 2] })).toThrow(ShapeError);
    expect(() => functional(x, apply(add(), [x, wide]), { inputShape: [3, 3, 2] })).toThrow(/inputs must have one shape, got \[1,3,3,2\] and \[1,3,3,5\]/);
    expect(() => apply(add(), x as never)).toThrow(/pass an array/);
    expect(() => apply(relu(), [x] as never)).toThrow(/takes one value/);
    expect(functional(x, apply(concatenate(), [x, wide]), { inputShape: [3, 3, 2] }).outputShape).toEqual([3, 3, 7]);
  });

  it('weight files carry the moving statistics; a file without them is refused', () => {
    const a = residual(3, 'float32');
    a.state.get('batchNorm1/movingMean')!.value.set([0.25, -1, 3]);
    const bytes = encodeWeights(a);
    expect(decodeWeights(bytes).tensors.map((t) => t.name)).toEqual([...a.params.keys(), 'batchNorm1/movingMean', 'batchNorm1/movingVariance']);
    const b = residual(4, 'float32');
    loadWeights(b, bytes);
    expect(b.getWeights()).toEqual(a.getWeights());
    expect(Array.from(b.state.get('batchNorm1/movingMean')!.value)).toEqual([0.25, -1, 3]);
    const plain = sequential([flatten()], { inputShape: [2] });
    expect(() => loadWeights(plain, bytes)).toThrow(WeightsError);
    const withoutState = encodeWeights(residual(5, 'float32')).slice();
    // Same model kind, but the file written from a model whose BN was renamed lacks this one's state.
    const x = input();
    const other = functional(x, apply(dense({ units: 2 }), apply(globalAvgPool(), apply(batchNorm({ name: 'bn' }), x))), { inputShape: [4, 4, 3] });
    expect(() => loadWeights(other, withoutState)).toThrow(/missing.*bn\/movingMean/);
  });
});
