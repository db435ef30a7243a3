import { platform } from '#platform';
import type { KernelWorker } from '../../platform/types.ts';
import { CONTROL, i32View } from './heap.ts';
import { chunkFunctions, wasmKernels, type ChunkFunction } from './module.ts';

/*
 * Worker threads that run chunks of a kernel call on the shared memory. Kernels stay
 * synchronous (the executor's constant folding needs `runSync`): the calling thread assigns
 * the call to every idle worker, takes chunks itself, and blocks in `Atomics.wait` (allowed on
 * Node's main thread; a page's main thread spins instead) until the workers that started are
 * done. Without shared memory (a page that is not cross-origin isolated) there is one thread.
 *
 * Control words (Int32, at CONTROL): [FN] chunk function index, [ARGS] argument record,
 * [CHUNKS] chunk count, [NEXT] next unclaimed chunk, [ERROR] set by a worker whose chunk threw,
 * [DONE] chunks run by workers so far (a statistic), then one state word per worker:
 *
 *     STARTING → IDLE (ready) → ASSIGNED (by the caller) → RUNNING (taken by the worker) → IDLE
 *                                         ↘ IDLE (revoked by the caller once every chunk is claimed)
 *
 * Revoking an assignment the worker has not taken yet means a worker that wakes late (the OS
 * had the core busy) never delays the call: the caller only waits for workers that are RUNNING,
 * and a running worker only runs chunks it claimed with `Atomics.add(NEXT)`.
 */

const FN = 0;
const ARGS = 1;
const CHUNKS = 2;
const NEXT = 3;
const ERROR = 4;
const DONE = 5;
const STATE = 8;
export const MAX_WORKERS = 8;
const WORDS = STATE + MAX_WORKERS;

const STARTING = 0;
const IDLE = 1;
const ASSIGNED = 2;
const RUNNING = 3;

// The worker's code: a plain script (the platform binds `workerData`), so that it needs no
// TypeScript loader whatever runs the caller (tsx, vitest, plain node on built code, a page).
const workerSource = `
const { module, memory, control, names, index } = workerData;
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = names.map((n) => exports[n]);
const ctl = new Int32Array(memory.buffer, control, ${WORDS});
const me = ${STATE} + index;
const thread = index + 1;
Atomics.store(ctl, me, ${IDLE});
for (;;) {
  Atomics.wait(ctl, me, ${IDLE});
  if (Atomics.compareExchange(ctl, me, ${ASSIGNED}, ${RUNNING}) !== ${ASSIGNED}) continue;
  const fn = fns[ctl[${FN}]];
  const args = ctl[${ARGS}];
  const chunks = ctl[${CHUNKS}];
  try {
    for (let c = Atomics.add(ctl, ${NEXT}, 1); c < chunks; c = Atomics.add(ctl, ${NEXT}, 1)) {
      fn(args, c, thread);
      Atomics.add(ctl, ${DONE}, 1);
    }
  } catch (e) {
    Atomics.store(ctl, ${ERROR}, 1);
    console.error(e);
  }
  Atomics.store(ctl, me, ${IDLE});
  Atomics.notify(ctl, me);
}
`;

let workers: KernelWorker[] = [];
let wanted = platform.sharedMemory ? Math.max(1, Math.min(MAX_WORKERS + 1, platform.hardwareThreads())) : 1;
let control: Int32Array | undefined;

function controlWords(): Int32Array {
  control ??= i32View(CONTROL, WORDS);
  return control;
}

/**
 * Sets how many threads (the caller's included) kernel calls may use; 1 turns threading off.
 * Workers start in the background, so calls use them from when they are ready.
 */
export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setThreads: n must be a positive integer, got ${n}`);
  wanted = platform.sharedMemory ? Math.min(n, MAX_WORKERS + 1) : 1;
  if (workers.length > wanted - 1) {
    for (const w of workers.slice(wanted - 1)) w.terminate();
    workers = workers.slice(0, wanted - 1);
  }
}

/** How many threads kernel calls may use (see setThreads). */
export function threads(): number {
  return wanted;
}

function startWorkers(): void {
  const { module, memory } = wasmKernels();
  const ctl = controlWords();
  while (workers.length < wanted - 1) {
    const index = workers.length;
    Atomics.store(ctl, STATE + index, STARTING);
    workers.push(platform.spawnWorker(workerSource, { module, memory, control: CONTROL, names: chunkFunctions, index }));
  }
}

/** Threads ready for the next call: the caller plus the workers that have started. */
export function readyThreads(): number {
  if (wanted === 1) return 1;
  startWorkers();
  const ctl = controlWords();
  let n = 1;
  while (n - 1 < workers.length && Atomics.load(ctl, STATE + n - 1) !== STARTING) n++;
  return n;
}

/** Resolves when every wanted worker is ready (tests and benchmarks; kernels never wait). */
export async function whenThreadsReady(timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (readyThreads() < wanted) {
    if (Date.now() > deadline) throw new Error(`worker threads not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Chunks that worker threads have run since the process started (to see whether threading happens). */
export function workerChunks(): number {
  return Atomics.load(controlWords(), DONE);
}

/**
 * Runs `fn(args, c, thread)` for every chunk c < chunks on up to `count` threads (thread 0 is
 * the caller; `count` is at most `readyThreads()`, and each thread's scratch must exist), and
 * returns when all chunks are done.
 */
export function parallel(fn: ChunkFunction, args: number, chunks: number, count: number): void {
  const f = wasmKernels().exports[fn];
  if (count <= 1 || chunks <= 1) {
    for (let c = 0; c < chunks; c++) f(args, c, 0);
    return;
  }
  const ctl = controlWords();
  ctl[FN] = chunkFunctions.indexOf(fn);
  ctl[ARGS] = args;
  ctl[CHUNKS] = chunks;
  Atomics.store(ctl, ERROR, 0);
  Atomics.store(ctl, NEXT, 0);
  const assigned: number[] = [];
  for (let w = 0; w < count - 1; w++) {
    if (Atomics.compareExchange(ctl, STATE + w, IDLE, ASSIGNED) === IDLE) {
      Atomics.notify(ctl, STATE + w);
      assigned.push(w);
    }
  }
  for (let c = Atomics.add(ctl, NEXT, 1); c < chunks; c = Atomics.add(ctl, NEXT, 1)) f(args, c, 0);
  for (const w of assigned) {
    if (Atomics.compareExchange(ctl, STATE + w, ASSIGNED, IDLE) === ASSIGNED) continue;
    if (platform.canBlock) while (Atomics.load(ctl, STATE + w) === RUNNING) Atomics.wait(ctl, STATE + w, RUNNING);
    else while (Atomics.load(ctl, STATE + w) === RUNNING);
  }
  if (Atomics.load(ctl, ERROR) !== 0) throw new Error(`wasm kernel ${fn}: a worker thread failed (its error is on stderr)`);
}
