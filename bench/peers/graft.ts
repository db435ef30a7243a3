/** graft: the graph API, `grad`, `compile(outputs, { backend: cpu() })`, `program.run(feeds)`. */
import { compile, cpu, grad, Graph, type CpuKernels, type DType, type FloatArray, type Node } from 'graft';
import { smallCnn, mnistCnn } from 'graft/programs';
import type { Case, ConvCase, TrainCase } from '../lib/cases.ts';
import { copyOutputs, type Outputs } from '../lib/data.ts';
import { convOutputName, Skipped, type Impl, type Inputs, type Runner } from '../lib/peer.ts';

function convGraph(c: ConvCase, inputs: Inputs, dtype: DType): { outputs: Record<string, Node>; feeds: Record<string, FloatArray> } {
  if (inputs.kind !== 'conv') throw new Error(`${c.id}: conv inputs expected`);
  const g = new Graph({ dtype });
  const opts = { strides: c.strides, dilations: c.dilations, padding: c.padding };
  const name = convOutputName[c.op];
  switch (c.op) {
    case 'conv2d': {
      const y = g.conv2d(g.input('x', c.x), g.input('w', c.w), opts);
      return { outputs: { [name]: y }, feeds: { x: inputs.x, w: inputs.w } };
    }
    case 'backpropInput': {
      const dx = g.conv2dBackpropInput(g.input('dy', inputs.y), g.input('w', c.w), { ...opts, inputShape: c.x });
      return { outputs: { [name]: dx }, feeds: { dy: inputs.dy, w: inputs.w } };
    }
    case 'backpropFilter': {
      const dw = g.conv2dBackpropFilter(g.input('x', c.x), g.input('dy', inputs.y), { ...opts, filterShape: c.w });
      return { outputs: { [name]: dw }, feeds: { x: inputs.x, dy: inputs.dy } };
    }
  }
}

/**
 * One SGD step of `graft/programs (small-cnn.ts)`: the loss, its gradients (new graph nodes from
 * `grad`) and the updated parameters `p − lr·dp`, compiled once.
 */
function trainGraph(c: TrainCase, inputs: Inputs, dtype: DType): { outputs: Record<string, Node>; feeds: Record<string, FloatArray> } {
  if (inputs.kind !== 'train') throw new Error(`${c.id}: train inputs expected`);
  const net = smallCnn({ ...mnistCnn, batch: c.batch, dtype });
  const names = Object.keys(net.params);
  const params = names.map((n) => net.params[n]!);
  const grads = grad(net.loss, params);
  const outputs: Record<string, Node> = { loss: net.loss };
  names.forEach((n, i) => {
    const dp = grads[i]!;
    outputs[`d${n}`] = dp;
    outputs[`new_${n}`] = net.g.sub(params[i]!, net.g.mul(dp, c.lr));
  });
  return { outputs, feeds: { ...inputs.feeds } };
}

/** Float32 feeds as the dtype's arrays (float64: the same values, widened exactly). */
function castFeeds(feeds: Record<string, FloatArray>, dtype: DType): Record<string, FloatArray> {
  return dtype === 'float32' ? feeds : Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, Float64Array.from(v)]));
}

/** graft in float64 on the same inputs: the reference float32 results are checked against. */
export async function graftFloat64(c: Case, inputs: Inputs): Promise<Outputs> {
  const { outputs, feeds } = c.kind === 'conv' ? convGraph(c, inputs, 'float64') : trainGraph(c, inputs, 'float64');
  const program = compile(outputs, { backend: cpu() });
  const all = copyOutputs((await program.run(castFeeds(feeds, 'float64'))) as Record<string, ArrayLike<number>>);
  program.dispose();
  return Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith('new_'))) as Outputs;
}

/**
 * graft in float32 on `cpu({ kernels, threads })`, named `name`: `'onednn'` (the native addon;
 * skipped, with the reason, where it does not load) or `'wasm'` (the WebAssembly kernels).
 */
export function graftOn(kernels: Exclude<CpuKernels, 'typescript'>, threads: number, name: string): Impl {
  return {
    name,
    async prepare(c: Case, inputs: Inputs): Promise<Runner> {
      let backend: ReturnType<typeof cpu>;
      try {
        backend = cpu({ kernels, threads });
      } catch (e) {
        throw new Skipped((e as Error).message);
      }
      const { outputs, feeds } = c.kind === 'conv' ? convGraph(c, inputs, 'float32') : trainGraph(c, inputs, 'float32');
      const program = compile(outputs, { backend });
      const steps = program.stats().kernels ?? {};
      return {
        // The program's own output arrays (JS Float32Arrays, valid until the next run), as a training loop reads them.
        run: () => program.run(feeds, { copy: false }),
        outputs: (r) => {
          const all = copyOutputs(r as Record<string, ArrayLike<number>>);
          // The updated parameters follow from the gradients; the check compares loss and gradients.
          return Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith('new_'))) as Outputs;
        },
        dispose: () => program.dispose(),
        note: `cpu({ kernels: '${kernels}', threads: ${threads} }); steps: ${Object.entries(steps)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')}`,
      };
    },
  };
}
