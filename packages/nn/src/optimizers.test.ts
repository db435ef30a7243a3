import { grad } from '@graft/autodiff';
import { cpu } from '@graft/backend-cpu';
import { compile } from '@graft/compiler';
import { Graph, type FloatArray, type Node } from '@graft/ir';
import { describe, expect, it } from 'vitest';
import { Trainer, adam, dense, meanSquaredError, momentum, sequential, sgd, type Optimizer } from './index.ts';

// The 3-parameter problem L(p) = Σᵢ aᵢ (pᵢ − cᵢ)², with ∂L/∂pᵢ = 2 aᵢ (pᵢ − cᵢ).
const a = [1, 2, 0.5];
const c = [1, -2, 3];
const p0 = [0.5, 0.5, -1];
const gradientAt = (p: readonly number[]) => p.map((pi, i) => 2 * a[i]! * (pi - c[i]!));

/** Runs `steps` updates of `opt` through its graph, feeding the new values back. */
async function graphSteps(opt: Optimizer, lr: number, steps: number): Promise<number[][]> {
  const g = new Graph({ dtype: 'float64' });
  const p = g.input('p', [3]);
  const loss = g.sum(g.mul(g.constant(a, [3]), g.square(g.sub(p, g.constant(c, [3])))));
  const [dp] = grad(loss, [p]);
  const state: Record<string, Node> = Object.fromEntries(opt.slots.map((s) => [s, g.input(s, [3])]));
  const u = opt.update(g, p, dp!, state, { lr: g.input('lr', []), t: g.input('t', []) });
  const program = compile({ p: u.param, ...u.state }, { backend: cpu() });
  const feeds: Record<string, FloatArray> = { p: Float64Array.from(p0), lr: Float64Array.of(lr), t: new Float64Array(1) };
  for (const s of opt.slots) feeds[s] = new Float64Array(3);
  const trajectory: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    feeds.t![0] = t;
    const out: Record<string, FloatArray> = await program.run(feeds);
    feeds.p = out.p!.slice();
    for (const s of opt.slots) feeds[s] = out[s]!.slice();
    trajectory.push(Array.from(feeds.p));
  }
  return trajectory;
}

function expectClose(actual: readonly number[][], expected: readonly number[][]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, t) => row.forEach((v, i) => expect(v, `step ${t + 1}, p[${i}]`).toBeCloseTo(expected[t]![i]!, 12)));
}

describe('optimisers match their update rules on a 3-parameter problem (float64)', () => {
  it('sgd: p ← p − η ∇', async () => {
    const eta = 0.1;
    let p = [...p0];
    const expected: number[][] = [];
    for (let t = 0; t < 3; t++) {
      const gr = gradientAt(p);
      p = p.map((pi, i) => pi - eta * gr[i]!);
      expected.push(p);
    }
    // Step 1 by hand: ∇ = [−1, 10, −4] → p = [0.6, −0.5, −0.6].
    expect(expected[0]![0]).toBeCloseTo(0.6, 14);
    expect(expected[0]![1]).toBeCloseTo(-0.5, 14);
    expect(expected[0]![2]).toBeCloseTo(-0.6, 14);
    expectClose(await graphSteps(sgd({ learningRate: eta }), eta, 3), expected);
  });

  it('momentum: v ← μv + ∇, p ← p − η v', async () => {
    const [eta, mu] = [0.05, 0.9];
    let p = [...p0];
    let v = [0, 0, 0];
    const expected: number[][] = [];
    for (let t = 0; t < 3; t++) {
      const gr = gradientAt(p);
      v = v.map((vi, i) => mu * vi + gr[i]!);
      p = p.map((pi, i) => pi - eta * v[i]!);
      expected.push(p);
    }
    expectClose(await graphSteps(momentum({ learningRate: eta, momentum: mu }), eta, 3), expected);
  });

  it('nesterov: v ← μv + ∇, p ← p − η (∇ + μ v)', async () => {
    const [eta, mu] = [0.05, 0.8];
    let p = [...p0];
    let v = [0, 0, 0];
    const expected: number[][] = [];
    for (let t = 0; t < 3; t++) {
      const gr = gradientAt(p);
      v = v.map((vi, i) => mu * vi + gr[i]!);
      p = p.map((pi, i) => pi - eta * (gr[i]! + mu * v[i]!));
      expected.push(p);
    }
    expectClose(await graphSteps(momentum({ learningRate: eta, momentum: mu, nesterov: true }), eta, 3), expected);
  });

  it('adam (Kingma & Ba, Algorithm 1) with bias correction, 3 steps', async () => {
    const [eta, b1, b2, eps] = [0.1, 0.9, 0.999, 1e-8];
    let p = [...p0];
    let m = [0, 0, 0];
    let v = [0, 0, 0];
    const expected: number[][] = [];
    for (let t = 1; t <= 3; t++) {
      const gr = gradientAt(p);
      m = m.map((mi, i) => b1 * mi + (1 - b1) * gr[i]!);
      v = v.map((vi, i) => b2 * vi + (1 - b2) * gr[i]! ** 2);
      const mHat = m.map((mi) => mi / (1 - b1 ** t));
      const vHat = v.map((vi) => vi / (1 - b2 ** t));
      p = p.map((pi, i) => pi - (eta * mHat[i]!) / (Math.sqrt(vHat[i]!) + eps));
      expected.push(p);
    }
    // With bias correction the first step is η·∇/(|∇| + ε) ≈ η·sign(∇): ∇ = [−1, 10, −4].
    expect(expected[0]![0]).toBeCloseTo(0.6, 7);
    expect(expected[0]![1]).toBeCloseTo(0.4, 7);
    expect(expected[0]![2]).toBeCloseTo(-0.9, 7);
    expectClose(await graphSteps(adam({ learningRate: eta }), eta, 3), expected);
  });

  it('rejects bad hyper-parameters', () => {
    expect(() => sgd({ learningRate: 0 })).toThrow(/learningRate must be a positive/);
    expect(() => momentum({ momentum: 1 })).toThrow(/momentum must be a number in \[0, 1\)/);
    expect(() => adam({ beta2: 1.5 })).toThrow(/beta2/);
    expect(() => adam({ epsilon: -1 })).toThrow(/epsilon/);
  });
});

describe('Trainer.step applies the optimiser and copies new values back', () => {
  it('adam on least squares through a dense layer: 3 steps match the formulas', async () => {
    // y = X·w (no bias), L = mean((Xw − t)²) over the batch of 4 → ∇ = (2/4) Xᵀ(Xw − t).
    const m = sequential([dense({ units: 1, useBias: false })], { inputShape: [3], dtype: 'float64', seed: 5 });
    const X = [[1, 2, 0], [0, 1, -1], [2, 0, 1], [1, 1, 1]];
    const T = [1, 0, -1, 2];
    const trainer = new Trainer(m, { loss: meanSquaredError, optimizer: adam({ learningRate: 0.01 }), batchSize: 4 });
    let w = Array.from(m.params.get('dense1/w')!.value);
    let mm = [0, 0, 0];
    let vv = [0, 0, 0];
    for (let t = 1; t <= 3; t++) {
      const r = X.map((row, n) => row.reduce((s, x, i) => s + x * w[i]!, 0) - T[n]!);
      const loss = r.reduce((s, e) => s + e * e, 0) / 4;
      const gr = [0, 1, 2].map((i) => (2 / 4) * X.reduce((s, row, n) => s + row[i]! * r[n]!, 0));
      mm = mm.map((mi, i) => 0.9 * mi + 0.1 * gr[i]!);
      vv = vv.map((vi, i) => 0.999 * vi + 0.001 * gr[i]! ** 2);
      w = w.map((wi, i) => wi - (0.01 * (mm[i]! / (1 - 0.9 ** t))) / (Math.sqrt(vv[i]! / (1 - 0.999 ** t)) + 1e-8));
      const out = await trainer.step(Float64Array.from(X.flat()), Float64Array.from(T));
      expect(out.loss).toBeCloseTo(loss, 12);
      Array.from(m.params.get('dense1/w')!.value).forEach((v, i) => expect(v).toBeCloseTo(w[i]!, 12));
      Array.from(trainer.state.get('dense1/w/m')!).forEach((v, i) => expect(v).toBeCloseTo(mm[i]!, 12));
    }
    expect(trainer.updates).toBe(3);
  });
});
