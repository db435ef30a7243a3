import { numberOption, stringOption, type Args } from './args.ts';
import { backendFromFlag } from './backend.ts';

/** `graft demo`: see programs/demo.ts. */
export async function demo(args: Args): Promise<number> {
  const quick = args.options.has('quick');
  const epochs = numberOption(args, 'epochs', quick ? 1 : 12, (n) => Number.isInteger(n) && n >= 1, 'a positive integer');
  const seed = numberOption(args, 'seed', 1, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
  const out = stringOption(args, 'out', 'report');
  const flag = stringOption(args, 'backend', 'cpu');
  const { backend, name, dispose } = backendFromFlag(flag);
  const { runDemo } = await import('../programs/demo.ts');
  try {
    const r = await runDemo({
      epochs,
      seed,
      out,
      backend,
      backendName: name,
      quiet: args.options.has('quiet'),
      // --quick: a shortened run (1 epoch on 1,000 digits) for CI and a first look.
      ...(quick ? { trainSize: 1000, testSize: 500 } : {}),
    });
    return r.ok ? 0 : 1;
  } finally {
    await dispose();
  }
}
