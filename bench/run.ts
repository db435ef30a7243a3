/**
 * graft against its peers on the conv family and one training step of the small MNIST CNN.
 * Run: `pnpm bench` (root) or `pnpm --filter @graft/bench bench`; `--help` lists the options.
 *
 * For each case: graft runs once and its outputs are the reference; each peer runs once and
 * must agree (float32: max |peer − graft| ≤ tol · max |graft|) before anything is timed. Then
 * graft and the peers (tfjs-cpu, tfjs-wasm, onnxruntime in this process, PyTorch) take turns: one warm-up
 * run each, then rounds until each has spent the budget (median reported). A first run
 * longer than --single-run-ms is reported alone. PyTorch is a subprocess that takes its turn
 * in the same rounds (each run timed in Python).
 *
 * The whole list of cases is timed in --passes passes (default 2), minutes apart, and each
 * implementation's smallest median is reported (every pass's median is in the JSON): a shared
 * machine has spells of a second or two in which one core runs far slower, long enough to take
 * in a whole case, and a second pass minutes later rarely meets one in the same case. Every
 * implementation gets the same treatment; one reported from a single run is not run again.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { cpuWasmKernelInfo, whenCpuThreadsReady } from 'graft';
import { castFeeds, mnistCnn, smallCnn, smallCnnFeeds } from 'graft/programs';
import { caseLabel, cases, convGeometry, convGflop, type Case } from './lib/cases.ts';
import { compareOutputs, seededF32, type Outputs } from './lib/data.ts';
import { graftCommit, machine, packageVersion } from './lib/machine.ts';
import { Skipped, Unsupported, type Impl, type Inputs, type Runner } from './lib/peer.ts';
import { oneLine, table, threadTable, type CaseResult, type ImplResult } from './lib/report.ts';
import { median, timeInterleaved, timeOnce, type Contender, type TimingOptions } from './lib/timing.ts';
import { graftFloat64, graftOn } from './peers/graft.ts';
import { onnxruntime, onnxruntimeOn, versions as ortVersions } from './peers/ort.ts';
import { tfjsCpu, tfjsWasm, versions as tfjsVersions } from './peers/tfjs.ts';
import { probeTorch, pytorch } from './peers/torch.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    'budget-ms': { type: 'string', default: '1500' },
    'min-runs': { type: 'string', default: '3' },
    'max-runs': { type: 'string', default: '100' },
    'single-run-ms': { type: 'string', default: '5000' },
    'turn-ms': { type: 'string', default: '25' },
    passes: { type: 'string', default: '2' },
    tol: { type: 'string', default: '1e-4' },
    'no-torch': { type: 'boolean', default: false },
    'no-two-threads': { type: 'boolean', default: false },
    peers: { type: 'string' },
    'relaxed-simd': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(here, 'results', 'latest.json') },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(`usage: pnpm bench [-- options]
  --only a,b          cases whose id or group contains one of the words (groups: forward,
                      gradients, stride2, dilated, train; ids look like fwd-x32x14x14x32-…)
  --budget-ms N       time per implementation and case (default 1500)
  --min-runs N        at least N timed runs (default 3); --max-runs N at most N (default 100)
  --single-run-ms N   a first run this long is reported alone (default 5000)
  --turn-ms N         one implementation's turn in a round lasts ≥ N ms; a turn of several
                      runs drops its first (cache re-warm) (default 25)
  --passes N          time the list of cases N times, minutes apart, and report each
                      implementation's smallest median (default 2: a busy spell of the machine
                      rarely hits the same case twice)
  --tol T             agreement: max |peer − graft| ≤ T · max |graft| (default 1e-4)
  --no-torch          skip the PyTorch subprocess
  --peers a,b         only these peers (tfjs-cpu, tfjs-wasm, onnxruntime, pytorch; default all)
  --relaxed-simd      turn on V8's relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd; Node ≥ 22
                      and Chromium have it on) before any module compiles, so graft-wasm runs its
                      fused-multiply-add build (tfjs-wasm ships no such build)
  --no-two-threads    skip the two-thread table (graft, onnxruntime and PyTorch at 2 threads
                      on the two large forward convs and the train step)
  --out FILE          JSON results (default bench/results/latest.json)`);
  process.exit(0);
}

const timing: TimingOptions = {
  budgetMs: Number(args['budget-ms']),
  minRuns: Number(args['min-runs']),
  maxRuns: Number(args['max-runs']),
  singleRunMs: Number(args['single-run-ms']),
  turnMs: Number(args['turn-ms']),
};
const tol = Number(args.tol);
const passes = Number(args.passes);
if (!Number.isInteger(passes) || passes < 1) {
  process.stderr.write(`--passes must be a whole number ≥ 1, not ${JSON.stringify(args.passes)}\n`);
  process.exit(2);
}
// Before any WebAssembly module is compiled (graft's kernels load on first use).
if (args['relaxed-simd']) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
// graft's worker threads for its two-thread runs, started before anything is timed.
await whenCpuThreadsReady(60_000, 2).catch((e: Error) => process.stderr.write(`warning: ${e.message}; the two-thread runs use the threads that are ready\n`));
const only = args.only?.split(',').filter(Boolean);
const selected = cases.filter((c) => !only || only.some((w) => c.id.includes(w) || c.group === w));
const torchProbe = args['no-torch'] ? ({ ok: false, note: '--no-torch' } as const) : probeTorch();
const torch = pytorch(torchProbe);
/** graft's two float32 paths, one thread each: the native oneDNN kernels and the WebAssembly ones. */
const grafts: readonly Impl[] = [graftOn('onednn', 1, 'graft-onednn'), graftOn('wasm', 1, 'graft-wasm')];
const peerNames = args.peers?.split(',').filter(Boolean);
const peers: readonly Impl[] = [tfjsCpu, tfjsWasm, onnxruntime, torch].filter((p) => !peerNames || peerNames.includes(p.name));
/** The two-thread table: each graft path at 1 and 2 threads, the multi-threaded peers at 2. */
const twoThreadCases = ['fwd-x32x14x14x32-w5x5x32x64-s1-d1', 'fwd-x8x56x56x64-w3x3x64x64-s1-d1', 'train-mnist-cnn-b64'];
const torch2 = pytorch(torchProbe, 2, 'pytorch 2t');
const grafts2: readonly Impl[] = [
  graftOn('onednn', 1, 'graft-onednn 1t'),
  graftOn('onednn', 2, 'graft-onednn 2t'),
  graftOn('wasm', 1, 'graft-wasm 1t'),
  graftOn('wasm', 2, 'graft-wasm 2t'),
];
const peers2: readonly Impl[] = [onnxruntimeOn(2, 'onnxruntime 2t'), torch2].filter((p) => !peerNames || peerNames.includes(p.name.replace(/ 2t$/, '')));
const log = (s: string) => process.stderr.write(`${s}\n`);

function inputsFor(c: Case): Inputs {
  if (c.kind === 'conv') {
    const { y, pads } = convGeometry(c);
    return { kind: 'conv', x: seededF32(c.x, 1), w: seededF32(c.w, 2, -0.5, 0.5), dy: seededF32(y, 3), y, pads };
  }
  const net = smallCnn({ ...mnistCnn, batch: c.batch });
  const feeds = castFeeds(smallCnnFeeds(net, 1), 'float32') as Record<string, Float32Array>;
  const params = Object.keys(net.params);
  const shapes: Record<string, readonly number[]> = { x: net.x.shape, labels: net.labels.shape };
  for (const n of params) shapes[n] = net.params[n]!.shape;
  return { kind: 'train', feeds, shapes, params };
}

/** Conv GFLOP of one run; the train step counts conv1 forward + filter gradient and conv2 forward + both gradients. */
function gflopOf(c: Case, inputs: Inputs): number {
  if (c.kind === 'conv' && inputs.kind === 'conv') return convGflop(c.x, c.w, inputs.y);
  const b = c.kind === 'train' ? c.batch : 0;
  const conv1 = convGflop([b, 28, 28, 1], [5, 5, 1, 32], [b, 28, 28, 32]);
  const conv2 = convGflop([b, 14, 14, 32], [5, 5, 32, 64], [b, 14, 14, 64]);
  return 2 * conv1 + 3 * conv2;
}

function failure(impl: string, e: unknown): ImplResult {
  const reason = e instanceof Error ? e.message : String(e);
  return { impl, status: e instanceof Unsupported ? 'unsupported' : e instanceof Skipped ? 'skipped' : 'error', reason };
}

function timedResult(impl: string, c: Case, gflop: number, times: readonly number[], single: boolean, extra: Partial<ImplResult>): ImplResult {
  const ms = median(times);
  const perf = c.kind === 'train' ? { imagesPerSec: (c.batch * 1000) / ms, gflops: gflop / (ms / 1000) } : { gflops: gflop / (ms / 1000) };
  return { impl, status: 'ok', medianMs: ms, minMs: Math.min(...times), runs: times.length, single, ...perf, ...extra };
}

interface Entrant {
  readonly impl: string;
  readonly runner: Runner;
  readonly contender: Contender;
  readonly extra: Partial<ImplResult>;
}

/**
 * One case: every graft path runs once and is checked against graft's float64 results; the
 * first that runs is the reference the peers must agree with; then all that agree are timed in
 * interleaved rounds. Results come in the order of `grafts` then `peers`.
 */
async function runCase(c: Case, inputs: Inputs, grafts: readonly Impl[], peers: readonly Impl[]): Promise<CaseResult> {
  const gflop = gflopOf(c, inputs);
  const results: ImplResult[] = [];
  const entrants: Entrant[] = [];
  const singles: ImplResult[] = [];
  const enter = (impl: string, runner: Runner, extra: Partial<ImplResult>) =>
    entrants.push({
      impl,
      runner,
      extra,
      contender: { name: impl, enter: runner.enter?.bind(runner), run: () => runner.run(), selfTimed: runner.selfTimed, times: [] },
    });

  let ref: Outputs | undefined;
  let f64: Outputs | undefined;
  for (const impl of grafts) {
    try {
      const runner = await impl.prepare(c, inputs);
      const first = await timeOnce(runner);
      const out = runner.outputs(first.result);
      // float32 against graft's own float64 on the same inputs, to the same tolerance.
      f64 ??= await graftFloat64(c, inputs);
      const a = compareOutputs(f64, out, tol);
      log(`  ${impl.name}: float32 vs float64 max rel err ${a.maxRelErr.toExponential(2)}${a.agree ? '' : ` — OUTSIDE ${tol}: ${a.worst}`}`);
      ref ??= out;
      enter(impl.name, runner, { note: runner.note, maxRelErr: a.maxRelErr, agree: a.agree });
    } catch (e) {
      const f = failure(impl.name, e);
      log(`  ${impl.name}: ${f.status}: ${f.reason}`);
      singles.push(f);
    }
  }
  if (ref === undefined) {
    const skipped = peers.map((p): ImplResult => ({ impl: p.name, status: 'skipped', reason: 'graft failed' }));
    return { case: c, label: caseLabel(c), gflop, results: [...singles, ...skipped] };
  }

  for (const peer of peers) {
    let runner: Runner | undefined;
    try {
      runner = await peer.prepare(c, inputs);
      const first = await timeOnce(runner);
      const a = compareOutputs(ref, runner.outputs(first.result), tol);
      const extra: Partial<ImplResult> = { maxRelErr: a.maxRelErr, agree: a.agree, note: runner.note };
      if (!a.agree) {
        singles.push({ impl: peer.name, status: 'mismatch', reason: a.worst, ...extra });
      } else if (first.ms >= timing.singleRunMs) {
        singles.push(timedResult(peer.name, c, gflop, [first.ms], true, extra));
      } else {
        enter(peer.name, runner, extra);
        runner = undefined; // timed below, disposed after
      }
      log(`  ${peer.name}: first run ${first.ms.toFixed(1)} ms, ${a.agree ? 'agrees' : 'DISAGREES'} (max rel err ${a.maxRelErr.toExponential(2)})`);
    } catch (e) {
      singles.push(failure(peer.name, e));
      if (!(e instanceof Skipped)) log(`  ${peer.name}: ${oneLine(String((e as Error).message ?? e), 160)}`);
    } finally {
      runner?.dispose?.();
    }
  }

  await timeInterleaved(
    entrants.map((e) => e.contender),
    timing,
  );
  for (const e of entrants) {
    results.push(timedResult(e.impl, c, gflop, e.contender.times, false, e.extra));
    e.runner.dispose?.();
  }
  results.push(...singles);
  const order = [...grafts, ...peers].map((i) => i.name);
  results.sort((a, b) => order.indexOf(a.impl) - order.indexOf(b.impl));
  return { case: c, label: caseLabel(c), gflop, results };
}

/**
 * Each result's speed ratios against the `bases` (graft paths): `ratios[base]` = the result's
 * median ÷ the base's median = the base's speed ÷ the result's (> 1: that graft path is faster).
 */
function withRatios(cr: CaseResult, bases: readonly string[]): CaseResult {
  const medians = new Map(cr.results.filter((r) => r.status === 'ok').map((r) => [r.impl, r.medianMs!]));
  return {
    ...cr,
    results: cr.results.map((r) => {
      if (r.status !== 'ok') return r;
      const ratios: Record<string, number> = {};
      for (const b of bases) if (b !== r.impl && medians.has(b)) ratios[b] = r.medianMs! / medians.get(b)!;
      return { ...r, ratios };
    }),
  };
}

// ---- run ----

const info = {
  date: new Date().toISOString(),
  machine: machine(),
  node: process.version,
  graft: graftCommit(),
  peers: {
    '@tensorflow/tfjs-core': tfjsVersions.core,
    '@tensorflow/tfjs-backend-cpu': packageVersion('@tensorflow/tfjs-backend-cpu'),
    '@tensorflow/tfjs-backend-wasm': packageVersion('@tensorflow/tfjs-backend-wasm'),
    'onnxruntime-node': ortVersions.ort,
    pytorch: torchProbe.ok ? `${torchProbe.version} (python ${torchProbe.python})` : `skipped: ${torchProbe.note}`,
  },
  settings: {
    ...timing,
    tol,
    threads: 'main table: 1 thread everywhere (graft cpu({ threads: 1 }); tfjs single-threaded JS/WASM; onnxruntime intra/inter-op 1; torch.set_num_threads(1)); two-thread table: graft cpu({ threads: 2 }), onnxruntime intra-op 2, torch.set_num_threads(2)',
  },
};

const header = [
  `graft bench — ${info.date}`,
  `machine: ${info.machine.cpu}, ${info.machine.cores} cores, ${info.machine.memoryGiB} GiB, load average ${info.machine.loadAverage.join(' ')} at start; Node ${info.node}; graft ${info.graft}`,
  `peers: ${Object.entries(info.peers)
    .map(([k, v]) => `${k} ${v}`)
    .join('; ')}`,
  `timing: warm-up, then interleaved turns of ≥ ${timing.turnMs} ms (a turn's first run re-warms, unrecorded, when it has several) until ${timing.budgetMs} ms per implementation (≥ ${timing.minRuns}, ≤ ${timing.maxRuns} runs); median; ${passes === 1 ? 'one pass' : `${passes} passes over the cases, each implementation's smallest median`}. 1* = one run only (first run ≥ ${timing.singleRunMs} ms).`,
  `graft paths: graft-onednn = cpu({ kernels: 'onednn' }) (native oneDNN), graft-wasm = cpu({ kernels: 'wasm' }) (WebAssembly SIMD), 1 thread each.`,
  `onednn÷ / wasm÷ = that graft path's speed ÷ the row's speed = row median ÷ graft median (> 1: graft faster). agree: max |peer − graft| / max |graft| ≤ ${tol}, checked before timing against graft-onednn (graft-wasm where onednn is unavailable); each graft path's float32 results are checked the same way against graft's float64 ones.`,
  `float32, NHWC/HWIO, SAME. onnxruntime: NCHW, transposes outside the timed region, W as initializer; backpropInput via ConvTranspose.`,
  `PyTorch: a subprocess in the same rounds, each run timed in Python; NCHW, transposes and asymmetric SAME padding of x outside the timed region.`,
].join('\n');
log(header);

/**
 * `later`'s timed results folded into `first` (the same case): an implementation timed in both
 * keeps the smaller median, with every pass's median listed.
 */
function mergePass(first: CaseResult, later: CaseResult): CaseResult {
  const again = new Map(later.results.filter((r) => r.status === 'ok' && !r.single).map((r) => [r.impl, r]));
  return {
    ...first,
    results: first.results.map((r) => {
      const s = again.get(r.impl);
      if (r.status !== 'ok' || r.single || s === undefined) return r;
      const medians = [...(r.passMediansMs ?? [r.medianMs!]), s.medianMs!];
      return { ...(s.medianMs! < r.medianMs! ? s : r), passMediansMs: medians };
    }),
  };
}

/** Peers worth timing again in a later pass of case `cr`: those timed over several runs. */
function timedAgain(cr: CaseResult, impls: readonly Impl[]): readonly Impl[] {
  return impls.filter((p) => cr.results.some((r) => r.impl === p.name && r.status === 'ok' && !r.single));
}

const results: CaseResult[] = [];
const results2: CaseResult[] = [];
const selected2 = args['no-two-threads'] ? [] : selected.filter((c) => twoThreadCases.includes(c.id));
const t0 = performance.now();
try {
  for (let pass = 0; pass < passes; pass++) {
    const tag = passes === 1 ? '' : `pass ${pass + 1}/${passes}, `;
    for (const [i, c] of selected.entries()) {
      log(`[${tag}${i + 1}/${selected.length}] ${caseLabel(c)}`);
      if (pass === 0) results.push(await runCase(c, inputsFor(c), grafts, peers));
      else results[i] = mergePass(results[i]!, await runCase(c, inputsFor(c), grafts, timedAgain(results[i]!, peers)));
    }
    for (const [i, c] of selected2.entries()) {
      log(`[${tag}two threads ${i + 1}/${selected2.length}] ${caseLabel(c)}`);
      if (pass === 0) results2.push(await runCase(c, inputsFor(c), grafts2, peers2));
      else results2[i] = mergePass(results2[i]!, await runCase(c, inputsFor(c), grafts2, timedAgain(results2[i]!, peers2)));
    }
  }
} finally {
  torch.close();
  torch2.close();
}

const final = results.map((r) => withRatios(r, ['graft-onednn', 'graft-wasm']));
const final2 = results2.map((r) => withRatios(r, ['graft-onednn 2t', 'graft-wasm 2t']));
const elapsed = (performance.now() - t0) / 1000;
const allAgree = [...final, ...final2].every((cr) => cr.results.every((r) => r.status !== 'mismatch'));
const wasmInfo = cpuWasmKernelInfo();
console.log(header);
console.log(`graft-wasm ran the ${wasmInfo.relaxedSimd ? 'relaxed-SIMD (fused multiply-add)' : 'SIMD (mul + add; relaxed SIMD not validated by this runtime)'} build; register block schedules: ${wasmInfo.schedules}`);
console.log('');
console.log(table(final, ['graft-onednn', 'graft-wasm']));
if (final2.length > 0) {
  console.log('Two threads (both cores of a 2-core machine: meaningful only when nothing else runs; see the load average):');
  console.log('');
  console.log(threadTable(final2));
}
const loadAtEnd = os.loadavg().map((l) => Number(l.toFixed(2)));
console.log(
  `${allAgree ? 'every peer that ran agreed with graft' : 'SOME PEERS DISAGREED WITH GRAFT (see "mismatch" rows)'}; total ${elapsed.toFixed(0)} s; load average ${loadAtEnd.join(' ')} at end`,
);

mkdirSync(path.dirname(args.out!), { recursive: true });
writeFileSync(
  args.out!,
  `${JSON.stringify(
    {
      ...info,
      elapsedSeconds: elapsed,
      loadAverageAtEnd: loadAtEnd,
      allAgree,
      wasmKernels: wasmInfo,
      cases: final.map(({ case: c, ...rest }) => ({ ...c, ...rest })),
      twoThreads: final2.map(({ case: c, ...rest }) => ({ ...c, ...rest })),
    },
    null,
    2,
  )}\n`,
);
log(`JSON: ${path.relative(process.cwd(), args.out!)}`);
