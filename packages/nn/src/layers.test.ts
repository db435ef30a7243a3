import { gradcheck } from '@graft/gradcheck';
import { Graph, ShapeError, type FloatArray, type Node } from '@graft/ir';
import { describe, expect, it } from 'vitest';
import {
  activation,
  avgPool,
  conv2d,
  conv2dTranspose,
  dense,
  dropout,
  flatten,
  maxPool,
  model,
  normalize,
  sequential,
  type Layer,
  type Model,
} from './index.ts';
import { fillUniform, mulberry32 } from './random.ts';

/** x, the model's output and feeds (x seeded uniform on [−1, 1), parameters from the model) in float64. */
function build(m: Model, batch: number, seed = 7, training = false) {
  const g = new Graph({ dtype: 'float64' });
  const x = g.input('x', [batch, ...m.inputShape]);
  const built = m.apply(x, { training });
  const feeds: Record<string, FloatArray> = { x: fillUniform(new Float64Array(x.size), mulberry32(seed), -1, 1) };
  for (const p of m.params.values()) feeds[p.name] = p.value;
  // Biases start at zero; non-zero values make their gradients depend on them too.
  for (const p of m.params.values()) if (p.name.endsWith('/b')) fillUniform(p.value, mulberry32(seed + 1), -0.5, 0.5);
  return { g, x, built, feeds };
}

async function checkLayer(layers: readonly Layer[], inputShape: readonly number[], batch = 2): Promise<void> {
  const m = sequential(layers, { inputShape, dtype: 'float64', seed: 3 });
  const { x, built, feeds } = build(m, batch);
  const xs: Node[] = [x, ...built.params.values()];
  const report = await gradcheck(built.output, xs, { feeds });
  expect(report.ok, String(report)).toBe(true);
  // Full mode: every element of x and of every parameter was compared.
  expect(report.checked).toBe(xs.reduce((s, n) => s + n.size, 0));
}

describe('layer gradients (float64 gradcheck against central differences)', () => {
  it('conv2d x=[2,7,7,2] k=3 filters=3 s=2 p=same, bias, tanh', () =>
    checkLayer([conv2d({ filters: 3, kernel: 3, strides: 2, padding: 'SAME', activation: 'tanh' })], [7, 7, 2]));
  it('conv2d x=[2,7,6,2] k=[2,3] filters=2 d=[2,1] p=valid', () =>
    checkLayer([conv2d({ filters: 2, kernel: [2, 3], dilations: [2, 1], activation: 'sigmoid' })], [7, 6, 2]));
  it('conv2d x=[1,5,5,1] k=3 s=[1,2] p=explicit [[1,0],[2,1]], no bias', () =>
    checkLayer([conv2d({ filters: 2, kernel: 3, strides: [1, 2], padding: [[1, 0], [2, 1]], useBias: false })], [5, 5, 1], 1));
  it('conv2dTranspose v=[2,4,4,3] k=3 filters=2 s=2 p=same (output 8×8), bias', () =>
    checkLayer([conv2dTranspose({ filters: 2, kernel: 3, strides: 2, padding: 'SAME', activation: 'tanh' })], [4, 4, 3]));
  it('conv2dTranspose v=[1,3,3,2] k=2 filters=1 s=3 p=valid outputPadding [1,2] (output 7×8)', () =>
    checkLayer([conv2dTranspose({ filters: 1, kernel: 2, strides: 3, outputPadding: [1, 2] })], [3, 3, 2], 1));
  it('dense [3,5] → 4 with sigmoid', () => checkLayer([dense({ units: 4, activation: 'sigmoid' })], [5], 3));
  it('maxPool x=[2,4,5,2] k=2 s=[2,1] p=valid', () => checkLayer([maxPool({ ksize: 2, strides: [2, 1] })], [4, 5, 2]));
  it('avgPool x=[2,5,5,2] k=3 s=2 p=same', () => checkLayer([avgPool({ ksize: 3, strides: 2, padding: 'SAME' })], [5, 5, 2]));
  it('flatten then dense', () => checkLayer([flatten(), dense({ units: 3 })], [3, 2, 2]));
  it('normalize then dense', () => checkLayer([normalize({ mean: 0.1, std: 0.3 }), dense({ units: 2 })], [3], 2));
  it('activations relu, tanh, sigmoid, softmax', () =>
    checkLayer([activation('tanh'), activation('relu'), dense({ units: 3 }), activation('sigmoid'), activation('softmax')], [4], 3));

  it('dropout in training: gradient through a fixed fed mask', async () => {
    const m = sequential([dense({ units: 6, activation: 'tanh' }), dropout(0.5), dense({ units: 2 })], { inputShape: [3], dtype: 'float64', seed: 1 });
    const { x, built, feeds } = build(m, 4, 7, true);
    const [[name, u]] = [...built.noise] as [[string, Node]];
    expect(name).toBe('dropout1/u');
    feeds[name] = fillUniform(new Float64Array(u.size), mulberry32(9));
    const report = await gradcheck(built.output, [x, ...built.params.values()], { feeds });
    expect(report.ok, String(report)).toBe(true);
  });
});

describe('dropout', () => {
  it('keeps a unit when u > rate, scaled by 1/(1 − rate), and is the identity in evaluation', async () => {
    const { compile } = await import('@graft/compiler');
    const { cpu } = await import('@graft/backend-cpu');
    const m = sequential([dropout(0.25)], { inputShape: [4], dtype: 'float64' });
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [1, 4]);
    const train = m.apply(x, { training: true });
    const evalOut = m.apply(x, { training: false }).output;
    expect(evalOut).toBe(x);
    const out = await compile({ y: train.output }, { backend: cpu() }).run({
      x: new Float64Array([1, 2, 3, 4]),
      'dropout1/u': new Float64Array([0.1, 0.3, 0.25, 0.9]),
    });
    expect(Array.from(out.y!)).toEqual([0, 2 / 0.75, 0, 4 / 0.75]);
  });

  it('rejects a rate outside [0, 1)', () => {
    expect(() => dropout(1)).toThrow(/rate must be in \[0, 1\)/);
    expect(() => dropout(-0.1)).toThrow(/rate/);
  });
});

describe('conv2dTranspose output size', () => {
  const up = (opts: Partial<Parameters<typeof conv2dTranspose>[0]>, inputShape = [7, 7, 4]) =>
    sequential([conv2dTranspose({ filters: 2, kernel: 3, strides: 2, padding: 'SAME', ...opts })], { inputShape });

  it('defaults to in·stride for SAME (7 → 14) and the smallest valid size for VALID (7 → 15)', () => {
    expect(up({}).outputShape).toEqual([14, 14, 2]);
    expect(up({ padding: 'VALID' }).outputShape).toEqual([15, 15, 2]);
  });

  it('outputPadding p picks the smallest valid size + p: SAME s=2 from 7 gives 13 or 14', () => {
    expect(up({ outputPadding: 0 }).outputShape).toEqual([13, 13, 2]);
    expect(up({ outputPadding: [1, 0] }).outputShape).toEqual([14, 13, 2]);
  });

  it('an outputPadding past the valid sizes lists them', () => {
    expect(() => up({ outputPadding: 2 })).toThrow(ShapeError);
    expect(() => up({ outputPadding: 2 })).toThrow(/valid output heights for input height 7 are 13 or 14 \(outputPadding 0 … 1\)/);
  });

  it('an impossible outputSize is refused by conv2dTranspose with the valid sizes', () => {
    expect(() => up({ outputSize: [15, 14] })).toThrow(/valid heights: 13 or 14; valid widths: 13 or 14/);
    expect(up({ outputSize: [13, 14] }).outputShape).toEqual([13, 14, 2]);
  });

  it('outputSize and outputPadding together are refused', () => {
    expect(() => up({ outputSize: 14, outputPadding: 1 })).toThrow(/not both/);
  });
});

describe('model', () => {
  it('names parameters by layer kind in build order and owns their values', () => {
    const m = sequential([conv2d({ filters: 4, kernel: 3 }), flatten(), dense({ units: 2, useBias: false })], { inputShape: [5, 5, 1] });
    expect([...m.params.keys()]).toEqual(['conv2d1/w', 'conv2d1/b', 'dense1/w']);
    expect(m.params.get('dense1/w')!.shape).toEqual([36, 2]);
    expect(m.parameterCount).toBe(36 + 4 + 72);
    expect(m.outputShape).toEqual([2]);
    expect(m.summary()).toContain('total 112 parameters');
  });

  it('a functional build with explicit names', () => {
    const m = model((x, { apply }) => apply(dense({ units: 1, name: 'head' }), apply(dense({ units: 3, activation: 'relu' }), x)), { inputShape: [2] });
    expect([...m.params.keys()]).toEqual(['dense1/w', 'dense1/b', 'head/w', 'head/b']);
  });

  it('dense after a conv without flatten says to flatten', () => {
    expect(() => sequential([conv2d({ filters: 2, kernel: 1 }), dense({ units: 2 })], { inputShape: [3, 3, 1] })).toThrow(/flatten/);
  });

  it('setWeights checks everything before writing', () => {
    const m = sequential([dense({ units: 2 })], { inputShape: [3] });
    const before = m.getWeights();
    expect(() => m.setWeights({ 'dense1/w': new Float32Array(6), 'dense1/b': new Float32Array(3) })).toThrow(/must have 2 values/);
    expect(m.getWeights()).toEqual(before);
  });
});
