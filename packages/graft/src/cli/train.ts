import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nn } from '../index.ts';
import { UsageError, numberOption, stringOption, type Args } from './args.ts';
import { backendFromFlag } from './backend.ts';

/** What `graft train` uses unless told otherwise, per dataset (the README's accuracy runs). */
export const trainDefaults = {
  mnist: { model: 'small-cnn', epochs: 15, batch: 64, lr: 2e-3 },
  'fashion-mnist': { model: 'resnet-small', epochs: 20, batch: 64, lr: 2e-3 },
} as const;

/**
 * `graft train <mnist|fashion-mnist> [--model M]`: trains on the dataset's official training
 * split and reports accuracy on its official test split; with `--json` prints one final JSON
 * line on stdout (`testAccuracy`, `testLoss`, `epochs`, `imagesPerSecond`, `backend`, `seed`,
 * `dataset`, `model`, `split`, …); the progress bar goes to stderr (`--quiet` turns it off).
 * `--save FILE` writes the trained weights, `--out DIR` the curves, the confusion matrix, the
 * most confident mistakes (SVG) and `metrics.json`.
 */
export async function trainCommand(args: Args): Promise<number> {
  const [dataset] = args.positional;
  if (dataset !== 'mnist' && dataset !== 'fashion-mnist') {
    throw new UsageError(`name a dataset: mnist or fashion-mnist${dataset === undefined ? '' : ` (got "${dataset}")`}`);
  }
  const { models } = await import('../programs/train.ts');
  const d = trainDefaults[dataset];
  const model = stringOption(args, 'model', d.model);
  if (!(model in models)) throw new UsageError(`--model must be one of ${Object.keys(models).join(', ')}, got "${model}"`);
  const epochs = numberOption(args, 'epochs', d.epochs, (n) => Number.isInteger(n) && n >= 1, 'a positive integer');
  const batch = numberOption(args, 'batch', d.batch, (n) => Number.isInteger(n) && n >= 1 && n <= 60000, 'an integer in [1, 60000]');
  const lr = numberOption(args, 'lr', d.lr, (n) => n > 0, 'a positive number');
  const seed = numberOption(args, 'seed', 1, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
  const trainLimit = numberOption(args, 'train-size', 60000, (n) => Number.isInteger(n) && n >= batch && n <= 60000, `an integer in [batch (${batch}), 60000]`);
  const testLimit = numberOption(args, 'test-size', 10000, (n) => Number.isInteger(n) && n >= 1 && n <= 10000, 'an integer in [1, 10000]');
  const shift = numberOption(args, 'shift', 2, (n) => Number.isInteger(n) && n >= 0 && n <= 8, 'an integer in [0, 8]');
  const json = args.options.has('json');
  const quiet = args.options.has('quiet');
  const save = args.options.has('save') ? stringOption(args, 'save', '') : undefined;
  const out = args.options.has('out') ? stringOption(args, 'out', '') : undefined;
  const { backend, name, dispose } = backendFromFlag(stringOption(args, 'backend', 'cpu'));
  const { trainImages, trainingPictures } = await import('../programs/train.ts');
  try {
    let r: Awaited<ReturnType<typeof trainImages>>;
    try {
      r = await trainImages({ dataset, model: model as keyof typeof models, epochs, batch, lr, seed, trainLimit, testLimit, shift, quiet, backend });
    } catch (e) {
      // A non-finite loss stops training with a message naming the first non-finite node.
      if (e instanceof nn.NonFiniteError) {
        console.error(`graft train: ${e.message}`);
        return 1;
      }
      throw e;
    }
    const metrics = {
      dataset,
      model,
      split: r.split,
      testAccuracy: r.testAccuracy,
      testLoss: r.testLoss,
      epochs: r.epochs,
      imagesPerSecond: r.imagesPerSecond,
      backend: name,
      seed: r.seed,
      batch,
      lr,
      seconds: r.seconds,
    };
    const wrote: string[] = [];
    if (save !== undefined) wrote.push(`${save} (${nn.saveWeights(r.trained, save)} bytes of weights)`);
    if (out !== undefined) {
      mkdirSync(out, { recursive: true });
      const files = { ...trainingPictures(r), 'metrics.json': `${JSON.stringify({ ...metrics, history: r.history, confusion: Array.from(r.confusion) }, null, 2)}\n` };
      for (const [file, text] of Object.entries(files)) writeFileSync(join(out, file), text);
      wrote.push(...Object.keys(files).map((f) => join(out, f)));
    }
    if (!json) console.log([...r.lines, ...wrote.map((w) => `wrote ${w}`)].join('\n'));
    else console.log(JSON.stringify(metrics));
    return 0;
  } finally {
    await dispose();
  }
}
