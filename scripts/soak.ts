/**
 * Soak: does a long training run stay flat? Trains a small MNIST CNN (conv 3×3×8 → relu →
 * maxPool → conv 3×3×16 → relu → maxPool → dense 10, Adam, batch 32) for 20,000 steps on cpu()
 * and prints, every 2,000 steps, the process's resident set, the V8 heap, the memory outside
 * it (typed arrays and the kernels' WebAssembly memory) and the arenas of every program the
 * trainer compiled. Not a test: it takes minutes, and flat is judged by reading the table.
 *
 *     node --conditions=source --import tsx scripts/soak.ts [--steps N] [--every K] [--batch B]
 */
import { cpu, nn, type Backend, type Executable } from 'graft';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const v = Number(process.argv[at + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`soak: --${name} must be a positive integer, got ${process.argv[at + 1]}`);
  return v;
}

const steps = option('steps', 20000);
const every = option('every', 2000);
const batch = option('batch', 32);

// cpu(), keeping each executable it prepares so the script can read their arenas.
const executables: Executable[] = [];
const inner = cpu();
const backend: Backend = {
  name: inner.name,
  maxElements: inner.maxElements,
  prepare(plan, options) {
    const e = inner.prepare(plan, options);
    executables.push(e);
    return e;
  },
};
const arenaBytes = () => executables.reduce((s, e) => s + (e.memory === undefined ? 0 : e.memory.arena.float32 * 4 + e.memory.arena.float64 * 8), 0);

const model = nn.sequential(
  [
    nn.conv2d({ filters: 8, kernel: 3, padding: 'SAME', activation: 'relu' }),
    nn.maxPool({ ksize: 2 }),
    nn.conv2d({ filters: 16, kernel: 3, padding: 'SAME', activation: 'relu' }),
    nn.maxPool({ ksize: 2 }),
    nn.flatten(),
    nn.dense({ units: 10 }),
  ],
  { inputShape: [28, 28, 1], seed: 1 },
);
const trainer = new nn.Trainer(model, { batchSize: batch, backend });
const { train } = nn.loadMnist({ trainSize: 8000, testSize: 2000 });
const perBatch = Math.floor(train.length / batch);
const xs = 28 * 28;

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const rows: string[][] = [['step', 'loss', 'rss MB', 'heap MB', 'external MB', 'arrayBuffers MB', 'arenas MB', 'programs', 's']];
const start = performance.now();
let loss = 0;
for (let step = 1; step <= steps; step++) {
  const k = (step - 1) % perBatch;
  const out = await trainer.step(train.inputs.subarray(k * batch * xs, (k + 1) * batch * xs), train.targets.subarray(k * batch * 10, (k + 1) * batch * 10));
  loss = out.loss;
  if (step === 1 || step % every === 0) {
    const m = process.memoryUsage();
    rows.push([String(step), loss.toFixed(4), mb(m.rss), mb(m.heapUsed), mb(m.external), mb(m.arrayBuffers), mb(arenaBytes()), String(executables.length), ((performance.now() - start) / 1000).toFixed(0)]);
    console.error(rows.at(-1)!.join('  '));
  }
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
console.log(rows.map((r) => r.map((v, c) => v.padStart(widths[c]!)).join('  ')).join('\n'));
const first = rows[2] ?? rows[1]!;
const last = rows.at(-1)!;
console.log(`rss from step ${first[0]} to ${last[0]}: ${first[2]} MB → ${last[2]} MB; arenas ${first[6]} MB → ${last[6]} MB`);
