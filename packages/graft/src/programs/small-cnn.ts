/**
 * The small CNN the examples, demo and benchmarks share:
 * conv → biasAdd → relu → maxPool → conv → biasAdd → relu → maxPool → flatten → dense → softmax
 * cross-entropy (mean over the batch, from logits via logSoftmax).
 */
import { Graph, type DType, type Node } from '../index.ts';
import { seeded, sizeOf } from './util.ts';

export interface SmallCnnConfig {
  readonly batch: number;
  /** Input height = width. */
  readonly size: number;
  readonly channels: readonly [number, number];
  readonly kernel: number;
  readonly classes: number;
  readonly dtype: DType;
}

export interface SmallCnn {
  readonly g: Graph;
  readonly x: Node;
  readonly labels: Node;
  readonly logits: Node;
  readonly loss: Node;
  /** Trainable parameters, by name. */
  readonly params: Readonly<Record<string, Node>>;
}

/** The MNIST-sized net: 28×28×1 → 5×5×32 → pool → 5×5×64 → pool → 3136×10. */
export const mnistCnn: SmallCnnConfig = { batch: 64, size: 28, channels: [32, 64], kernel: 5, classes: 10, dtype: 'float32' };

/** A tiny version for gradient checks in float64. */
export const tinyCnn: SmallCnnConfig = { batch: 2, size: 8, channels: [3, 4], kernel: 3, classes: 3, dtype: 'float64' };

export function smallCnn(c: SmallCnnConfig): SmallCnn {
  const g = new Graph({ dtype: c.dtype });
  const [c1, c2] = c.channels;
  const k = c.kernel;
  const x = g.input('x', [c.batch, c.size, c.size, 1]);
  const labels = g.input('labels', [c.batch, c.classes]);
  const params = {
    w1: g.input('w1', [k, k, 1, c1]),
    b1: g.input('b1', [c1]),
    w2: g.input('w2', [k, k, c1, c2]),
    b2: g.input('b2', [c2]),
    wd: g.input('wd', [(c.size / 4) * (c.size / 4) * c2, c.classes]),
    bd: g.input('bd', [c.classes]),
  };
  const pool = { ksize: 2, strides: 2, padding: 'VALID' as const };
  const h1 = g.maxPool(g.relu(g.biasAdd(g.conv2d(x, params.w1, { padding: 'SAME' }), params.b1)), pool);
  const h2 = g.maxPool(g.relu(g.biasAdd(g.conv2d(h1, params.w2, { padding: 'SAME' }), params.b2)), pool);
  const flat = g.reshape(h2, [c.batch, -1]);
  const logits = g.biasAdd(g.matmul(flat, params.wd), params.bd);
  // Cross-entropy from logits: −mean_n Σ_k labels[n,k] · logSoftmax(logits)[n,k].
  const loss = g.neg(g.mean(g.sum(g.mul(labels, g.logSoftmax(logits)), [1])));
  return { g, x, labels, logits, loss, params };
}

/** Seeded feeds: inputs in [0, 1), one-hot labels, He-scaled weights, small biases. */
export function smallCnnFeeds(net: SmallCnn, seed = 1): Record<string, Float64Array> {
  const feeds: Record<string, Float64Array> = {};
  feeds.x = seeded(sizeOf(net.x.shape), seed, 0, 1);
  const [batch, classes] = net.labels.shape as [number, number];
  const labels = new Float64Array(batch * classes);
  for (let n = 0; n < batch; n++) labels[n * classes + ((n * 7 + seed) % classes)] = 1;
  feeds.labels = labels;
  let s = seed + 10;
  for (const [name, p] of Object.entries(net.params)) {
    const fanIn = p.shape.length === 1 ? 1 : sizeOf(p.shape.slice(0, -1));
    const scale = p.shape.length === 1 ? 0.1 : Math.sqrt(6 / fanIn);
    feeds[name] = seeded(sizeOf(p.shape), s++, -scale, scale);
  }
  return feeds;
}

/** Feeds in the net's dtype. */
export function castFeeds(feeds: Record<string, Float64Array>, dtype: DType): Record<string, Float32Array | Float64Array> {
  if (dtype === 'float64') return feeds;
  return Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, Float32Array.from(v)]));
}
