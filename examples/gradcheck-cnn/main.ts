/**
 * A small CNN (conv → relu → maxPool → conv → relu → maxPool → dense → softmax
 * cross-entropy) gradient-checked in float64: first order (every element of every
 * parameter against central differences) and second order (the gradient of ⟨∇L, v⟩,
 * i.e. Hessian-vector products, against central differences of the gradient).
 */
import { explainGradient, gradcheck, grad, toSvg, type GradcheckReport } from 'graft';
import { smallCnn, smallCnnFeeds, tinyCnn } from '../models/small-cnn.ts';

export interface CnnGradcheck {
  readonly first: GradcheckReport;
  readonly second: GradcheckReport;
  readonly lines: string[];
}

export async function gradcheckCnn(seed = 1): Promise<CnnGradcheck> {
  const net = smallCnn(tinyCnn);
  const feeds = smallCnnFeeds(net, seed);
  const params = Object.values(net.params);
  const first = await gradcheck(net.loss, params, { feeds, order: 1 });
  const second = await gradcheck(net.loss, params, { feeds, order: 2 });
  const [dw1] = grad(net.loss, [net.params.w1!]);
  const lines = [
    `small CNN x${JSON.stringify(net.x.shape)} → conv 3×3×1×3 → relu → maxPool 2 → conv 3×3×3×4 → relu → maxPool 2 → dense 16×3 → softmax cross-entropy (float64)`,
    '',
    'how d loss / d w1 was derived (first levels):',
    explainGradient(dw1!, { depth: 2 }),
    '',
    'first order:',
    String(first),
    '',
    'second order (Hessian-vector products):',
    String(second),
  ];
  return { first, second, lines };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // `--svg FILE` also writes the picture of the forward and gradient graph.
  const svgAt = process.argv.indexOf('--svg');
  if (svgAt > 0) {
    const file = process.argv[svgAt + 1] ?? 'gradcheck-cnn.svg';
    const { writeFile } = await import('node:fs/promises');
    const { exampleGraphs } = await import('../graphs.ts');
    await writeFile(file, await toSvg(exampleGraphs.cnn!().outputs, { title: 'small CNN: loss and weight gradients' }));
    console.log(`wrote ${file}`);
  }
  const r = await gradcheckCnn();
  console.log(r.lines.join('\n'));
  if (!r.first.ok || !r.second.ok) process.exitCode = 1;
}
