import { platform } from '#platform';
import { AttrError, GraftError } from '@graft/ir';
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
 *
 * A worker that dies mid-call never finishes its chunk. The caller waits in slices and watches
 * two things: the worker's state (its exit handler stores DEAD) and its heartbeat (one word
 * per worker, bumped after every chunk). A DEAD state, or no heartbeat for `workerTimeoutMs`,
 * makes the call throw `WorkerError`; the dead worker is terminated and replaced, so the next
 * call runs on a full pool.
 */

const FN = 0;
const ARGS = 1;
const CHUNKS = 2;
const NEXT = 3;
const ERROR = 4;
const DONE = 5;
/** Fault injection for tests: the worker whose index + 1 is here exits as it takes its next chunk; −(index + 1): it hangs there. */
const FAULT = 6;
const STATE = 8;
export const MAX_WORKERS = 8;
const BEAT = STATE + MAX_WORKERS;
const WORDS = BEAT + MAX_WORKERS;

const STARTING = 0;
const IDLE = 1;
const ASSIGNED = 2;
const RUNNING = 3;
const DEAD = 4;

/** A worker thread that failed or died during a kernel call (the call's results are not complete). */
export class WorkerError extends GraftError {}

// The worker's code: a plain script (the platform binds `workerData`), so that it needs no
// TypeScript loader whatever runs the caller (tsx, vitest, plain node on built code, a page).
const workerSource = `
const { module, memory, control, names, index } = workerData;
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = names.map((n) => exports[n]);
const ctl = new Int32Array(memory.buffer, control, ${WORDS});
const me = ${STATE} + index;
const beat = ${BEAT} + index;
const thread = index + 1;
const die = () => {
  Atomics.store(ctl, me, ${DEAD});
  Atomics.notify(ctl, me);
};
if (typeof process === 'object' && typeof process.on === 'function') process.on('exit', die);
Atomics.store(ctl, me, ${IDLE});
for (;;) {
  Atomics.wait(ctl, me, ${IDLE});
  if (Atomics.compareExchange(ctl, me, ${ASSIGNED}, ${RUNNING}) !== ${ASSIGNED}) continue;
  const fn = fns[ctl[${FN}]];
  const args = ctl[${ARGS}];
  const chunks = ctl[${CHUNKS}];
  try {
    for (let c = Atomics.add(ctl, ${NEXT}, 1); c < chunks; c = Atomics.add(ctl, ${NEXT}, 1)) {
      const fault = Atomics.load(ctl, ${FAULT});
      if (fault === thread) {
        Atomics.store(ctl, ${FAULT}, 0);
        if (typeof process === 'object' && typeof process.exit === 'function') process.exit(1);
        die();
        return;
      }
      if (fault === -thread) {
        Atomics.store(ctl, ${FAULT}, 0);
        for (;;);
      }
      fn(args, c, thread);
      Atomics.add(ctl, ${DONE}, 1);
      Atomics.add(ctl, beat, 1);
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
  if (!Number.isInteger(n) || n < 1) throw new AttrError('setCpuThreads', 'n must be a positive integer', { n });
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

function spawn(index: number): KernelWorker {
  const { module, memory } = wasmKernels();
  Atomics.store(controlWords(), STATE + index, STARTING);
  return platform.spawnWorker(workerSource, { module, memory, control: CONTROL, names: chunkFunctions, index });
}

function startWorkers(n: number): void {
  while (workers.length < n - 1) workers.push(spawn(workers.length));
}

/** Replaces a dead (or hung) worker by a fresh one at the same index. */
function replace(index: number): void {
  workers[index]!.terminate();
  workers[index] = spawn(index);
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
    if (Date.now() > deadline) throw new WorkerError('cpu', `worker threads must start within ${timeoutMs} ms`, { timeoutMs, threads: n });
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
  const dead: number[] = [];
  for (const w of assigned) {
    if (Atomics.compareExchange(ctl, STATE + w, ASSIGNED, IDLE) === ASSIGNED) continue;
    if (!waitWhileRunning(ctl, w)) dead.push(w);
  }
  if (dead.length > 0) {
    for (const w of dead) replace(w);
    throw new WorkerError('cpu', `wasm kernel ${fn}: worker thread${dead.length === 1 ? '' : 's'} ${dead.join(', ')} died during the call; its chunks were not computed (the pool has been refilled)`, {
      kernel: fn,
      workers: dead,
      chunks,
    });
  }
  if (Atomics.load(ctl, ERROR) !== 0) throw new WorkerError('cpu', `wasm kernel ${fn}: a chunk on a worker thread threw (its error is on stderr)`, { kernel: fn, chunks });
}

/** Milliseconds a running worker may go without finishing a chunk before it is declared dead. */
function workerTimeoutMs(): number {
  const v = Number(platform.env('GRAFT_CPU_WORKER_TIMEOUT_MS'));
  return Number.isFinite(v) && v > 0 ? v : 60_000;
}

/**
 * Waits until worker `w` leaves RUNNING; false when it died: its exit handler stored DEAD, or its
 * heartbeat stood still for longer than `workerTimeoutMs()` (a worker terminated from outside
 * runs no handler).
 */
function waitWhileRunning(ctl: Int32Array, w: number): boolean {
  const timeout = workerTimeoutMs();
  let beat = Atomics.load(ctl, BEAT + w);
  let since = Date.now();
  for (;;) {
    const state = Atomics.load(ctl, STATE + w);
    if (state === DEAD) return false;
    if (state !== RUNNING) return true;
    if (platform.canBlock) Atomics.wait(ctl, STATE + w, RUNNING, Math.min(timeout, 100));
    const now = Atomics.load(ctl, BEAT + w);
    if (now !== beat) [beat, since] = [now, Date.now()];
    else if (Date.now() - since > timeout && Atomics.load(ctl, STATE + w) === RUNNING) return false;
  }
}

/**
 * Testing: makes worker `index` (0-based) exit (`'exit'`) or hang without a heartbeat
 * (`'hang'`, like a thread stopped from outside) as it takes its next chunk — a worker that
 * dies mid-call.
 */
export function injectWorkerFault(index: number, fault: 'exit' | 'hang'): void {
  Atomics.store(controlWords(), FAULT, fault === 'exit' ? index + 1 : -(index + 1));
}
