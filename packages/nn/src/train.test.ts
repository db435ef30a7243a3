import { describe, expect, it } from 'vitest';
import {
  NonFiniteError,
  Trainer,
  adam,
  castDataset,
  conv2d,
  dense,
  dropout,
  flatten,
  maxPool,
  sequential,
  sgd,
  syntheticShapes,
  type Layer,
  type ProgressStream,
} from './index.ts';

const tinyCnn = (seed = 3) =>
  sequential(
    [conv2d({ filters: 6, kernel: 3, padding: 'SAME', activation: 'relu', init: 'heUniform' }), maxPool({ ksize: 2 }), flatten(), dense({ units: 4 })],
    { inputShape: [8, 8, 1], seed },
  );

const train = syntheticShapes({ length: 256, size: 8, seed: 1 });
const test = syntheticShapes({ length: 100, size: 8, seed: 2 });

async function trainTiny(seed = 3) {
  const m = tinyCnn(seed);
  const trainer = new Trainer(m, { batchSize: 16, optimizer: adam({ learningRate: 0.02 }), evalBatchSize: 64 });
  const r = await trainer.fit(train, { epochs: 4, test, quiet: true });
  return { m, trainer, r };
}

describe('training a tiny CNN on synthetic shapes', () => {
  it('reaches test loss < 0.25 and accuracy ≥ 95% in 64 Adam steps, identically on every run', async () => {
    const a = await trainTiny();
    expect(a.r.steps).toBe(64);
    const last = a.r.history[3]!;
    expect(last.testLoss!).toBeLessThan(0.25);
    expect(last.testAccuracy!).toBeGreaterThanOrEqual(0.95);
    // Loss falls from chance (ln 4 ≈ 1.39) over the epochs.
    expect(a.r.history[0]!.loss).toBeGreaterThan(last.loss * 3);
    const b = await trainTiny();
    expect(b.r.history.map((h) => [h.loss, h.testLoss])).toEqual(a.r.history.map((h) => [h.loss, h.testLoss]));
    expect(b.m.getWeights()).toEqual(a.m.getWeights());
    const c = await trainTiny(4);
    expect(c.r.history[3]!.loss).not.toBe(last.loss);
  });

  it('evaluates every example, in batches that need not divide the data (100 = 64 + 36)', async () => {
    const { trainer } = await trainTiny();
    const whole = await trainer.evaluate(test);
    const outputs = await trainer.predict(test.inputs);
    expect(outputs.length).toBe(400);
    let correct = 0;
    for (let n = 0; n < 100; n++) {
      const row = Array.from(outputs.subarray(n * 4, n * 4 + 4));
      if (row.indexOf(Math.max(...row)) === test.labels![n]) correct++;
    }
    expect(whole.accuracy).toBe(correct / 100);
  });

  it('dropout trains with seeded masks: the same seed gives the same weights', async () => {
    const run = async () => {
      const m = sequential([flatten(), dropout(0.3), dense({ units: 4 })], { inputShape: [8, 8, 1], seed: 1 });
      await new Trainer(m, { batchSize: 32, optimizer: adam({ learningRate: 0.01 }) }).fit(train, { epochs: 1, quiet: true });
      return m.getWeights();
    };
    expect(await run()).toEqual(await run());
  });
});

describe('non-finite values stop training and name the first non-finite node', () => {
  it('a learning rate of 1e30 overflows, and the error names the node', async () => {
    const m = tinyCnn();
    const trainer = new Trainer(m, { batchSize: 16, optimizer: sgd({ learningRate: 1e30 }) });
    let error: unknown;
    let before: Record<string, Float32Array | Float64Array> = {};
    await trainer
      .fit(train, {
        epochs: 2,
        quiet: true,
        learningRate: 1e30,
        onEpoch: () => undefined,
      })
      .catch((e: unknown) => {
        error = e;
      });
    before = m.getWeights();
    expect(error).toBeInstanceOf(NonFiniteError);
    const e = error as NonFiniteError;
    const node = e.firstNonFinite!.node;
    expect(e.message).toContain(`first non-finite value: ${node}`);
    expect(e.message).toMatch(/training must keep the loss and parameters finite: (loss is (NaN|Infinity)|the update of "[^"]+" is)/);
    expect(e.message).toMatch(/learning rate 1e\+30/);
    expect(e.message).toMatch(/in layer (conv2d1|maxPool1|flatten1|dense1)/);
    // The node really is non-finite and everything it reads is finite (unless it is an input).
    expect(Number.isFinite(e.firstNonFinite!.value)).toBe(false);
    expect(e.firstNonFinite!.inputMaxAbs.every(Number.isFinite)).toBe(true);
    // The failed step wrote nothing: the weights are those after the last good update, all finite.
    expect(Object.values(before).every((v) => v.every(Number.isFinite))).toBe(true);
    expect(m.getWeights()).toEqual(before);
  });

  it('a gradient that overflows while the loss is finite is traced to the gradient node and its rule', async () => {
    // sqrt(relu(z)) is finite at z ≤ 0, but d sqrt(u)/du = 1/(2√u) is infinite at u = 0.
    const sqrtLayer: Layer = { kind: 'sqrt', config: '', build: (x, s) => s.g.sqrt(x) };
    const m = sequential([flatten(), dense({ units: 4, activation: 'relu' }), sqrtLayer], { inputShape: [8, 8, 1], seed: 1 });
    const trainer = new Trainer(m, { batchSize: 16, optimizer: sgd() });
    const before = m.getWeights();
    const e = (await trainer.fit(train, { quiet: true }).catch((x: unknown) => x)) as NonFiniteError;
    expect(e).toBeInstanceOf(NonFiniteError);
    const n = e.firstNonFinite!.node;
    expect(n.provenance?.rule).toBe('sqrt.vjp.x');
    expect(e.message).toContain(`first non-finite value: ${n} (gradient node of ${n.provenance!.forward} by rule sqrt.vjp.x)`);
    expect(e.message).toContain('in layer sqrt1');
    expect(e.message).toMatch(/the update of "dense1\/[wb]" is NaN/);
    expect(m.getWeights()).toEqual(before);
  });

  it('an infinite input pixel is traced to the input "x"', async () => {
    const bad = castDataset(train, 'float32');
    (bad.inputs as Float32Array).fill(Infinity, 0, 64 * 256);
    const m = tinyCnn();
    const trainer = new Trainer(m, { batchSize: 16 });
    const e = (await trainer.fit(bad, { quiet: true }).catch((x: unknown) => x)) as NonFiniteError;
    expect(e).toBeInstanceOf(NonFiniteError);
    expect(e.firstNonFinite!.node.op).toBe('input');
    expect(e.message).toContain('first non-finite value: input "x" float32[16,8,8,1]');
    expect(e.epoch).toBe(1);
    expect(e.step).toBe(1);
  });
});

describe('progress', () => {
  const capture = (isTTY: boolean) => {
    const chunks: string[] = [];
    const stream: ProgressStream = { isTTY, columns: 200, write: (s: string) => chunks.push(s) };
    return { stream, text: () => chunks.join('') };
  };

  it('draws a bar with throughput, loss and ETA on a terminal, then an epoch line', async () => {
    const out = capture(true);
    const m = tinyCnn();
    await new Trainer(m, { batchSize: 16 }).fit(train, { epochs: 1, test, progress: out.stream });
    expect(out.text()).toMatch(/epoch 1\/1 \[=+\] 256\/256 {2}\d+ img\/s {2}loss \d\.\d{4} {2}ETA 0s/);
    expect(out.text()).toMatch(/epoch 1\/1 {2}loss \d\.\d{4} {2}acc \d+\.\d\d% {2}test loss \d\.\d{4} {2}test acc \d+\.\d\d% {2}\d+ img\/s/);
  });

  it('is silent when not a TTY, or with quiet', async () => {
    for (const [tty, quiet] of [[false, false], [true, true]] as const) {
      const out = capture(tty);
      await new Trainer(tinyCnn(), { batchSize: 64 }).fit(train, { epochs: 1, progress: out.stream, quiet });
      expect(out.text()).toBe('');
    }
  });
});

describe('fit checks its data', () => {
  it('refuses targets that do not fit the model and a batch larger than the data', async () => {
    const t = new Trainer(sequential([flatten(), dense({ units: 3 })], { inputShape: [8, 8, 1] }), { batchSize: 16 });
    await expect(t.fit(train, { quiet: true })).rejects.toThrow(/targetShape \[4\] must equal the model's output shape \[3\]/);
    const big = new Trainer(tinyCnn(), { batchSize: 1000 });
    await expect(big.fit(train, { quiet: true })).rejects.toThrow(/batchSize \(1000\) must not exceed the training examples \(256\)/);
  });
});
