import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nn } from '../index.ts';
import { UsageError, numberOption, stringOption, type Args } from './args.ts';
import { backendFromFlag } from './backend.ts';

/**
 * `graft train mnist`: trains the demo CNN on MNIST; with `--json` prints one final JSON
 * line on stdout (`testAccuracy`, `testLoss`, `epochs`, `imagesPerSecond`, `backend`,
 * `seed`, …); the progress bar goes to stderr (`--quiet` turns it off). `--save FILE` writes the
 * trained weights, `--out DIR` the sample predictions, loss curves and digits as SVG and PNG.
 */
export async function trainCommand(args: Args): Promise<number> {
  const [dataset] = args.positional;
  if (dataset !== 'mnist') throw new UsageError(`name a dataset: mnist${dataset === undefined ? '' : ` (got "${dataset}")`}`);
  const epochs = numberOption(args, 'epochs', 12, (n) => Number.isInteger(n) && n >= 1, 'a positive integer');
  const batch = numberOption(args, 'batch', 8, (n) => Number.isInteger(n) && n >= 1 && n <= 8000, 'an integer in [1, 8000]');
  const lr = numberOption(args, 'lr', 2e-3, (n) => n > 0, 'a positive number');
  const seed = numberOption(args, 'seed', 1, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
  const trainSize = numberOption(args, 'train-size', 8000, (n) => Number.isInteger(n) && n >= 1 && n <= 9999, 'an integer in [1, 9999]');
  const testSize = numberOption(args, 'test-size', Math.min(2000, 10000 - trainSize), (n) => Number.isInteger(n) && n >= 1 && n + trainSize <= 10000, `an integer in [1, ${10000 - trainSize}]`);
  const json = args.options.has('json');
  const quiet = args.options.has('quiet');
  const save = args.options.has('save') ? stringOption(args, 'save', '') : undefined;
  const out = args.options.has('out') ? stringOption(args, 'out', '') : undefined;
  const { backend, name, dispose } = backendFromFlag(stringOption(args, 'backend', 'cpu'));
  const { trainMnist, predictionsSvg, lossCurveSvg } = await import('../programs/mnist.ts');
  try {
    let r: Awaited<ReturnType<typeof trainMnist>>;
    try {
      r = await trainMnist({ epochs, batch, lr, seed, quiet, backend, trainSize, testSize });
    } catch (e) {
      // A non-finite loss stops training with a message naming the first non-finite node.
      if (e instanceof nn.NonFiniteError) {
        console.error(`graft train: ${e.message}`);
        return 1;
      }
      throw e;
    }
    const wrote: string[] = [];
    if (save !== undefined) wrote.push(`${save} (${nn.saveWeights(r.model, save)} bytes of weights)`);
    if (out !== undefined) {
      mkdirSync(out, { recursive: true });
      const files: [string, string | Uint8Array][] = [
        ['mnist-predictions.svg', predictionsSvg(r)],
        ['mnist-loss.svg', lossCurveSvg(r)],
        ['mnist-samples.png', samplesPng(r.samples)],
      ];
      for (const [name, data] of files) writeFileSync(join(out, name), data);
      wrote.push(...files.map(([name]) => join(out, name)));
    }
    if (!json) console.log([...r.lines, ...wrote.map((w) => `wrote ${w}`)].join('\n'));
    else {
      console.log(
        JSON.stringify({
          testAccuracy: r.testAccuracy,
          testLoss: r.testLoss,
          epochs: r.epochs,
          imagesPerSecond: r.imagesPerSecond,
          backend: name,
          seed: r.seed,
          batch,
          lr,
          seconds: r.seconds,
        }),
      );
    }
    return 0;
  } finally {
    await dispose();
  }
}

/** The sample test digits as one PNG (8 per row, inverted: dark ink on white). */
function samplesPng(samples: readonly { readonly pixels: Float32Array }[]): Uint8Array {
  const all = new Float32Array(samples.length * 784);
  samples.forEach((s, k) => all.set(s.pixels, k * 784));
  return nn.encodePng(nn.invert(nn.tileImages(all, samples.length, 28, 28, { cols: 8, scale: 2, background: 0 })));
}
