/**
 * The gpu.js executor's suite, run once per mode (each mode in its own test file, since
 * headless-gl and Dawn's GL backend cannot share a process): every op's examples and
 * generated configurations, the small-CNN training step, residency and memory, each against
 * the CPU executor in float32 and float64, with the kernel class that ran asserted every time.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Graph, compile, cpu, grad, opNames, ops, type CompileOptions, type DType, type FloatArray, type Node, type Program } from 'graft';
import { gpujs, KERNEL_CLASS, type GpujsBackend, type GpujsMode } from '../../packages/backend-gpujs/src/index.ts';
import { castFeeds, smallCnn, smallCnnFeeds, type SmallCnnConfig } from 'graft/programs';
import { absolute, softplus } from './custom-ops.ts';
import { drawInputs, specOf, type ComputedOp, type OpCase } from './op-specs.ts';
import { mulberry32, uniform } from './random.ts';
import { assertCloseToMax, type Tensor } from './tensor.ts';

/** |gpujs − cpu| ≤ TOL · scale elementwise, scale = the largest |reference| (or Σ|terms| for sums). */
export const TOL = 1e-4;

export interface SuiteOptions {
  /** fast-check runs per conv-family op. */
  readonly convRuns: number;
  /** fast-check runs per other op. */
  readonly opRuns: number;
  /** Repeated runs of the training step for the memory check (0 skips it). */
  readonly memoryRuns: number;
}

const computed = opNames.filter((n): n is ComputedOp => n !== 'input' && n !== 'constant');
const convFamily: readonly ComputedOp[] = [
  'conv2d',
  'conv2dBackpropInput',
  'conv2dBackpropFilter',
  'conv2dTranspose',
  'depthwiseConv2d',
  'depthwiseConv2dBackpropInput',
  'depthwiseConv2dBackpropFilter',
];

/** The small CNN, small enough for a software rasteriser: 2 images of 8×8, 3 and 4 channels. */
export const cnnConfig: SmallCnnConfig = { batch: 2, size: 8, channels: [3, 4], kernel: 3, classes: 3, dtype: 'float32' };
const LR = 0.1;

/** `{ loss, w − lr·dw for every parameter }` of the small CNN. */
export function trainingStep(config: SmallCnnConfig): { net: ReturnType<typeof smallCnn>; outputs: Record<string, Node> } {
  const net = smallCnn(config);
  const names = Object.keys(net.params);
  const grads = grad(net.loss, names.map((n) => net.params[n]!));
  const outputs: Record<string, Node> = { loss: net.loss };
  names.forEach((n, i) => (outputs[n] = net.g.sub(net.params[n]!, net.g.mul(grads[i]!, LR))));
  return { net, outputs };
}

function tensor(shape: readonly number[], data: FloatArray): Tensor {
  return { shape, data: Float64Array.from(data) };
}

/** Runs one op case on gpujs and on cpu() in float32 and float64 and compares. */
async function checkOp<K extends ComputedOp>(backend: GpujsBackend, op: K, c: OpCase<K>, seed: number): Promise<void> {
  const spec = specOf(op);
  // Drawn in float64, rounded to float32: every executor sees the same values.
  const data = drawInputs(spec, c.inputs, seed).map((t) => ({ shape: t.shape, data: Float64Array.from(Float32Array.from(t.data)) }));
  const build = (dtype: DType) => {
    const g = new Graph({ dtype });
    const y = spec.build(g, data.map((t, i) => g.input(`in${i}`, t.shape)), c.attrs);
    const feeds = Object.fromEntries(data.map((t, i) => [`in${i}`, dtype === 'float32' ? Float32Array.from(t.data) : t.data]));
    return { y, feeds };
  };
  const f32 = build('float32');
  const f64 = build('float64');
  const onGpu = compile({ y: f32.y }, { backend });
  try {
    const [gpu, ref32, ref64] = await Promise.all([
      onGpu.run(f32.feeds),
      compile({ y: f32.y }, { backend: cpu() }).run(f32.feeds),
      compile({ y: f64.y }, { backend: cpu() }).run(f64.feeds),
    ]);
    expect(gpu.y, `${op} ${c.name}: float32 output`).toBeInstanceOf(Float32Array);
    let scale: number | undefined;
    if (spec.accumulates !== undefined) {
      const abs = data.map((t, i) => (spec.accumulates!.includes(i) ? { shape: t.shape, data: t.data.map(Math.abs) } : t));
      scale = spec.oracle(abs, c.attrs).data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    }
    const label = `${backend.name} ${op} ${c.name} (data seed ${seed})`;
    assertCloseToMax(gpu.y!, tensor(f32.y.shape, ref32.y!), TOL, `${label} vs cpu float32`, scale);
    assertCloseToMax(gpu.y!, tensor(f64.y.shape, ref64.y!), TOL, `${label} vs cpu float64`, scale);
  } finally {
    onGpu.dispose();
  }
}

function expectKernelClass(backend: GpujsBackend, mode: GpujsMode): void {
  // `kernel.kernel.constructor.name` of every kernel that ran: no silent fallback to another backend.
  expect([...backend.kernelClasses()]).toEqual([KERNEL_CLASS[mode]]);
}

async function runCompared(gpu: Program, ref: Program, feeds: Record<string, FloatArray>, label: string): Promise<Record<string, FloatArray>> {
  const [a, b] = await Promise.all([gpu.run(feeds), ref.run(feeds)]);
  for (const [name, node] of Object.entries(ref.outputs)) {
    assertCloseToMax(a[name]!, tensor(node.shape, b[name]!), TOL, `${label}: ${name}`);
  }
  return a;
}

/** Registers the whole suite for one mode. */
export function gpujsSuite(mode: GpujsMode, options: SuiteOptions): void {
  describe(`gpujs({ mode: '${mode}' })`, () => {
    let backend: GpujsBackend;
    beforeAll(() => {
      // float64 programs are part of the sweep, so this backend is told they may compute in float32.
      backend = gpujs({ mode, float64: 'compute-in-float32' });
    });
    afterAll(async () => {
      await backend?.dispose();
    });

    it('runs on the requested mode and says so', () => {
      expect(backend.mode).toBe(mode);
      expect(backend.kernelClass).toBe(KERNEL_CLASS[mode]);
      expect(backend.name).toBe(`gpujs(${mode})`);
      expect(backend.device.length).toBeGreaterThan(0);
    });

    describe('every op, examples and generated configurations, vs cpu() float32 and float64', () => {
      for (const op of computed) {
        const examples = ops[op].examples as readonly OpCase<typeof op>[];
        it(`${op}: ${examples.length} examples`, async () => {
          for (const [i, ex] of examples.entries()) await checkOp(backend, op, ex, 3000 + i);
          expectKernelClass(backend, mode);
        });
        const runs = convFamily.includes(op) ? options.convRuns : options.opRuns;
        if (runs === 0) continue;
        it(`${op}: ${runs} generated configurations`, async () => {
          await fc.assert(
            fc.asyncProperty(specOf(op).cases, fc.integer({ min: 0, max: 0x7fffffff }), async (c, seed) => {
              await checkOp(backend, op, c, seed);
            }),
            { seed: 0x6a0 + computed.indexOf(op), numRuns: runs },
          );
          expectKernelClass(backend, mode);
        });
      }
    });

    it('elementwise ops defined by their records alone (absolute, softplus), fused with others, and their gradients', async () => {
      for (const record of [absolute, softplus]) {
        const g = new Graph({ dtype: 'float32' });
        const x = g.input('x', [4, 7]);
        const b = g.input('b', [7]);
        const y = g.mul(g.apply(record, [g.add(x, b)]), x);
        const [dx, db] = grad(g.sum(g.square(y)), [x, b]);
        const feeds = { x: Float32Array.from(uniform(mulberry32(11), 28, -2, 2)), b: Float32Array.from(uniform(mulberry32(12), 7, -1, 1)) };
        const onGpu = compile({ y, dx: dx!, db: db! }, { backend });
        await runCompared(onGpu, compile({ y, dx: dx!, db: db! }, { backend: cpu() }), feeds, `${backend.name} ${record.name}`);
        onGpu.dispose();
      }
      expectKernelClass(backend, mode);
    });

    it('a constant, an output that is a feed, and a float64 program', async () => {
      for (const dtype of ['float32', 'float64'] as const) {
        const g = new Graph({ dtype });
        const x = g.input('x', [2, 3]);
        const c = g.constant([1, -2, 3, -4, 5, -6], [2, 3]);
        const y = g.mul(g.add(x, c), c);
        const feeds = { x: dtype === 'float32' ? Float32Array.of(1, 2, 3, 4, 5, 6) : Float64Array.of(1, 2, 3, 4, 5, 6) };
        const program = compile({ y, x, c }, { backend });
        const out = await program.run(feeds);
        expect(program.stats().executor).toMatchObject({ backend: 'gpujs', mode, precision: dtype === 'float32' ? 'float32' : 'float64 computed in float32' });
        program.dispose();
        expect(out.y).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
        // (x + c)·c with x + c = 0 where c < 0: IEEE gives −0.
        expect(Array.from(out.y!)).toEqual([2, -0, 18, -0, 50, -0]);
        expect(Array.from(out.x!)).toEqual([1, 2, 3, 4, 5, 6]);
        expect(Array.from(out.c!)).toEqual([1, -2, 3, -4, 5, -6]);
      }
      expectKernelClass(backend, mode);
    });

    describe(`the small-CNN training step (batch ${cnnConfig.batch}, ${cnnConfig.size}×${cnnConfig.size}, SGD lr ${LR})`, () => {
      it('3 consecutive steps give the loss and updated weights of cpu(); later steps compile nothing and upload only the feeds', async () => {
        const { net, outputs } = trainingStep(cnnConfig);
        const live = backend.stats().liveHandles;
        const onGpu = compile(outputs, { backend });
        const onCpu = compile(outputs, { backend: cpu() });
        let gpuFeeds = castFeeds(smallCnnFeeds(net, 7), 'float32');
        let cpuFeeds = { ...gpuFeeds };
        const paramNames = Object.keys(net.params);
        const perStep = [];
        for (let step = 1; step <= 3; step++) {
          const [a, b] = await Promise.all([onGpu.run(gpuFeeds), onCpu.run(cpuFeeds)]);
          perStep.push(backend.stats().lastRun);
          for (const name of Object.keys(outputs)) {
            assertCloseToMax(a[name]!, tensor(outputs[name]!.shape, b[name]!), TOL, `${backend.name} training step ${step}: ${name}`);
          }
          gpuFeeds = { ...gpuFeeds, ...Object.fromEntries(paramNames.map((p) => [p, a[p]!])) };
          cpuFeeds = { ...cpuFeeds, ...Object.fromEntries(paramNames.map((p) => [p, b[p]!])) };
        }
        const feeds = onGpu.plan.feeds.size;
        const [first, ...later] = perStep;
        expect(first!.kernelsCompiled).toBeGreaterThan(0);
        expect(first!.uploads).toBeGreaterThanOrEqual(feeds);
        for (const s of later) {
          expect(s.kernelsCompiled).toBe(0);
          expect(s.uploads).toBe(feeds);
          expect(s.readbacks).toBe(Object.keys(outputs).length);
          expect(s.launches).toBe(later[0]!.launches);
        }
        // Only the resident constants outlive a run.
        expect(backend.stats().liveHandles).toBe(live + onGpu.plan.prologue.length);
        console.log(`${backend.name} training step: first run ${JSON.stringify(first)}; later runs ${JSON.stringify(later[0])}`);
        expectKernelClass(backend, mode);
        onGpu.dispose();
      });

      for (const [what, compileOptions] of [
        ['one kernel per node, no views (passes: [])', { passes: [], memory: { views: false } }],
        ['conv gradients lowered to conv2d + pad + dilate + reverse + transpose', { lowerConvGradients: true }],
      ] as const) {
        it(`the same with ${what}`, async () => {
          const { net, outputs } = trainingStep(cnnConfig);
          const opts = compileOptions as Omit<CompileOptions, 'backend'>;
          const onGpu = compile(outputs, { ...opts, backend });
          await runCompared(onGpu, compile(outputs, { ...opts, backend: cpu() }), castFeeds(smallCnnFeeds(net, 3), 'float32'), `${backend.name} ${what}`);
          expectKernelClass(backend, mode);
          onGpu.dispose();
        });
      }

      it('the float64 tiny CNN computes in float32 and returns Float64Arrays within tolerance', async () => {
        const { net, outputs } = trainingStep({ ...cnnConfig, dtype: 'float64' });
        const onGpu = compile(outputs, { backend });
        const out = await runCompared(onGpu, compile(outputs, { backend: cpu() }), smallCnnFeeds(net, 5), `${backend.name} float64`);
        expect(out.loss).toBeInstanceOf(Float64Array);
        expectKernelClass(backend, mode);
        onGpu.dispose();
      });

      if (options.memoryRuns > 0) {
        it(`${options.memoryRuns} repeated runs do not grow resident memory`, async () => {
          const { net, outputs } = trainingStep(memoryConfig);
          const live = backend.stats().liveHandles;
          const onGpu = compile(outputs, { backend });
          const feeds = castFeeds(smallCnnFeeds(net, 11), 'float32');
          // Native objects (WebGPU bind groups, buffers) are released when V8 collects their
          // wrappers, which it does not hurry to do: collect before each measurement.
          for (let i = 0; i < 50; i++) await onGpu.run(feeds, { copy: false });
          collectGarbage();
          const before = process.memoryUsage().rss;
          for (let i = 1; i <= options.memoryRuns; i++) {
            await onGpu.run(feeds, { copy: false });
            expect(backend.stats().liveHandles).toBe(live + onGpu.plan.prologue.length);
            if (i % 50 === 0) collectGarbage();
          }
          const grown = process.memoryUsage().rss - before;
          const perRun = onGpu.stats().bufferBytes;
          console.log(
            `${backend.name}: RSS grew ${(grown / 2 ** 20).toFixed(1)} MiB over ${options.memoryRuns} runs ` +
              `(leaking each run's ${(perRun / 2 ** 20).toFixed(2)} MiB of buffers would add ${((perRun * options.memoryRuns) / 2 ** 20).toFixed(0)} MiB)`,
          );
          expect(grown).toBeLessThan(MEMORY_BOUND);
          expectKernelClass(backend, mode);
          onGpu.dispose();
        });
      }
    });
  });
}

/** Large enough that leaking one run's buffers (0.45 MiB) 200 times (90 MiB) would show. */
const memoryConfig: SmallCnnConfig = { ...cnnConfig, batch: 8, size: 16, channels: [8, 16] };

/** A full garbage collection, without starting node with --expose-gc. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** Allowed RSS growth over the repeated runs, after 50 warm-up runs: allocator and driver noise. */
export const MEMORY_BOUND = 16 * 2 ** 20;


