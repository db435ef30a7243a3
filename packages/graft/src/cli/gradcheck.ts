import { UsageError, numberOption, type Args } from './args.ts';

/** Example models `graft gradcheck` knows, each printing its report and returning whether it passed. */
const examples: Readonly<Record<string, (seed: number) => Promise<boolean>>> = {
  async cnn(seed) {
    const { gradcheckCnn } = await import('../programs/gradcheck-cnn.ts');
    const r = await gradcheckCnn(seed);
    console.log(r.lines.join('\n'));
    return r.first.ok && r.second.ok;
  },
};

export async function gradcheckCommand(args: Args): Promise<number> {
  const [name] = args.positional;
  if (name === undefined) throw new UsageError(`name an example: ${Object.keys(examples).join(', ')}`);
  const run = examples[name];
  if (run === undefined) throw new UsageError(`unknown example "${name}"; examples: ${Object.keys(examples).join(', ')}`);
  const seed = numberOption(args, 'seed', 1, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
  return (await run(seed)) ? 0 : 1;
}
