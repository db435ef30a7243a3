/**
 * Named example graphs (forward + gradient nodes) for `graft viz`, `graft diff` and the
 * examples' `--svg` option.
 */
import { Graph, grad, type Node } from '../index.ts';
import { smallCnn, smallCnnFeeds, tinyCnn } from './small-cnn.ts';
import { seeded } from './util.ts';

export interface ExampleGraph {
  readonly description: string;
  readonly outputs: Readonly<Record<string, Node>>;
  /** Seeded values for every input (float64; `graft diff` casts them per executor). */
  feeds(seed: number): Record<string, Float64Array>;
}

export const exampleGraphs: Readonly<Record<string, () => ExampleGraph>> = {
  conv() {
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [2, 7, 7, 3]);
    const w = g.input('w', [3, 3, 3, 4]);
    const y = g.conv2d(x, w, { strides: 2, padding: 'SAME' });
    const loss = g.sum(g.square(y));
    const [dx, dw] = grad(loss, [x, w]);
    return {
      description: 'a strided SAME conv2d, Σ y², and its gradients',
      outputs: { loss, dx: dx!, dw: dw! },
      feeds: (seed) => ({ x: seeded(x.size, seed), w: seeded(w.size, seed + 1) }),
    };
  },
  cnn() {
    const net = smallCnn(tinyCnn);
    const names = Object.keys(net.params);
    const grads = grad(net.loss, Object.values(net.params));
    const outputs: Record<string, Node> = { loss: net.loss };
    grads.forEach((d, i) => (outputs[`d${names[i]}`] = d));
    return { description: 'the small CNN: softmax cross-entropy loss and the gradients of all its weights', outputs, feeds: (seed) => smallCnnFeeds(net, seed) };
  },
};
