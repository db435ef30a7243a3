import { grad } from '@graft/autodiff';
import { cpu } from '@graft/backend-cpu';
import { compile, type Backend, type Program } from '@graft/compiler';
import { AttrError, Graph, ShapeError, allocate, fmtShape, shapesEqual, sizeOf, type FloatArray, type Node } from '@graft/ir';
import { checkDataset, epochOrder, type Augment, type Dataset } from './data.ts';
import { NonFiniteError, describeNode, findFirstNonFinite } from './diagnose.ts';
import { losses, type Loss, type LossName } from './losses.ts';
import type { Model, ModelGraph } from './model.ts';
import { adam, type Optimizer } from './optimizers.ts';
import { ProgressBar, formatDuration, type ProgressStream } from './progress.ts';
import { platform } from '#platform';
import { fillUniform, streamFor, type Rng } from './random.ts';

export interface TrainerOptions {
  /** The loss, by name or as a function (default softmaxCrossEntropy). */
  readonly loss?: Loss | LossName;
  /** Default `adam()`. */
  readonly optimizer?: Optimizer;
  /** Examples per training step (default 32). */
  readonly batchSize?: number;
  /** Examples per evaluation run (default max(batchSize, 250)). */
  readonly evalBatchSize?: number;
  /** Default `cpu()`. */
  readonly backend?: Backend;
  /** Seed of shuffling and dropout masks (default the model's seed). */
  readonly seed?: number;
}

export interface EpochRecord {
  readonly epoch: number;
  /** Mean training loss over the epoch's steps (dropout on, weights changing). */
  readonly loss: number;
  /** Training accuracy over the epoch's steps, when the data has labels. */
  readonly accuracy?: number | undefined;
  readonly testLoss?: number | undefined;
  readonly testAccuracy?: number | undefined;
  /** Seconds spent in training steps (evaluation excluded). */
  readonly seconds: number;
  readonly imagesPerSecond: number;
}

export interface FitOptions {
  /** Default 1. */
  readonly epochs?: number;
  /** Evaluated after every epoch (no dropout). */
  readonly test?: Dataset | undefined;
  /** A constant, or a schedule of (epoch from 1, step within the epoch from 0); default the optimiser's. */
  readonly learningRate?: number | ((epoch: number, step: number) => number);
  /** No progress bar and no epoch lines. */
  readonly quiet?: boolean;
  /** Where the progress bar and epoch lines go (default process.stderr in Node, none in a page; the bar only on a TTY). */
  readonly progress?: ProgressStream;
  /** Changes each training batch in place before the step (e.g. `randomShift(2)`); seeded from the trainer's seed. */
  readonly augment?: Augment;
  /** Stop each epoch after this many steps (for smoke tests). */
  readonly maxStepsPerEpoch?: number;
  readonly onEpoch?: (record: EpochRecord) => void;
}

export interface FitResult {
  readonly history: readonly EpochRecord[];
  /** Updates made (over all epochs). */
  readonly steps: number;
  /** Training throughput over all epochs (evaluation excluded). */
  readonly imagesPerSecond: number;
  /** Wall time including evaluation. */
  readonly seconds: number;
}

export interface Evaluation {
  /** Mean loss over the examples. */
  readonly loss: number;
  /** Fraction of argmax(output) = label, when the data has labels and outputs are `[batch, classes]`. */
  readonly accuracy?: number | undefined;
}

interface TrainProgram {
  readonly program: Program;
  readonly graph: ModelGraph;
  readonly outputs: readonly Node[];
  readonly feeds: Record<string, FloatArray>;
  readonly noise: readonly FloatArray[];
}

interface EvalProgram {
  readonly program: Program;
  readonly feeds: Record<string, FloatArray>;
}

/**
 * Trains a model: one compiled program computes the loss, the gradients (`grad`), the
 * optimiser's new parameter and state values, and the model's new state (moving statistics);
 * after each run the trainer copies them back into the model's parameters and state and its
 * own optimiser state arrays. Evaluation programs (no dropout, moving statistics) are
 * compiled per batch size.
 */
export class Trainer {
  readonly model: Model;
  readonly optimizer: Optimizer;
  readonly loss: Loss;
  readonly batchSize: number;
  readonly evalBatchSize: number;
  readonly backend: Backend;
  readonly seed: number;
  /** Optimiser state by `${param}/${slot}`, zero at the start. */
  readonly state = new Map<string, FloatArray>();
  /** Updates made so far (Adam's t before the next update). */
  updates = 0;
  #train: TrainProgram | undefined;
  readonly #eval = new Map<number, EvalProgram>();
  readonly #noiseRng: Rng;

  constructor(model: Model, options: TrainerOptions = {}) {
    this.model = model;
    const loss = options.loss ?? 'softmaxCrossEntropy';
    if (typeof loss === 'string') {
      const found = (losses as Record<string, Loss>)[loss];
      if (found === undefined) throw new AttrError('Trainer', `loss must be a function or one of ${Object.keys(losses).join(', ')}`, { loss });
      this.loss = found;
    } else this.loss = loss;
    this.optimizer = options.optimizer ?? adam();
    this.batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new AttrError('Trainer', 'batchSize must be a positive integer', { batchSize: this.batchSize });
    this.evalBatchSize = options.evalBatchSize ?? Math.max(this.batchSize, 250);
    if (!Number.isInteger(this.evalBatchSize) || this.evalBatchSize < 1) throw new AttrError('Trainer', 'evalBatchSize must be a positive integer', { evalBatchSize: this.evalBatchSize });
    this.backend = options.backend ?? cpu();
    this.seed = options.seed ?? model.seed;
    this.#noiseRng = streamFor(this.seed, 'noise');
    for (const p of model.params.values()) {
      for (const slot of this.optimizer.slots) this.state.set(`${p.name}/${slot}`, allocate(model.dtype, p.value.length));
    }
  }

  #checkShapes(d: Dataset): void {
    const want = this.model.outputShape;
    if (!shapesEqual(d.inputShape, this.model.inputShape)) {
      throw new ShapeError('fit', `data inputShape ${fmtShape(d.inputShape)} must equal the model's ${fmtShape(this.model.inputShape)}`, { inputShape: d.inputShape, expected: this.model.inputShape });
    }
    if (!shapesEqual(d.targetShape, want)) {
      throw new ShapeError('fit', `data targetShape ${fmtShape(d.targetShape)} must equal the model's output shape ${fmtShape(want)}`, { targetShape: d.targetShape, expected: want });
    }
    if ((d.inputs instanceof Float64Array ? 'float64' : 'float32') !== this.model.dtype) {
      throw new ShapeError('fit', `data must be ${this.model.dtype} like the model (see castDataset)`, { dtype: d.inputs instanceof Float64Array ? 'float64' : 'float32', expected: this.model.dtype });
    }
  }

  #buildTrain(): TrainProgram {
    const m = this.model;
    const g = new Graph({ dtype: m.dtype });
    const x = g.input('x', [this.batchSize, ...m.inputShape]);
    const target = g.input('target', [this.batchSize, ...m.outputShape]);
    const built = m.apply(x, { training: true });
    const loss = this.loss(g, built.output, target);
    if (loss.size !== 1) throw new ShapeError('Trainer', `loss must be a scalar, got ${fmtShape(loss.shape)}`, { shape: loss.shape });
    const params = [...m.params.values()];
    const grads = grad(loss, params.map((p) => built.params.get(p.name)!));
    const scalars = { lr: g.input('train/lr', []), t: g.input('train/t', []) };
    const outputs: Record<string, Node> = { loss, output: built.output };
    const feeds: Record<string, FloatArray> = {
      x: allocate(m.dtype, x.size),
      target: allocate(m.dtype, target.size),
      'train/lr': allocate(m.dtype, 1),
      'train/t': allocate(m.dtype, 1),
    };
    params.forEach((p, i) => {
      const state: Record<string, Node> = {};
      for (const slot of this.optimizer.slots) {
        state[slot] = g.input(`opt/${p.name}/${slot}`, p.shape);
        feeds[`opt/${p.name}/${slot}`] = this.state.get(`${p.name}/${slot}`)!;
      }
      const u = this.optimizer.update(g, built.params.get(p.name)!, grads[i]!, state, scalars);
      outputs[`param:${p.name}`] = u.param;
      for (const slot of this.optimizer.slots) outputs[`state:${p.name}/${slot}`] = u.state[slot]!;
      feeds[p.name] = p.value;
    });
    for (const t of m.state.values()) {
      feeds[t.name] = t.value;
      const next = built.updates.get(t.name);
      if (next !== undefined) outputs[`update:${t.name}`] = next;
    }
    const noise = [...built.noise].map(([name, n]) => (feeds[name] = allocate(m.dtype, n.size)));
    const program = compile(outputs, { backend: this.backend });
    return { program, graph: built, outputs: Object.values(outputs), feeds, noise };
  }

  #evalProgram(batch: number): EvalProgram {
    let e = this.#eval.get(batch);
    if (e !== undefined) return e;
    const m = this.model;
    const g = new Graph({ dtype: m.dtype });
    const x = g.input('x', [batch, ...m.inputShape]);
    const target = g.input('target', [batch, ...m.outputShape]);
    const built = m.apply(x, { training: false });
    const loss = this.loss(g, built.output, target);
    const feeds: Record<string, FloatArray> = { x: allocate(m.dtype, x.size), target: allocate(m.dtype, target.size) };
    for (const p of m.params.values()) feeds[p.name] = p.value;
    for (const t of m.state.values()) feeds[t.name] = t.value;
    e = { program: compile({ loss, output: built.output }, { backend: this.backend }), feeds };
    this.#eval.set(batch, e);
    return e;
  }

  /**
   * One update on a batch (`inputs` `[batchSize, ...inputShape]`, `targets` likewise) at
   * learning rate `lr` (default the optimiser's). Returns the loss before the update and
   * a copy of the model's output. Throws NonFiniteError, with the model unchanged, when
   * the loss or any new parameter value is NaN or infinite.
   */
  step(inputs: FloatArray, targets: FloatArray, lr = this.optimizer.learningRate): Promise<{ loss: number; output: FloatArray }> {
    const xs = this.batchSize * sizeOf(this.model.inputShape);
    if (inputs.length !== xs) throw new ShapeError('Trainer.step', `inputs must hold batchSize (${this.batchSize}) examples of ${fmtShape(this.model.inputShape)}: ${xs} values, got ${inputs.length}`, { batchSize: this.batchSize, inputShape: this.model.inputShape, expected: xs, length: inputs.length });
    const ts = this.batchSize * sizeOf(this.model.outputShape);
    if (targets.length !== ts) throw new ShapeError('Trainer.step', `targets must hold ${ts} values for batchSize ${this.batchSize}, got ${targets.length}`, { batchSize: this.batchSize, expected: ts, length: targets.length });
    return this.#step(inputs, targets, lr, { epoch: 0, step: this.updates + 1 });
  }

  async #step(inputs: FloatArray, targets: FloatArray, lr: number, where: { epoch: number; step: number }): Promise<{ loss: number; output: FloatArray }> {
    const tp = (this.#train ??= this.#buildTrain());
    tp.feeds.x!.set(inputs);
    tp.feeds.target!.set(targets);
    tp.feeds['train/lr']![0] = lr;
    tp.feeds['train/t']![0] = this.updates + 1;
    for (const u of tp.noise) fillUniform(u, this.#noiseRng);
    const out = await tp.program.run(tp.feeds);
    const loss = out.loss![0]!;
    let bad: string | undefined = Number.isFinite(loss) ? undefined : `loss is ${loss}`;
    if (bad === undefined) {
      for (const p of this.model.params.values()) {
        const v = out[`param:${p.name}`]!;
        for (let i = 0; i < v.length; i++) {
          if (!Number.isFinite(v[i]!)) {
            bad = `the update of "${p.name}" is ${v[i]} at element ${i}`;
            break;
          }
        }
        if (bad !== undefined) break;
      }
    }
    if (bad !== undefined) await this.#explainNonFinite(tp, bad, lr, where);
    for (const p of this.model.params.values()) {
      p.value.set(out[`param:${p.name}`]!);
      for (const slot of this.optimizer.slots) this.state.get(`${p.name}/${slot}`)!.set(out[`state:${p.name}/${slot}`]!);
    }
    for (const t of this.model.state.values()) {
      const next = out[`update:${t.name}`];
      if (next !== undefined) t.value.set(next);
    }
    this.updates++;
    return { loss, output: out.output!.slice() };
  }

  async #explainNonFinite(tp: TrainProgram, bad: string, lr: number, where: { epoch: number; step: number }): Promise<never> {
    const first = await findFirstNonFinite(tp.outputs, tp.feeds, this.backend);
    const detail =
      first === undefined
        ? 'no node was non-finite when the step was re-run'
        : `first non-finite value: ${describeNode(first.node, tp.graph.layerOf)}, element ${first.index} = ${first.value} ` +
          `(${first.count} of ${first.node.size} non-finite${first.inputMaxAbs.length > 0 ? `; largest finite |input| ${first.inputMaxAbs.map((v) => v.toExponential(2)).join(', ')}` : ''})`;
    throw new NonFiniteError(
      `training must keep the loss and parameters finite: ${bad} at ${where.epoch > 0 ? `epoch ${where.epoch}, step ${where.step} (update ${this.updates + 1})` : `update ${this.updates + 1}`}, learning rate ${lr}; ${detail}`,
      where.epoch,
      where.step,
      first,
      { update: this.updates + 1, learningRate: lr },
    );
  }

  /** Mean loss (and accuracy when there are labels) over `data`, without dropout. */
  async evaluate(data: Dataset): Promise<Evaluation> {
    checkDataset('evaluate', data);
    this.#checkShapes(data);
    let lossSum = 0;
    let correct = 0;
    await this.#forEachEvalBatch(data, (start, n, loss, output) => {
      lossSum += loss * n;
      if (data.labels !== undefined) correct += countCorrect(output, data.labels, start, n);
    });
    const classify = data.labels !== undefined && this.model.outputShape.length === 1;
    return { loss: lossSum / data.length, accuracy: classify ? correct / data.length : undefined };
  }

  /** The model's outputs (no dropout) for the first `count` examples of `inputs` (`[count, ...inputShape]`). */
  async predict(inputs: FloatArray, count = inputs.length / sizeOf(this.model.inputShape)): Promise<FloatArray> {
    const xs = sizeOf(this.model.inputShape);
    if (!Number.isInteger(count) || count < 1 || count * xs > inputs.length) {
      throw new ShapeError('predict', `inputs must hold ${count} examples of ${fmtShape(this.model.inputShape)}`, { count, inputShape: this.model.inputShape, values: inputs.length });
    }
    const os = sizeOf(this.model.outputShape);
    const out = allocate(this.model.dtype, count * os);
    const d: Dataset = {
      length: count,
      inputs: inputs.subarray(0, count * xs),
      inputShape: this.model.inputShape,
      targets: allocate(this.model.dtype, count * os),
      targetShape: this.model.outputShape,
    };
    await this.#forEachEvalBatch(d, (start, n, _loss, output) => out.set(output.subarray(0, n * os), start * os));
    return out;
  }

  async #forEachEvalBatch(d: Dataset, use: (start: number, n: number, loss: number, output: FloatArray) => void): Promise<void> {
    const xs = sizeOf(d.inputShape);
    const ts = sizeOf(d.targetShape);
    for (let start = 0; start < d.length; start += this.evalBatchSize) {
      const n = Math.min(this.evalBatchSize, d.length - start);
      const e = this.#evalProgram(n);
      e.feeds.x!.set(d.inputs.subarray(start * xs, (start + n) * xs));
      e.feeds.target!.set(d.targets.subarray(start * ts, (start + n) * ts));
      const out = await e.program.run(e.feeds);
      use(start, n, out.loss![0]!, out.output!);
    }
  }

  /**
   * Trains for `epochs` passes over `train` in seeded shuffled mini-batches (a fresh
   * permutation per epoch; the last `length mod batchSize` examples of each permutation
   * are left out of that epoch), evaluating on `test` after each epoch.
   */
  async fit(train: Dataset, options: FitOptions = {}): Promise<FitResult> {
    checkDataset('fit', train);
    this.#checkShapes(train);
    if (options.test !== undefined) {
      checkDataset('fit', options.test);
      this.#checkShapes(options.test);
    }
    const epochs = options.epochs ?? 1;
    if (!Number.isInteger(epochs) || epochs < 1) throw new AttrError('fit', 'epochs must be a positive integer', { epochs });
    const B = this.batchSize;
    if (train.length < B) throw new AttrError('fit', `batchSize (${B}) must not exceed the training examples (${train.length})`, { batchSize: B, examples: train.length });
    const lrOption = options.learningRate ?? this.optimizer.learningRate;
    const lrAt = typeof lrOption === 'function' ? lrOption : () => lrOption;
    const stream = options.progress ?? platform.defaultProgress();
    const bar = new ProgressBar(stream, options.quiet !== true);
    const say = (line: string) => {
      if (bar.enabled) bar.done(line);
    };
    const xs = sizeOf(train.inputShape);
    const ts = sizeOf(train.targetShape);
    const xBatch = allocate(this.model.dtype, B * xs);
    const tBatch = allocate(this.model.dtype, B * ts);
    const labels = new Uint8Array(B);
    const augmentRng = streamFor(this.seed, 'augment');
    const history: EpochRecord[] = [];
    const t0 = performance.now();
    let trainSeconds = 0;
    let trained = 0;
    let steps = 0;
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const order = epochOrder(train.length, this.seed, epoch);
      const stepsThisEpoch = Math.min(Math.floor(train.length / B), options.maxStepsPerEpoch ?? Infinity);
      let lossSum = 0;
      let correct = 0;
      const e0 = performance.now();
      for (let s = 0; s < stepsThisEpoch; s++) {
        for (let k = 0; k < B; k++) {
          const i = order[s * B + k]!;
          xBatch.set(train.inputs.subarray(i * xs, (i + 1) * xs), k * xs);
          tBatch.set(train.targets.subarray(i * ts, (i + 1) * ts), k * ts);
          if (train.labels !== undefined) labels[k] = train.labels[i]!;
        }
        options.augment?.(xBatch, B, train.inputShape, augmentRng);
        const lr = lrAt(epoch, s);
        const { loss, output } = await this.#step(xBatch, tBatch, lr, { epoch, step: s + 1 });
        lossSum += loss;
        if (train.labels !== undefined) correct += countCorrect(output, labels, 0, B);
        steps++;
        const elapsed = (performance.now() - e0) / 1000;
        bar.update(`epoch ${epoch}/${epochs}`, (s + 1) * B, stepsThisEpoch * B, ((s + 1) * B) / elapsed, lossSum / (s + 1), s + 1 === stepsThisEpoch);
      }
      const seconds = (performance.now() - e0) / 1000;
      trainSeconds += seconds;
      trained += stepsThisEpoch * B;
      const test = options.test === undefined ? undefined : await this.evaluate(options.test);
      const classify = train.labels !== undefined && this.model.outputShape.length === 1;
      const record: EpochRecord = {
        epoch,
        loss: lossSum / stepsThisEpoch,
        accuracy: classify ? correct / (stepsThisEpoch * B) : undefined,
        testLoss: test?.loss,
        testAccuracy: test?.accuracy,
        seconds,
        imagesPerSecond: (stepsThisEpoch * B) / seconds,
      };
      history.push(record);
      say(formatEpoch(record, epochs));
      options.onEpoch?.(record);
    }
    return { history, steps, imagesPerSecond: trained / trainSeconds, seconds: (performance.now() - t0) / 1000 };
  }

  /** Frees the compiled programs. */
  dispose(): void {
    this.#train?.program.dispose();
    for (const e of this.#eval.values()) e.program.dispose();
    this.#train = undefined;
    this.#eval.clear();
  }
}

/** `epoch 2/3  loss 0.1234  acc 96.10%  test loss 0.0950  test acc 97.05%  812 img/s  9.8s`. */
export function formatEpoch(r: EpochRecord, epochs: number): string {
  const pct = (a: number) => `${(a * 100).toFixed(2)}%`;
  return [
    `epoch ${r.epoch}/${epochs}`,
    `loss ${r.loss.toFixed(4)}`,
    r.accuracy === undefined ? '' : `acc ${pct(r.accuracy)}`,
    r.testLoss === undefined ? '' : `test loss ${r.testLoss.toFixed(4)}`,
    r.testAccuracy === undefined ? '' : `test acc ${pct(r.testAccuracy)}`,
    `${r.imagesPerSecond.toFixed(0)} img/s`,
    formatDuration(r.seconds),
  ]
    .filter((s) => s !== '')
    .join('  ');
}

/** Index of the largest of `row` (the first on ties). */
export function argmax(values: FloatArray, offset: number, length: number): number {
  let best = 0;
  for (let k = 1; k < length; k++) if (values[offset + k]! > values[offset + best]!) best = k;
  return best;
}

/** softmax(values[offset … offset + length))[k]: the probability of class k from logits, computed stably. */
export function softmaxAt(values: FloatArray, offset: number, length: number, k: number): number {
  let z = 0;
  for (let c = 0; c < length; c++) z += Math.exp(values[offset + c]! - values[offset + k]!);
  return 1 / z;
}

function countCorrect(output: FloatArray, labels: Uint8Array, start: number, n: number): number {
  const classes = output.length / n;
  let c = 0;
  for (let k = 0; k < n; k++) if (argmax(output, k * classes, classes) === labels[start + k]) c++;
  return c;
}

/** Creates a trainer and fits: `await fit(model, train, { epochs: 3, test, batchSize: 64, optimizer: adam() })`. */
export async function fit(model: Model, train: Dataset, options: TrainerOptions & FitOptions = {}): Promise<FitResult & { trainer: Trainer }> {
  const trainer = new Trainer(model, options);
  const result = await trainer.fit(train, options);
  return { ...result, trainer };
}
