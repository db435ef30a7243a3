/**
 * A small residual network with batch normalisation and a depthwise-separable block, built
 * with the functional model API, trains on MNIST in the suite on cpu() and on gpu.js's
 * WebAssembly mode, in lockstep on the same batches:
 *
 *     x[28,28,1] → conv 3×3 s2 (8) → BN → relu ─┬→ conv 3×3 (8) → BN → relu → conv 3×3 (8) → BN ─(+)→ relu ─┬→ separable 3×3 s2 (16) → BN → relu → GAP ─┐
 *                                               └───────────────────── shortcut ─────────────────┘          └──────────────────────── GAP ──────────────┴→ concat → dense 10
 *
 * The two executors compute the same numbers: one step's loss, gradients and moving
 * statistics agree within 1e-4, the first step's loss to float32 rounding (1e-5) and the next
 * nine within 1e-4. Later steps drift apart, as any two float32 summation orders make a
 * training trajectory do (with Adam, whose normalised first update magnifies the sign of
 * near-zero gradients, they part from the second step on, which is why this uses SGD with
 * momentum); both learn: the loss falls and test accuracy is far above chance (10%).
 */
import { describe, expect, it } from 'vitest';
import { Graph, compile, cpu, grad, nn, type Backend, type FloatArray, type Node } from 'graft';
import { gpujs, KERNEL_CLASS } from '../packages/backend-gpujs/src/index.ts';

const { input, apply, functional, conv2d, batchNorm, relu, add, concatenate, separableConv2d, globalAvgPool, dense, Trainer, momentum, loadMnist, epochOrder, subset, take } = nn;

const BATCH = 32;
const STEPS = 300;
/** SGD with momentum 0.9: 0.1 for 60% of the steps, 0.03 for 25%, then 0.005 so the moving statistics settle. */
const rate = (step: number) => (step < 0.6 * STEPS ? 0.1 : step < 0.85 * STEPS ? 0.03 : 0.005);

function residualNet(seed: number): nn.Model {
  const bn = () => batchNorm({ momentum: 0.9 });
  const conv = (strides: number) => conv2d({ filters: 8, kernel: 3, strides, padding: 'SAME', useBias: false, init: 'heUniform' });
  const x = input();
  const stem = apply(relu(), apply(bn(), apply(conv(2), x)));
  const h = apply(bn(), apply(conv(1), apply(relu(), apply(bn(), apply(conv(1), stem)))));
  const res = apply(relu(), apply(add(), [h, stem]));
  const sep = apply(relu(), apply(bn(), apply(separableConv2d({ filters: 16, kernel: 3, strides: 2, padding: 'SAME', useBias: false }), res)));
  const features = apply(concatenate(), [apply(globalAvgPool(), sep), apply(globalAvgPool(), res)]);
  return functional(x, apply(dense({ units: 10 }), features), { inputShape: [28, 28, 1], seed });
}

/** |a − b| ≤ tol · max |b| over the tensor. */
function expectClose(a: FloatArray, b: FloatArray, tol: number, what: string): void {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  }
  expect(worst, `${what}: largest difference ${worst} against largest value ${scale}`).toBeLessThanOrEqual(tol * scale);
}

describe(`residual CNN with batch norm and a depthwise-separable block on MNIST (batch ${BATCH})`, () => {
  const { train, test } = loadMnist();

  it("one training step's loss, gradients and moving statistics agree on cpu() and gpujs webasm within 1e-4", async () => {
    const m = residualNet(1);
    const g = new Graph({ dtype: 'float32' });
    const x = g.input('x', [BATCH, 28, 28, 1]);
    const target = g.input('target', [BATCH, 10]);
    const built = m.apply(x, { training: true });
    const loss = g.neg(g.mean(g.sum(g.mul(target, g.logSoftmax(built.output)), [1])));
    const params = [...built.params.values()];
    const grads = grad(loss, params);
    const outputs: Record<string, Node> = { loss, ...Object.fromEntries(built.updates) };
    params.forEach((p, i) => (outputs[`d ${(p as Node<'input'>).attrs.name}`] = grads[i]!));
    const batch = subset(train, Array.from({ length: BATCH }, (_, i) => i));
    const feeds: Record<string, FloatArray> = { x: batch.inputs, target: batch.targets };
    for (const p of m.params.values()) feeds[p.name] = p.value;
    for (const t of m.state.values()) feeds[t.name] = t.value;
    const webasm = gpujs({ mode: 'webasm' });
    try {
      const [a, b] = await Promise.all([compile(outputs, { backend: cpu() }).run(feeds), compile(outputs, { backend: webasm }).run(feeds)]);
      for (const name of Object.keys(outputs)) expectClose(b[name]!, a[name]!, 1e-4, name);
      expect([...webasm.kernelClasses()]).toEqual([KERNEL_CLASS.webasm]);
    } finally {
      await webasm.dispose();
    }
  });

  it(`${STEPS} steps of SGD with momentum in lockstep: the first losses agree, the loss falls and test accuracy is far above chance on both`, async () => {
    const a = residualNet(1);
    const b = residualNet(1);
    expect(b.getWeights()).toEqual(a.getWeights());
    const webasm = gpujs({ mode: 'webasm' });
    const options = (backend: Backend) => ({ batchSize: BATCH, optimizer: momentum({ learningRate: 0.1, momentum: 0.9 }), backend, evalBatchSize: 500 });
    const ta = new Trainer(a, options(cpu()));
    const tb = new Trainer(b, options(webasm));
    try {
      const losses: [number[], number[]] = [[], []];
      let worstEarly = 0;
      let worstLate = 0;
      const seconds = [0, 0];
      for (let s = 0; s < STEPS; s++) {
        const epoch = 1 + Math.floor((s * BATCH) / train.length);
        const at = (s * BATCH) % train.length;
        const batch = subset(train, epochOrder(train.length, 7, epoch).subarray(at, at + BATCH));
        const lr = rate(s);
        let t0 = performance.now();
        const la = (await ta.step(batch.inputs, batch.targets, lr)).loss;
        seconds[0]! += (performance.now() - t0) / 1000;
        t0 = performance.now();
        const lb = (await tb.step(batch.inputs, batch.targets, lr)).loss;
        seconds[1]! += (performance.now() - t0) / 1000;
        losses[0].push(la);
        losses[1].push(lb);
        const rel = Math.abs(la - lb) / Math.abs(la);
        if (s < 10) {
          // Step 0 is one forward pass from equal weights: float32 rounding alone. Each update
          // then carries the previous steps' rounding differences along.
          expect(rel, `step ${s}: cpu loss ${la}, webasm loss ${lb}`).toBeLessThanOrEqual(s === 0 ? 1e-5 : 1e-4);
          worstEarly = Math.max(worstEarly, rel);
        } else worstLate = Math.max(worstLate, rel);
      }
      const held = take(test, 1000);
      const [ea, eb] = [await ta.evaluate(held), await tb.evaluate(held)];
      const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
      const report = (name: string, l: number[], e: nn.Evaluation, sec: number) =>
        `${name}: loss ${mean(l.slice(0, 10)).toFixed(3)} (first 10 steps) → ${mean(l.slice(-30)).toFixed(3)} (last 30), test accuracy ${(e.accuracy! * 100).toFixed(1)}% on 1000 digits, ${((sec / STEPS) * 1000).toFixed(1)} ms/step`;
      console.log(
        [
          report('cpu()', losses[0], ea, seconds[0]!),
          report('gpujs(webasm)', losses[1], eb, seconds[1]!),
          `largest relative loss difference: ${worstEarly.toExponential(2)} in steps 0–9, ${worstLate.toExponential(2)} in steps 10–${STEPS - 1}`,
        ].join('\n'),
      );
      for (const [l, e] of [
        [losses[0], ea],
        [losses[1], eb],
      ] as const) {
        expect(mean(l.slice(-30))).toBeLessThan(0.5 * mean(l.slice(0, 10)));
        expect(e.accuracy!).toBeGreaterThan(0.6);
      }
      expect(Math.abs(ea.accuracy! - eb.accuracy!)).toBeLessThan(0.1);
    } finally {
      ta.dispose();
      tb.dispose();
      await webasm.dispose();
    }
  }, 300_000);
});
