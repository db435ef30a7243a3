/**
 * conv2dTranspose as learned up-sampling: an autoencoder whose encoder halves the image
 * twice with strided convs (28 → 14 → 7) and whose decoder doubles it back with
 * `conv2dTranspose` layers (7 → 14 → 28), trained to reconstruct MNIST digits. Prints the
 * reconstruction MSE on held-out digits before and after training and writes a picture of
 * inputs (top row) over reconstructions (bottom row).
 *
 *     node --conditions=source --import tsx examples/upsampling-autoencoder/main.ts [--epochs N] [--batch B] [--lr η] [--seed S] [--quiet] [--out DIR]
 *
 * The picture goes to DIR (default examples/upsampling-autoencoder/out/). Measured with
 * the defaults (seed 1): MSE 0.2367 at initialisation → 0.0036 after 2 epochs (65× lower).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpu, type Backend } from 'graft';
import {
  Trainer,
  adam,
  conv2d,
  conv2dTranspose,
  encodePng,
  formatEpoch,
  invert,
  loadMnist,
  meanSquaredError,
  reconstruction,
  sequential,
  svgImage,
  tileImages,
  type GrayImage,
  type Model,
} from '@graft/nn';

export interface AutoencoderOptions {
  /** Default 2. */
  readonly epochs?: number;
  /** Default 32. */
  readonly batch?: number;
  /** Adam's learning rate (default 2e-3). */
  readonly lr?: number;
  /** Default 1. */
  readonly seed?: number;
  readonly quiet?: boolean;
  readonly backend?: Backend;
  /** Default 8,000 / 2,000. */
  readonly trainSize?: number;
  readonly testSize?: number;
  /** Digits in the picture (default 12). */
  readonly samples?: number;
}

export interface AutoencoderResult {
  /** Mean squared reconstruction error per pixel on the held-out digits, at initialisation. */
  readonly mseBefore: number;
  readonly mseAfter: number;
  readonly epochs: number;
  readonly imagesPerSecond: number;
  readonly seconds: number;
  readonly seed: number;
  readonly history: readonly { loss: number; testLoss: number }[];
  /** Inputs over reconstructions, ink dark on white. */
  readonly picture: GrayImage;
  readonly model: Model;
  readonly lines: readonly string[];
}

/**
 * 28×28×1 → conv 3×3 s2 (16) → 14×14×16 → conv 3×3 s2 (8) → 7×7×8 code (392 values, half
 * the input) → conv2dTranspose 3×3 s2 (16) → 14×14×16 → conv2dTranspose 3×3 s2 (1) →
 * sigmoid → 28×28×1. SAME padding with stride 2 maps 27 and 28 both to 14, so the
 * transposed layers need an output size; the default for SAME is in·stride (7 → 14 → 28).
 */
export function upsamplingAutoencoder(seed = 1): Model {
  return sequential(
    [
      conv2d({ filters: 16, kernel: 3, strides: 2, padding: 'SAME', activation: 'relu', init: 'heUniform' }),
      conv2d({ filters: 8, kernel: 3, strides: 2, padding: 'SAME', activation: 'relu', init: 'heUniform' }),
      conv2dTranspose({ filters: 16, kernel: 3, strides: 2, padding: 'SAME', activation: 'relu', init: 'heUniform' }),
      conv2dTranspose({ filters: 1, kernel: 3, strides: 2, padding: 'SAME', activation: 'sigmoid' }),
    ],
    { inputShape: [28, 28, 1], seed },
  );
}

export async function trainAutoencoder(options: AutoencoderOptions = {}): Promise<AutoencoderResult> {
  const epochs = options.epochs ?? 2;
  const batch = options.batch ?? 32;
  const lr = options.lr ?? 2e-3;
  const seed = options.seed ?? 1;
  const mnist = loadMnist({ trainSize: options.trainSize, testSize: options.testSize });
  const train = reconstruction(mnist.train);
  const test = reconstruction(mnist.test);
  const model = upsamplingAutoencoder(seed);
  const trainer = new Trainer(model, { loss: meanSquaredError, batchSize: batch, optimizer: adam({ learningRate: lr }), backend: options.backend ?? cpu(), seed });
  const before = await trainer.evaluate(test);
  const fitted = await trainer.fit(train, { epochs, test, quiet: options.quiet });
  const after = await trainer.evaluate(test);
  const count = Math.min(options.samples ?? 12, test.length);
  const outputs = await trainer.predict(test.inputs, count);
  trainer.dispose();
  const both = new Float32Array(2 * count * 784);
  both.set(test.inputs.subarray(0, count * 784), 0);
  both.set(outputs, count * 784);
  const picture = invert(tileImages(both, 2 * count, 28, 28, { cols: count, scale: 2, background: 0 }));
  const lines = [
    model.summary(),
    '',
    ...fitted.history.map((r) => formatEpoch(r, epochs)),
    '',
    `reconstruction MSE on ${test.length} held-out digits: ${before.loss.toFixed(5)} at initialisation → ${after.loss.toFixed(5)} after ${epochs} epoch${epochs === 1 ? '' : 's'} ` +
      `(${(before.loss / after.loss).toFixed(1)}× lower); seed ${seed}, ${fitted.imagesPerSecond.toFixed(0)} images/s training, ${fitted.seconds.toFixed(1)} s`,
  ];
  return {
    mseBefore: before.loss,
    mseAfter: after.loss,
    epochs,
    imagesPerSecond: fitted.imagesPerSecond,
    seconds: fitted.seconds,
    seed,
    history: fitted.history.map((r) => ({ loss: r.loss, testLoss: r.testLoss ?? NaN })),
    picture,
    model,
    lines,
  };
}

/** The picture as an SVG document with a caption. */
export function autoencoderSvg(r: AutoencoderResult): string {
  const w = r.picture.width * 2;
  const h = r.picture.height * 2 + 30;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="6" y="18">inputs (top) and conv2dTranspose reconstructions (bottom): MSE ${r.mseBefore.toFixed(4)} → ${r.mseAfter.toFixed(4)}</text>`,
    svgImage(r.picture, 0, 26, 2),
    '</svg>',
  ].join('\n');
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
  const r = await trainAutoencoder({ epochs: num('epochs'), batch: num('batch'), lr: num('lr'), seed: num('seed'), quiet: argv.includes('--quiet') });
  console.log(r.lines.join('\n'));
  const out = option(argv, 'out') ?? join(import.meta.dirname, 'out');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'autoencoder.png'), encodePng(r.picture));
  writeFileSync(join(out, 'autoencoder.svg'), autoencoderSvg(r));
  console.log(`wrote ${join(out, 'autoencoder.png')} and ${join(out, 'autoencoder.svg')}`);
}
