/**
 * TensorFlow.js 4.22 on its `cpu` (plain JS) and `wasm` (XNNPACK, SIMD, one thread in Node)
 * backends, in this process, NHWC like graft.
 *
 * Gradient functions are registered only by the umbrella `@tensorflow/tfjs` package (its Node
 * bundle carries them; tfjs-core's CommonJS build does not, and its ES build cannot be loaded
 * by Node), so it is imported for that side effect; ops come from `@tensorflow/tfjs-core`.
 * The two conv gradients are timed through their kernels (`Conv2DBackpropInput`,
 * `Conv2DBackpropFilter`), which is what tfjs's registered Conv2D gradient calls; a dilated
 * case first asks `tf.grad`, which refuses dilations > 1.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs';
import type { Case, ConvCase, TrainCase } from '../lib/cases.ts';
import type { Outputs } from '../lib/data.ts';
import { convOutputName, Unsupported, type Impl, type Inputs, type Runner } from '../lib/peer.ts';

const require = createRequire(import.meta.url);

let initialised = false;

/** Registers both backends once; the cpu backend's "install tfjs-node" banner is dropped. */
async function init(): Promise<void> {
  if (initialised) return;
  initialised = true;
  setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep);
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('tfjs-node')) warn(...args);
  };
  try {
    for (const b of ['wasm', 'cpu']) {
      if (!(await tf.setBackend(b))) throw new Error(`tfjs backend ${b} failed to initialise`);
      tf.scalar(0).dispose(); // the cpu backend warns at its first write
    }
  } finally {
    console.warn = warn;
  }
}

export const versions = { core: tf.version_core };

type Backend = 'cpu' | 'wasm';

function convRunner(c: ConvCase, inputs: Inputs, backend: Backend): Runner {
  if (inputs.kind !== 'conv') throw new Error(`${c.id}: conv inputs expected`);
  const x = tf.tensor4d(inputs.x, [...c.x]);
  const w = tf.tensor4d(inputs.w, [...c.w]);
  const dy = tf.tensor4d(inputs.dy, [...inputs.y]);
  const pad = 'same' as const;
  const dil: [number, number] = [c.dilations, c.dilations];
  const str: [number, number] = [c.strides, c.strides];
  let compute: () => tf.Tensor;
  if (c.op === 'conv2d') {
    compute = () => tf.conv2d(x, w, str, pad, 'NHWC', dil);
  } else if (c.dilations !== 1) {
    // Ask tfjs's own gradient of conv2d first: it throws for dilations > 1.
    const f = (xx: tf.Tensor4D, ww: tf.Tensor4D) => tf.sum(tf.mul(tf.conv2d(xx, ww, str, pad, 'NHWC', dil), dy));
    try {
      const gs = tf.grads(f as (...a: tf.Tensor[]) => tf.Tensor)([x, w]);
      tf.dispose(gs);
    } catch (e) {
      tf.dispose([x, w, dy]);
      throw new Unsupported(`tf.grad: ${(e as Error).message}`);
    }
    throw new Error('tfjs differentiated a dilated conv2d: time it through tf.grad here');
  } else if (c.op === 'backpropInput') {
    compute = () =>
      tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides: str, pad, dataFormat: 'NHWC', inputShape: [...c.x] }) as tf.Tensor;
  } else {
    compute = () =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: str, pad, dataFormat: 'NHWC', filterShape: [...c.w] }) as tf.Tensor;
  }
  const name = convOutputName[c.op];
  return {
    run: async () => {
      const t = compute();
      const d = t.dataSync();
      t.dispose();
      return d;
    },
    outputs: (r) => ({ [name]: Float32Array.from(r as Float32Array) }),
    dispose: () => tf.dispose([x, w, dy]),
  };
}

/** The small CNN of graft/programs (small-cnn.ts), written with tfjs ops, and `tf.train.sgd`. */
function trainRunner(c: TrainCase, inputs: Inputs, backend: Backend): Runner {
  if (inputs.kind !== 'train') throw new Error(`${c.id}: train inputs expected`);
  const t = (name: string) => tf.tensor(inputs.feeds[name]!, [...inputs.shapes[name]!]);
  const x = t('x') as tf.Tensor4D;
  const labels = t('labels') as tf.Tensor2D;
  const vars = Object.fromEntries(inputs.params.map((n) => [n, tf.variable(t(n), true, `${backend}_${n}`)]));
  const v = (n: string) => vars[n]!;
  const loss = (): tf.Scalar => {
    const block = (h: tf.Tensor4D, w: string, b: string): tf.Tensor4D =>
      tf.maxPool(tf.relu(tf.add(tf.conv2d(h, v(w) as tf.Tensor4D, 1, 'same'), v(b)) as tf.Tensor4D), 2, 2, 'valid');
    const h2 = block(block(x, 'w1', 'b1'), 'w2', 'b2');
    const logits = tf.add(tf.matMul(tf.reshape(h2, [c.batch, -1]), v('wd') as tf.Tensor2D), v('bd'));
    // −mean_n Σ_k labels · logSoftmax(logits), as graft's loss.
    return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), 1)));
  };
  const optimizer = tf.train.sgd(c.lr);
  return {
    run: async () => {
      const { value, grads } = tf.variableGrads(loss);
      const out: Outputs = { loss: Float32Array.from(value.dataSync()) };
      for (const n of inputs.params) out[`d${n}`] = Float32Array.from(grads[`${backend}_${n}`]!.dataSync());
      optimizer.applyGradients(grads);
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    },
    outputs: (r) => r as Outputs,
    dispose: () => {
      tf.dispose([x, labels, ...Object.values(vars)]);
      optimizer.dispose();
    },
  };
}

function tfjs(backend: Backend): Impl {
  return {
    name: `tfjs-${backend}`,
    async prepare(c: Case, inputs: Inputs): Promise<Runner> {
      await init();
      await tf.setBackend(backend);
      const r = c.kind === 'conv' ? convRunner(c, inputs, backend) : trainRunner(c, inputs, backend);
      return {
        ...r,
        // A kernel the backend lacks shows up only when the op runs: that is "unsupported".
        run: () =>
          r.run().catch((e: unknown) => {
            if (e instanceof Error && /not registered for backend/.test(e.message)) throw new Unsupported(e.message);
            throw e;
          }),
        enter: async () => {
          await tf.setBackend(backend);
        },
      };
    },
  };
}

export const tfjsCpu = tfjs('cpu');
export const tfjsWasm = tfjs('wasm');
