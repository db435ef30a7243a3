/**
 * Training the demo CNN in the page: the same model (`demoCnn`, graft/programs) and the same
 * trainer (`nn.Trainer`, whose one compiled program computes the loss, the gradients and Adam's
 * updates) as `graft train mnist`, stepped one batch at a time so that the page can draw the
 * curves and stay responsive between steps.
 */
import { cpu, cpuThreads, cpuWorkerChunks, gpujs, nn, type Backend, type GpujsBackend } from 'graft';
import { demoArchitecture, demoCnn } from 'graft/programs/browser';
import type { DigitSets } from './digits.ts';
import { dataset } from './digits.ts';

export type Executor = 'cpu' | 'webgl2' | 'webgpu';

export interface TrainConfig {
  readonly executor: Executor;
  /** Training digits (a prefix of the class-ordered set: balanced). */
  readonly trainDigits: number;
  /** Held-out digits evaluated after each epoch. */
  readonly testDigits: number;
  readonly epochs: number;
  readonly batch: number;
  /** Adam's peak learning rate: a linear warm-up over the first 10 steps, then a linear decay to 0. */
  readonly lr: number;
  /** The demo's dropout before the classifier (0.4 in `graft train`; off by default here: one short epoch learns more without it). */
  readonly dropout: number;
  readonly seed: number;
}

/**
 * The page's defaults: one epoch on 1,000 digits — 125 updates — reaches 92.0 % on the 1,000
 * held-out digits in the page on cpu() (seed 1; 92.1–93.1 % for seeds 1–4 in Node). Of the
 * settings tried for so few updates, Adam with β1 = 0.8, a short warm-up and a linear decay, and
 * no dropout learned most (dropout 0.4 cost 3–4 points).
 */
export const DEFAULTS: TrainConfig = { executor: 'cpu', trainDigits: 1000, testDigits: 1000, epochs: 1, batch: 8, lr: 0.004, dropout: 0, seed: 1 };

export interface StepInfo {
  readonly epoch: number;
  /** Steps done in total, and planned. */
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  /** Fraction of this step's batch classified right (before the update). */
  readonly accuracy: number;
  /** Training images per second so far (evaluation excluded). */
  readonly imagesPerSecond: number;
  readonly seconds: number;
}

export interface EpochInfo {
  readonly epoch: number;
  readonly testLoss: number;
  readonly testAccuracy: number;
  readonly evalSeconds: number;
}

/** What actually ran. */
export interface RanOn {
  readonly executor: Executor;
  /** e.g. `cpu() — WebAssembly SIMD, 2 threads (Web Workers over a shared memory)` */
  readonly description: string;
  /** gpu.js kernel classes that ran (e.g. WebGL2Kernel); `WebAssembly` for cpu(). */
  readonly kernelClasses: readonly string[];
  /** The renderer or adapter (gpu.js), or the thread count (cpu()). */
  readonly device: string;
  readonly threads: number;
  /** cpu(): chunks of work the Web Workers ran during training (0 on one thread). */
  readonly workerChunks: number;
  /** gpu.js: kernel launches, uploads and readbacks of the last training step. */
  readonly lastStep?: { readonly launches: number; readonly uploads: number; readonly readbacks: number };
}

export interface TrainResult {
  readonly ranOn: RanOn;
  readonly testAccuracy: number;
  readonly testLoss: number;
  readonly imagesPerSecond: number;
  readonly trainSeconds: number;
  readonly evalSeconds: number;
  readonly model: nn.Model;
  readonly stopped: boolean;
}

export interface TrainHooks {
  onStep?(s: StepInfo): void;
  onEpoch?(e: EpochInfo): void;
  /** Polled between steps. */
  stop?(): boolean;
}

/** Lets the page paint: a macrotask after at least `every` ms of work. */
function yielder(every = 40): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < every) return;
    await new Promise((r) => setTimeout(r, 0));
    last = performance.now();
  };
}

export function backendFor(executor: Executor): Backend {
  return executor === 'cpu' ? cpu() : gpujs({ mode: executor });
}

type StepStats = NonNullable<RanOn['lastStep']>;

function ranOn(executor: Executor, backend: Backend, workerChunks: number, lastStep: StepStats | undefined): RanOn {
  if (executor === 'cpu') {
    const threads = cpuThreads();
    const isolated = globalThis.crossOriginIsolated === true;
    return {
      executor,
      description: `cpu() — WebAssembly SIMD kernels, ${threads} thread${threads === 1 ? '' : 's'}${isolated ? ' (Web Workers over a shared memory; the page is cross-origin isolated)' : ' (the page is not cross-origin isolated)'}`,
      kernelClasses: ['WebAssembly'],
      device: `${threads} thread${threads === 1 ? '' : 's'}`,
      threads,
      workerChunks,
    };
  }
  const g = backend as GpujsBackend;
  const classes = [...g.kernelClasses()];
  return {
    executor,
    description: `gpu.js ${executor === 'webgl2' ? 'WebGL2' : 'WebGPU'} — kernel class ${classes.join(', ') || '(none yet)'} on ${g.device}`,
    kernelClasses: classes,
    device: g.device,
    threads: 1,
    workerChunks: 0,
    lastStep,
  };
}

export async function train(config: TrainConfig, digits: DigitSets, hooks: TrainHooks = {}): Promise<TrainResult> {
  const trainSet = dataset(digits.train, config.trainDigits);
  const testSet = dataset(digits.test, config.testDigits);
  const model = demoCnn(config.seed, { ...demoArchitecture, dropout: config.dropout });
  const backend = backendFor(config.executor);
  const trainer = new nn.Trainer(model, { batchSize: config.batch, optimizer: nn.adam({ learningRate: config.lr, beta1: 0.8 }), backend, seed: config.seed });
  const B = config.batch;
  const stepsPerEpoch = Math.floor(trainSet.length / B);
  const steps = stepsPerEpoch * config.epochs;
  const warmup = Math.min(10, steps);
  // Linear warm-up, then a linear decay to 0 at the last step.
  const lrAt = (k: number) => config.lr * Math.min(1, (k + 1) / warmup) * (1 - k / steps);
  const x = new Float32Array(B * 784);
  const t = new Float32Array(B * 10);
  const labels = new Uint8Array(B);
  const pause = yielder();
  // Worker chunks exist only in a cross-origin-isolated page. (Elsewhere the kernels' private
  // memory grows during training, and cpuWorkerChunks' cached view of it would be detached.)
  const isolated = globalThis.crossOriginIsolated === true;
  const workerChunks = () => (isolated ? cpuWorkerChunks() : 0);
  const chunks0 = workerChunks();
  let trainSeconds = 0;
  let evalSeconds = 0;
  let done = 0;
  let last: { loss: number; accuracy: number } = { loss: NaN, accuracy: NaN };
  let stopped = false;
  let lastStep: StepStats | undefined;
  try {
    for (let epoch = 1; epoch <= config.epochs && !stopped; epoch++) {
      const order = nn.epochOrder(trainSet.length, config.seed, epoch);
      for (let s = 0; s < stepsPerEpoch; s++) {
        if (hooks.stop?.() === true) {
          stopped = true;
          break;
        }
        for (let k = 0; k < B; k++) {
          const i = order[s * B + k]!;
          x.set(trainSet.inputs.subarray(i * 784, (i + 1) * 784), k * 784);
          t.fill(0, k * 10, (k + 1) * 10);
          t[k * 10 + trainSet.labels![i]!] = 1;
          labels[k] = trainSet.labels![i]!;
        }
        const t0 = performance.now();
        const { loss, output } = await trainer.step(x, t, lrAt(done));
        trainSeconds += (performance.now() - t0) / 1000;
        if (config.executor !== 'cpu') {
          const run = (backend as GpujsBackend).stats().lastRun;
          lastStep = { launches: run.launches, uploads: run.uploads, readbacks: run.readbacks };
        }
        let correct = 0;
        for (let k = 0; k < B; k++) if (nn.argmax(output, k * 10, 10) === labels[k]) correct++;
        done++;
        last = { loss, accuracy: correct / B };
        hooks.onStep?.({ epoch, step: done, steps, loss, accuracy: correct / B, imagesPerSecond: (done * B) / trainSeconds, seconds: trainSeconds });
        await pause();
      }
      if (stopped) break;
      const e0 = performance.now();
      const ev = await trainer.evaluate(testSet);
      evalSeconds += (performance.now() - e0) / 1000;
      hooks.onEpoch?.({ epoch, testLoss: ev.loss, testAccuracy: ev.accuracy!, evalSeconds });
      last = { loss: ev.loss, accuracy: ev.accuracy! };
      await new Promise((r) => setTimeout(r, 0));
    }
    const ran = ranOn(config.executor, backend, workerChunks() - chunks0, lastStep);
    return {
      ranOn: ran,
      testAccuracy: stopped ? NaN : last.accuracy,
      testLoss: stopped ? NaN : last.loss,
      imagesPerSecond: (done * B) / trainSeconds,
      trainSeconds,
      evalSeconds,
      model,
      stopped,
    };
  } finally {
    trainer.dispose();
    if (config.executor !== 'cpu') await (backend as GpujsBackend).dispose();
  }
}

/**
 * Class probabilities of one 28×28 digit (softmax of the model's logits), on cpu(): a
 * trainer used only for its evaluation program, which reads the model's current weights.
 */
export class Predictor {
  readonly #trainer: nn.Trainer;
  constructor(model: nn.Model) {
    this.#trainer = new nn.Trainer(model, { backend: cpu(), batchSize: 1, evalBatchSize: 1 });
  }
  async probabilities(pixels: Float32Array): Promise<number[]> {
    const logits = await this.#trainer.predict(pixels, 1);
    const m = Math.max(...logits);
    const e = Array.from(logits, (v) => Math.exp(v - m));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / z);
  }
  dispose(): void {
    this.#trainer.dispose();
  }
}
