import { UsageError, parseArgs, type Args } from './args.ts';
import { demo } from './demo.ts';
import { gradcheckCommand } from './gradcheck.ts';
import { vizCommand } from './viz.ts';

interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly flags?: readonly string[];
  run(args: Args): Promise<number>;
}

const commands: Readonly<Record<string, Command>> = {
  demo: {
    summary: 'define, differentiate, gradient-check a small CNN and show conv2dTranspose = conv2dBackpropInput',
    usage: 'graft demo [--quiet]\n\n  Runs the conv-transpose examples and the float64 gradient check of a small CNN.',
    flags: ['quiet'],
    run: demo,
  },
  gradcheck: {
    summary: 'gradient-check an example model in float64 (first and second order)',
    usage: 'graft gradcheck <example> [--seed S]\n\n  examples: cnn (a small conv → relu → maxPool → … → softmax cross-entropy net)',
    run: gradcheckCommand,
  },
  viz: {
    summary: 'draw an example graph (forward and gradient nodes) as SVG with Graphviz',
    usage:
      'graft viz <example> [--out graph.svg] [--compiled]\n\n' +
      '  examples: conv (a strided conv and its gradients), cnn (the small CNN and the gradients of its weights)\n' +
      '  --out FILE    where to write (default <example>.svg; a .dot name writes DOT text)\n' +
      '  --compiled    draw the compiled program: fused elementwise groups as clusters',
    flags: ['compiled'],
    run: vizCommand,
  },
};

function help(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    'graft — symbolic autodiff and graph compilation around 2-D convolution',
    '',
    'usage: graft <command> [options]      graft <command> --help',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    console.error(`graft: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(parseArgs(rest, command.flags));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`graft ${name}: ${e.message}\n\n${command.usage}`);
      return 2;
    }
    throw e;
  }
}
