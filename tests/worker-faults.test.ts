/**
 * A worker thread that dies in the middle of a kernel call: the run rejects with a typed
 * WorkerError (it does not hang, and it does not return the partial result), and the pool is
 * refilled, so the next run computes the right numbers on two threads again. Two ways to die:
 * the thread exits (its exit handler marks it dead), or it stops without a word (its heartbeat
 * stands still past the timeout, as for a thread terminated from outside).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Graph, compile, cpu, cpuWorkerChunks, whenCpuThreadsReady } from 'graft';
import { WorkerError, injectWorkerFault } from '../packages/backend-cpu/src/kernels/wasm/threads.ts';
import { mulberry32, uniform } from './util/random.ts';

/** A conv large enough to be split across two threads (≫ 2^20 multiply-adds), on the WebAssembly kernels. */
function bigConv() {
  const g = new Graph();
  const x = g.input('x', [4, 24, 24, 16]);
  const w = g.input('w', [7, 7, 16, 32]); // 7×7: the direct kernel (convForward; 3×3 and 5×5 run on Winograd's)
  const program = compile({ y: g.conv2d(x, w, { padding: 'SAME' }) }, { backend: cpu({ kernels: 'wasm', threads: 2 }) });
  const rng = mulberry32(17);
  const feeds = { x: Float32Array.from(uniform(rng, 4 * 24 * 24 * 16)), w: Float32Array.from(uniform(rng, 7 * 7 * 16 * 32)) };
  const reference = compile({ y: g.conv2d(x, w, { padding: 'SAME' }) }, { backend: cpu({ kernels: 'wasm', threads: 1 }) });
  return { program, reference, feeds };
}

/** Runs until a worker has taken a chunk (a busy machine may finish a run on the caller alone). */
async function runThreaded(run: () => Promise<unknown>): Promise<void> {
  const before = cpuWorkerChunks();
  for (let k = 0; k < 200 && cpuWorkerChunks() === before; k++) await run();
  expect(cpuWorkerChunks(), 'a worker thread ran chunks').toBeGreaterThan(before);
}

describe('a worker thread that dies mid-call', () => {
  const saved = process.env.GRAFT_CPU_WORKER_TIMEOUT_MS;
  afterEach(() => {
    if (saved === undefined) delete process.env.GRAFT_CPU_WORKER_TIMEOUT_MS;
    else process.env.GRAFT_CPU_WORKER_TIMEOUT_MS = saved;
  });

  for (const fault of ['exit', 'hang'] as const) {
    it(`(${fault}) makes the run reject with WorkerError naming the worker, and the next runs are right on a refilled pool`, async () => {
      if (fault === 'hang') process.env.GRAFT_CPU_WORKER_TIMEOUT_MS = '300';
      const { program, reference, feeds } = bigConv();
      const want = (await reference.run(feeds)).y!;
      await whenCpuThreadsReady(20_000, 2);
      await runThreaded(() => program.run(feeds));
      // The fault fires when the worker takes its next chunk; a run where the caller took every
      // chunk first leaves it armed for the next one.
      injectWorkerFault(0, fault);
      let error: unknown;
      const t0 = performance.now();
      for (let k = 0; k < 200 && error === undefined; k++) {
        try {
          await program.run(feeds);
        } catch (e) {
          error = e;
        }
      }
      expect(error).toBeInstanceOf(WorkerError);
      expect((error as WorkerError).message).toMatch(/^cpu: wasm kernel convForward: worker thread 0 died during the call/);
      expect((error as WorkerError).values).toMatchObject({ kernel: 'convForward', workers: [0] });
      expect(performance.now() - t0).toBeLessThan(60_000);
      // The pool recovers: a fresh worker joins, and threaded runs give the single-thread bits.
      await whenCpuThreadsReady(20_000, 2);
      await runThreaded(async () => {
        const got = (await program.run(feeds)).y!;
        expect(got).toEqual(want);
      });
      program.dispose();
      reference.dispose();
    }, 120_000);
  }
});
