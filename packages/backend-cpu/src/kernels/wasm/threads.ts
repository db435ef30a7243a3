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
let wanted = defaultThreads();
/** The running program's thread count (`cpu({ threads })`), overriding `wanted` while it runs. */
let callLimit: number | undefined;
let control: Int32Array | undefined;

/** One thread per core, at most the caller plus MAX_WORKERS; one where memory cannot be shared. */
export function defaultThreads(): number {
  return platform.sharedMemory ? Math.max(1, Math.min(MAX_WORKERS + 1, platform.hardwareThreads())) : 1;
}

/**
 * Runs `f` with kernel calls using up to `n` threads (the executor of a `cpu({ threads })`
 * program wraps each run in it), whatever the process-wide default is.
 */
export function withThreads<T>(n: number, f: () => T): T {
  const before = callLimit;
  callLimit = platform.sharedMemory ? Math.min(n, MAX_WORKERS + 1) : 1;
  try {
    return f();
  } finally {
    callLimit = before;
  }
}

/** The control words, viewed afresh when the memory's buffer changed (a private memory that grew detaches the old one). */
function controlWords(): Int32Array {
  if (control === undefined || control.buffer !== wasmKernels().memory.buffer) control = i32View(CONTROL, WORDS);
  return control;
}

/**
 * Sets how many threads (the caller's included) kernel calls may use by default; 1 turns
 * threading off. Workers start in the background, so calls use them from when they are ready.
 *
 * @deprecated A process-wide switch: give the executor its own count with `cpu({ threads })`.
 */
export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setThreads: n must be a positive integer, got ${n}`);
  wanted = platform.sharedMemory ? Math.min(n, MAX_WORKERS + 1) : 1;
  if (workers.length > wanted - 1 && callLimit === undefined) {
    for (const w of workers.slice(wanted - 1)) w.terminate();
    workers = workers.slice(0, wanted - 1);
  }
}

/** How many threads kernel calls may use now (the running program's count, else the default). */
export function threads(): number {
  return callLimit ?? wanted;
}

function startWorkers(n: number): void {
  const { module, memory } = wasmKernels();
  const ctl = controlWords();
  while (workers.length < n - 1) {
    const index = workers.length;
    Atomics.store(ctl, STATE + index, STARTING);
    workers.push(platform.spawnWorker(workerSource, { module, memory, control: CONTROL, names: chunkFunctions, index }));
  }
}

/** Threads ready for the next call: the caller plus the workers that have started. */
export function readyThreads(): number {
  const want = threads();
  if (want === 1) return 1;
  startWorkers(want);
  const ctl = controlWords();
  let n = 1;
  while (n < want && n - 1 < workers.length && Atomics.load(ctl, STATE + n - 1) !== STARTING) n++;
  return n;
}

/**
 * Resolves when `n` threads (default: the current count) are ready (tests and benchmarks;
 * kernels never wait).
 */
export async function whenThreadsReady(timeoutMs = 10_000, n = threads()): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (withThreads(n, readyThreads) < Math.min(n, MAX_WORKERS + 1)) {
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
