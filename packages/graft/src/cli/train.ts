import { nn } from '../index.ts';
import { UsageError, numberOption, stringOption, type Args } from './args.ts';
import { backendFromFlag } from './backend.ts';

/**
 * `graft train mnist`: trains the demo CNN on MNIST; with `--json` prints one final JSON
 * line on stdout (`testAccuracy`, `testLoss`, `epochs`, `imagesPerSecond`, `backend`,
 * `seed`, …); the progress bar goes to stderr (`--quiet` turns it off).
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
  const { backend, name, dispose } = backendFromFlag(stringOption(args, 'backend', 'cpu'));
  const { trainMnist } = await import('../../../../examples/mnist/main.ts');
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
    if (!json) console.log(r.lines.join('\n'));
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
