import { writeFile } from 'node:fs/promises';
import { compile, cpu, toDot, toSvg } from '../index.ts';
import { UsageError, stringOption, type Args } from './args.ts';

/**
 * `graft viz <example> --out graph.svg`: the example's forward and gradient graph as SVG
 * (gradient nodes coloured by the rule that made them), or with `--compiled` the compiled
 * program (fused groups as clusters); `.dot` output writes the DOT text instead.
 */
export async function vizCommand(args: Args): Promise<number> {
  const { exampleGraphs } = await import('../programs/graphs.ts');
  const names = Object.keys(exampleGraphs).join(', ');
  const [name] = args.positional;
  if (name === undefined) throw new UsageError(`name an example: ${names}`);
  const build = exampleGraphs[name];
  if (build === undefined) throw new UsageError(`unknown example "${name}"; examples: ${names}`);
  const out = stringOption(args, 'out', `${name}.svg`);
  const { outputs, description } = build();
  const source = args.options.has('compiled') ? compile(outputs, { backend: cpu() }) : outputs;
  const title = `${name}: ${description}${args.options.has('compiled') ? ' (compiled)' : ''}`;
  const text = out.endsWith('.dot') ? toDot(source, { title }) : await toSvg(source, { title });
  await writeFile(out, text);
  console.log(`graft viz: wrote ${out} (${text.length} bytes)`);
  return 0;
}
