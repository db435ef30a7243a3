/**
 * The main demo (`graft demo`): defines a small CNN, differentiates it, checks the
 * gradients numerically, trains it on MNIST and writes a report folder:
 *
 *   1. conv2dTranspose = conv2dBackpropInput on a strided, padded conv;
 *   2. d_x four ways and d_w three ways, and the lowered form of the gradient ops;
 *   3. the demo CNN: its layers, its compiled training graph, the provenance of its conv
 *      gradients;
 *   4. its float64 gradient check, first and second order;
 *   5. training on 8,000 MNIST digits, test accuracy on 2,000 held out;
 *   6. the report: curves.svg, graph.svg, predictions.svg, metrics.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  Graph,
  compile,
  cpu,
  explainGradient,
  grad,
  gradcheck,
  toSvg,
  type Backend,
  type GradcheckReport,
  type Node,
  nn,
} from '../index.ts';
import { convTransposeExample } from './conv-transpose.ts';
import { fourWaysTable } from './four-ways.ts';
import { mnistCnn, predictionsSvg, trainMnist, type MnistResult } from './mnist.ts';
import { seeded } from './util.ts';

export interface DemoOptions {
  readonly epochs?: number;
  readonly batch?: number;
  readonly lr?: number;
  readonly seed?: number;
  /** Default `cpu()`. */
  readonly backend?: Backend;
  /** How the backend is named in the report (default `cpu`). */
  readonly backendName?: string;
  /** Where the report goes (default `report`). */
  readonly out?: string;
  /** Training and test digits (default 8,000 / 2,000; smaller for a quick run). */
  readonly trainSize?: number;
  readonly testSize?: number;
  /** No progress bar. */
  readonly quiet?: boolean;
  /** Where the demo's text goes (default console.log). */
  readonly say?: (text: string) => void;
}

export interface DemoResult {
  readonly ok: boolean;
  readonly metrics: Record<string, unknown>;
  readonly files: readonly string[];
  readonly training: MnistResult;
  readonly gradcheck: { readonly first: GradcheckReport; readonly second: GradcheckReport };
}

/** The demo CNN's loss and the gradients of its conv kernels, as graph nodes. */
function demoGraph(seed: number, batch: number) {
  const model = mnistCnn(seed);
  const g = new Graph({ dtype: model.dtype });
  const x = g.input('x', [batch, ...model.inputShape]);
  const labels = g.input('labels', [batch, 10]);
  const built = model.apply(x, { training: false });
  const loss = nn.softmaxCrossEntropy(g, built.output, labels);
  const names = [...built.params.keys()];
  const params = names.map((n) => built.params.get(n)!);
  const grads = grad(loss, params);
  const outputs: Record<string, Node> = { loss };
  names.forEach((n, i) => (outputs[`d ${n}`] = grads[i]!));
  const feeds: Record<string, Float32Array> = {
    x: Float32Array.from(seeded(batch * 784, seed + 100, 0, 1)),
    labels: Float32Array.from({ length: batch * 10 }, (_, k) => (k % 10 === (Math.floor(k / 10) * 3) % 10 ? 1 : 0)),
  };
  const weights = model.getWeights();
  for (const n of names) feeds[n] = weights[n] as Float32Array;
  return { model, g, loss, names, params, grads, outputs, feeds };
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const say = options.say ?? ((t: string) => console.log(t));
  const seed = options.seed ?? 1;
  const out = resolve(options.out ?? 'report');
  const heading = (t: string) => say(`\n${t}\n${'─'.repeat(t.length)}`);

  heading('1. conv2dTranspose is conv2dBackpropInput');
  const t = await convTransposeExample();
  say(t.lines.join('\n'));

  heading('2. d_x four ways, d_w three ways');
  const f = await fourWaysTable();
  say(f.lines.join('\n'));

  heading('3. the demo CNN, its gradient graph and where its conv gradients come from');
  const d = demoGraph(seed, 64);
  say(d.model.summary());
  const program = compile(d.outputs, { backend: cpu() });
  const stats = program.stats();
  say(
    `\ntraining graph at batch 64: ${d.g.nodes.length} nodes built (forward + gradient), compiled to ${stats.steps} steps ` +
      `(${stats.fusedSteps} fused), arena ${(stats.arenaBytes / 1e6).toFixed(1)} MB for ${(stats.unplannedBytes / 1e6).toFixed(1)} MB of intermediates`,
  );
  program.dispose();
  for (const [i, n] of d.names.entries()) {
    if (n.endsWith('/w') && d.params[i]!.rank === 4) say(`\n${explainGradient(d.grads[i]!, { depth: 1 })}`);
  }

  heading('4. gradient check of the demo CNN (float64 copy, batch 2)');
  const small = demoGraph(seed, 2);
  const first = await gradcheck(small.loss, small.params, { feeds: small.feeds, order: 1, seed });
  say(`first order:\n${String(first)}`);
  const second = await gradcheck(small.loss, small.params, { feeds: small.feeds, order: 2, seed });
  say(`\nsecond order (Hessian-vector products):\n${String(second)}`);

  heading('5. training on MNIST');
  const training = await trainMnist({
    epochs: options.epochs,
    batch: options.batch,
    lr: options.lr,
    seed,
    quiet: options.quiet,
    backend: options.backend,
    trainSize: options.trainSize,
    testSize: options.testSize,
  });
  say(training.lines.join('\n'));

  heading('6. report');
  mkdirSync(out, { recursive: true });
  const files: string[] = [];
  const write = (name: string, text: string) => {
    writeFileSync(join(out, name), text);
    files.push(join(out, name));
  };
  const epochs = training.history.map((_, i) => i + 1);
  write(
    'curves.svg',
    nn.svgLineChart(
      [
        { name: 'train loss', values: training.history.map((h) => h.loss), xs: epochs },
        { name: 'test loss', values: training.history.map((h) => h.testLoss), xs: epochs },
      ],
      { title: 'demo CNN on MNIST: loss per epoch', xLabel: 'epoch', yLabel: 'cross-entropy' },
    ),
  );
  write(
    'accuracy.svg',
    nn.svgLineChart(
      [
        { name: 'train', values: training.history.map((h) => h.accuracy * 100), xs: epochs },
        { name: 'test', values: training.history.map((h) => h.testAccuracy * 100), xs: epochs },
      ],
      { title: 'demo CNN on MNIST: accuracy per epoch', xLabel: 'epoch', yLabel: 'accuracy %' },
    ),
  );
  write('predictions.svg', predictionsSvg(training));
  write('graph.svg', await toSvg(small.outputs, { title: 'demo CNN: loss and the gradients of its weights' }));
  const metrics = {
    testAccuracy: training.testAccuracy,
    testLoss: training.testLoss,
    epochs: training.epochs,
    split: training.split,
    imagesPerSecond: training.imagesPerSecond,
    backend: options.backendName ?? 'cpu',
    seed,
    trainSeconds: training.seconds,
    gradcheck: { firstOrder: first.ok, secondOrder: second.ok, maxError: Math.max(first.maxError, second.maxError) },
  };
  write('metrics.json', `${JSON.stringify(metrics, null, 2)}\n`);
  say(files.map((p) => `wrote ${p}`).join('\n'));

  const worstWays = Math.max(...f.results.map((r) => Math.max(r.maxDxDiff, r.maxDwDiff)));
  const ok = t.maxTransposeDiff === 0 && t.maxAdjointGap < 1e-12 && worstWays < 1e-12 && first.ok && second.ok && Number.isFinite(training.testLoss);
  say(
    `\ndemo ${ok ? 'passed' : 'FAILED'}: gradcheck ${first.ok ? 'ok' : 'FAILED'} (1st) / ${second.ok ? 'ok' : 'FAILED'} (2nd), ` +
      `test accuracy ${(training.testAccuracy * 100).toFixed(2)}% after ${training.epochs} epoch(s), ${training.imagesPerSecond.toFixed(0)} images/s on ${metrics.backend}`,
  );
  return { ok, metrics, files, training, gradcheck: { first, second } };
}
