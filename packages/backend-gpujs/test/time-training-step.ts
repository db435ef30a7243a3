/**
 * Times the small-CNN training step (forward, gradients, SGD update) on one gpu.js mode and
 * on the CPU executor in the same process, checks that both give the same loss and weights,
 * and prints one markdown table row (`--header` prints the header first). One mode per
 * process: headless-gl and Dawn's GL backend cannot share one. Run by scripts/gpu-check.sh:
 *
 *     npx tsx packages/backend-gpujs/test/time-training-step.ts [--header] [--config mnist|small] [--steps N] MODE
 */
import { compile, cpu, grad, type FloatArray, type Node, type Program } from 'graft';
import { castFeeds, mnistCnn, smallCnn, smallCnnFeeds, type SmallCnnConfig } from 'graft/programs';
import { BackendUnavailableError, gpujs, type GpujsBackend, type RequestedMode } from '../src/index.ts';

const configs: Record<string, SmallCnnConfig> = {
  mnist: mnistCnn,
  small: { batch: 2, size: 8, channels: [3, 4], kernel: 3, classes: 3, dtype: 'float32' },
};

function parse(argv: readonly string[]): { header: boolean; config: string; steps: number; mode: RequestedMode } {
  let header = false;
  let config = 'mnist';
  let steps = 10;
  let mode: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--header') header = true;
    else if (a === '--config') config = argv[++i] ?? '';
    else if (a === '--steps') steps = Number(argv[++i]);
    else mode = a;
  }
  if (!(config in configs)) throw new Error(`--config must be one of ${Object.keys(configs).join(', ')}, got ${config}`);
  if (!Number.isInteger(steps) || steps < 1) throw new Error('--steps must be a positive integer');
  if (mode === undefined) throw new Error('usage: time-training-step.ts [--header] [--config mnist|small] [--steps N] MODE');
  return { header, config, steps, mode: mode as RequestedMode };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Largest |a − b| relative to the largest |b| over every output. */
function worstRelative(a: Record<string, FloatArray>, b: Record<string, FloatArray>): number {
  let worst = 0;
  for (const k of Object.keys(b)) {
    const x = a[k]!;
    const y = b[k]!;
    let scale = 0;
    for (const v of y) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / (scale || 1));
  }
  return worst;
}

async function time(program: Program, feeds: Record<string, FloatArray>, steps: number): Promise<{ first: number; median: number; out: Record<string, FloatArray> }> {
  let t = performance.now();
  const out = await program.run(feeds);
  const first = performance.now() - t;
  const ms: number[] = [];
  for (let i = 0; i < steps; i++) {
    t = performance.now();
    await program.run(feeds, { copy: false });
    ms.push(performance.now() - t);
  }
  return { first, median: median(ms), out };
}

async function main(): Promise<void> {
  const { header, config, steps, mode } = parse(process.argv.slice(2));
  const c = configs[config]!;
  if (header) {
    console.log(`small-CNN training step, config ${config} (batch ${c.batch}, ${c.size}×${c.size}, channels ${c.channels.join('/')}, kernel ${c.kernel}), median of ${steps} steps`);
    console.log('| mode | kernel class | device | first run (compiles) ms | step ms | cpu() step ms | cpu()/mode | max rel. diff vs cpu() | kernels compiled | launches/step | uploads/step | readbacks/step |');
    console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  }
  const net = smallCnn(c);
  const names = Object.keys(net.params);
  const grads = grad(net.loss, names.map((n) => net.params[n]!));
  const outputs: Record<string, Node> = { loss: net.loss };
  names.forEach((n, i) => (outputs[n] = net.g.sub(net.params[n]!, net.g.mul(grads[i]!, 0.05))));
  const feeds = castFeeds(smallCnnFeeds(net, 1), 'float32');

  let backend: GpujsBackend;
  try {
    backend = gpujs({ mode });
  } catch (e) {
    if (!(e instanceof BackendUnavailableError)) throw e;
    console.log(`| ${mode} | — | unavailable: ${e.message.replaceAll('|', '/')} | | | | | | | | | |`);
    return;
  }
  const onCpu = await time(compile(outputs, { backend: cpu() }), feeds, steps);
  const program = compile(outputs, { backend });
  const onGpu = await time(program, feeds, steps);
  const firstStats = backend.stats().total;
  const last = backend.stats().lastRun;
  const classes = [...backend.kernelClasses()].join(', ');
  console.log(
    `| ${backend.mode} | ${classes} | ${backend.device.replaceAll('|', '/')} | ${onGpu.first.toFixed(0)} | ${onGpu.median.toFixed(1)} | ` +
      `${onCpu.median.toFixed(1)} | ${(onCpu.median / onGpu.median).toFixed(2)} | ${worstRelative(onGpu.out, onCpu.out).toExponential(1)} | ` +
      `${firstStats.kernelsCompiled} | ${last.launches} | ${last.uploads} | ${last.readbacks} |`,
  );
  program.dispose();
  await backend.dispose();
}

await main();
