/**
 * conv2d forward throughput of the CPU executor (float32, SAME, stride 1), median of
 * repeated runs with readback. Run: `pnpm bench:conv` (add `--json` for JSON).
 */
import { Graph, compile, cpu } from 'graft';

interface Case {
  readonly x: [number, number, number, number];
  readonly w: [number, number, number, number];
}

const cases: Case[] = [
  { x: [32, 28, 28, 1], w: [5, 5, 1, 32] },
  { x: [32, 14, 14, 32], w: [5, 5, 32, 64] },
  { x: [8, 56, 56, 64], w: [3, 3, 64, 64] },
];

function fill(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

async function measure(c: Case) {
  const g = new Graph({ dtype: 'float32' });
  const y = g.conv2d(g.input('x', c.x), g.input('w', c.w), { padding: 'SAME' });
  const program = compile({ y }, { backend: cpu() });
  const feeds = { x: fill(c.x.reduce((a, b) => a * b), 1), w: fill(c.w.reduce((a, b) => a * b), 2) };
  const [n, h, w] = c.x;
  const [kh, kw, cin, cout] = c.w;
  const flops = 2 * n * h * w * kh * kw * cin * cout;
  await program.run(feeds); // warm-up
  const times: number[] = [];
  const deadline = performance.now() + 3000;
  while (times.length < 5 || (performance.now() < deadline && times.length < 50)) {
    const t0 = performance.now();
    await program.run(feeds);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)]!;
  return { x: c.x, w: c.w, medianMs: ms, gflops: flops / (ms * 1e6), runs: times.length };
}

const results = [];
for (const c of cases) results.push(await measure(c));
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ node: process.version, date: new Date().toISOString(), results }, null, 2));
} else {
  console.log('conv2d forward, float32, SAME, stride 1 (CPU executor)');
  console.log('x                 w               median ms   GFLOP/s');
  for (const r of results) {
    console.log(
      `${JSON.stringify(r.x).padEnd(18)}${JSON.stringify(r.w).padEnd(16)}${r.medianMs.toFixed(2).padStart(9)}   ${r.gflops.toFixed(2).padStart(7)}`,
    );
  }
}
