import { DEFAULT_COMPARE_TOLERANCE, compareExecutors, formatComparison } from '../index.ts';
import { backendFromFlag } from './backend.ts';
import { UsageError, numberOption, stringOption, type Args } from './args.ts';

/**
 * `graft diff <example> --backend gpujs:<mode>`: runs every node of an example graph (forward
 * and gradient nodes) on cpu() in float64 and on the chosen executor in float32, and prints
 * where they part ways — the first diverging node in topological order, its op, attrs,
 * provenance, worst element and both values — or that every node agrees. Exit code 1 when
 * they diverge.
 */
export async function diffCommand(args: Args): Promise<number> {
  const { exampleGraphs } = await import('../programs/graphs.ts');
  const names = Object.keys(exampleGraphs).join(', ');
  const [name] = args.positional;
  if (name === undefined) throw new UsageError(`name an example: ${names}`);
  const build = Object.hasOwn(exampleGraphs, name) ? exampleGraphs[name] : undefined;
  if (build === undefined) throw new UsageError(`unknown example "${name}"; examples: ${names}`);
  const seed = numberOption(args, 'seed', 1, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
  const rtol = numberOption(args, 'rtol', DEFAULT_COMPARE_TOLERANCE.rtol, (n) => n >= 0, 'a number ≥ 0');
  const atol = numberOption(args, 'atol', DEFAULT_COMPARE_TOLERANCE.atol, (n) => n >= 0, 'a number ≥ 0');
  const candidate = backendFromFlag(stringOption(args, 'backend', 'cpu'));
  try {
    const { outputs, feeds, description } = build();
    const c = await compareExecutors(outputs, feeds(seed), { candidate: candidate.backend, tolerance: { rtol, atol } });
    console.log(`graft diff ${name}: ${description}`);
    console.log(formatComparison(c));
    return c.first === undefined ? 0 : 1;
  } finally {
    await candidate.dispose();
  }
}
