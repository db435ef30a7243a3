/**
 * The compiler on a training step: the gradient graph of a small CNN (batch 64, float32,
 * MNIST-sized) — x[64,28,28,1] → conv 5×5×1×32 SAME + biasAdd + relu + maxPool 2 →
 * conv 5×5×32×64 SAME + biasAdd + relu + maxPool 2 → reshape → matmul 3136×10 + bias →
 * logSoftmax → mean of −Σ labels·logp, with the gradients of all weights. The planned arena
 * is at most half of one buffer per node; a second run allocates no typed array (counted
 * through the executor's onAllocate hook), and neither the kernels' scratch workspaces nor
 * the WebAssembly kernels' heap grow; and the optimised program computes what the plain one does (to float32 rounding:
 * the compiler's own changes are exact, but the float32 conv kernels may sum in an order that
 * differs between runs).
 */
import { Graph, checkPlan, compile, cpu, grad, type FloatArray, type Node } from 'graft';
import { describe, expect, it } from 'vitest';
import { heapExtent } from '../packages/backend-cpu/src/kernels/wasm/heap.ts';
import { Slot, scratch } from '../packages/backend-cpu/src/kernels/workspace.ts';

function trainingGraph() {
  const g = new Graph({ dtype: 'float32' });
  const batch = 64;
  const x = g.input('x', [batch, 28, 28, 1]);
  const labels = g.input('labels', [batch, 10]);
  const params = {
    w1: g.input('w1', [5, 5, 1, 32]),
    b1: g.input('b1', [32]),
    w2: g.input('w2', [5, 5, 32, 64]),
    b2: g.input('b2', [64]),
    w3: g.input('w3', [3136, 10]),
    b3: g.input('b3', [10]),
  };
  const pool = { ksize: 2, strides: 2, padding: 'VALID' } as const;
  const h1 = g.maxPool(g.relu(g.biasAdd(g.conv2d(x, params.w1, { padding: 'SAME' }), params.b1)), pool);
  const h2 = g.maxPool(g.relu(g.biasAdd(g.conv2d(h1, params.w2, { padding: 'SAME' }), params.b2)), pool);
  const logits = g.add(g.matmul(g.reshape(h2, [batch, 3136]), params.w3), params.b3);
  const logp = g.logSoftmax(logits);
  const loss = g.mean(g.neg(g.sum(g.mul(labels, logp), [1])));
  const names = Object.keys(params) as (keyof typeof params)[];
  const grads = grad(loss, names.map((k) => params[k]));
  const outputs: Record<string, Node> = { loss };
  names.forEach((k, i) => (outputs[`d${k}`] = grads[i]!));
  return { inputs: { x, labels, ...params }, outputs };
}

/** Seeded feeds: images in [0, 1), one-hot labels, weights scaled by 1/√fan-in. */
function feeds(inputs: Record<string, Node>, seed: number): Record<string, Float32Array> {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: Record<string, Float32Array> = {};
  for (const [name, n] of Object.entries(inputs)) {
    const a = new Float32Array(n.size);
    if (name === 'labels') for (let i = 0; i < 64; i++) a[i * 10 + Math.floor(next() * 10)] = 1;
    else if (name === 'x') a.forEach((_, i) => (a[i] = next()));
    else {
      const fanIn = n.shape.length === 1 ? 1 : n.size / n.shape[n.shape.length - 1]!;
      a.forEach((_, i) => (a[i] = (next() * 2 - 1) / Math.sqrt(fanIn)));
    }
    out[name] = a;
  }
  return out;
}

const slots = Object.values(Slot);

describe('compiling the training step of a small CNN (batch 64, float32)', () => {
  const { inputs, outputs } = trainingGraph();
  let allocations = 0;
  let bytes = 0;
  const program = compile(outputs, { backend: cpu({ onAllocate: (b) => ((allocations += 1), (bytes += b)) }) });

  it('plans an arena of at most half the bytes of one buffer per node, with fused and in-place steps', () => {
    const stats = program.stats();
    expect(stats.arenaBytes).toBeLessThanOrEqual(0.5 * stats.unplannedBytes);
    expect(stats.nodes).toBeLessThan(stats.sourceNodes);
    expect(stats.fusedSteps).toBeGreaterThanOrEqual(4);
    expect(stats.steps).toBeLessThan(stats.nodes - 8);
    expect(program.listing()).toMatch(/fused\[biasAdd,relu\]/);
    expect(program.listing()).toMatch(/fused\[biasAdd,step,mul\]/);
    checkPlan(program.plan, program.memory!);
  });

  it('a second run allocates no typed array, in the executor or in the kernels’ scratch workspaces', async () => {
    const first = await program.run(feeds(inputs, 1), { copy: false });
    const afterFirst = allocations;
    const workspaces = slots.map((slot) => scratch(slot, 0));
    const heap = heapExtent();
    const second = await program.run(feeds(inputs, 2), { copy: false });
    expect(allocations).toBe(afterFirst);
    slots.forEach((slot, i) => expect(scratch(slot, 0), `scratch slot ${slot}`).toBe(workspaces[i]));
    // The float32 WebAssembly kernels' heap (their frames, and the arena, which lives there) does not grow.
    expect(heapExtent()).toBe(heap);
    // The outputs are the program's own arrays, overwritten by each run.
    expect(second.loss).toBe(first.loss);
    expect(Number.isFinite(second.loss![0]!)).toBe(true);
    // One arena per dtype (float32 only here): a single allocation in all, at prepare time
    // (plus the small plans constant folding evaluates while compiling).
    expect(bytes).toBeGreaterThanOrEqual(program.stats().arenaBytes);
  });

  it('computes what the plain program (no passes, one buffer per node) computes', async () => {
    const f = feeds(inputs, 3);
    const plain = compile(outputs, { backend: cpu(), passes: [], memory: { reuse: false, inPlace: false, views: false } });
    const want = await plain.run(f);
    const got = await program.run(f);
    for (const [name, values] of Object.entries(want) as [string, FloatArray][]) {
      const mine = got[name]!;
      expect(mine.length).toBe(values.length);
      let scale = 0;
      for (const v of values) scale = Math.max(scale, Math.abs(v));
      expect(scale, name).toBeGreaterThan(0);
      for (let i = 0; i < values.length; i++) {
        if (!(Math.abs(mine[i]! - values[i]!) <= 1e-5 * scale)) expect.fail(`${name}[${i}]: ${mine[i]} vs ${values[i]} (scale ${scale})`);
      }
    }
    // copy: true (the default) returns fresh arrays the caller owns.
    const again = await program.run(f);
    expect(again.loss).not.toBe(got.loss);
  });
});
