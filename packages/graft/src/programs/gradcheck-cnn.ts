/**
 * A small CNN (conv → relu → maxPool → conv → relu → maxPool → dense → softmax
 * cross-entropy) gradient-checked in float64: first order (every element of every
 * parameter against central differences) and second order (the gradient of ⟨∇L, v⟩,
 * i.e. Hessian-vector products, against central differences of the gradient).
 */
import { explainGradient, gradcheck, grad, type GradcheckReport } from '../index.ts';
import { smallCnn, smallCnnFeeds, tinyCnn } from './small-cnn.ts';

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
