import type { OnednnAddon, OnednnUnavailable } from '@graft/onednn';

/*
 * What the CPU executor needs from its platform: the kernels' compiled WebAssembly module,
 * whether memory can be shared with worker threads, how to start one, the native kernels
 * where they load, and the environment's settings. `#platform` resolves
 * to `node.ts` in Node and to `browser.ts` in a browser bundle (package.json `imports`, by the
 * `browser` condition), so the rest of the executor uses no platform API.
 */

/** An opaque compiled WebAssembly module (it can be posted to a worker thread). */
export interface WasmModule {
  readonly __wasmModule?: never;
}

/** What a kernel worker receives: the module, the memory and where its control words are. */
export interface KernelWorkerData {
  readonly module: WasmModule;
  readonly memory: unknown;
  readonly control: number;
  readonly names: readonly string[];
  readonly index: number;
}

/** A started worker; it never keeps the process (or page) alive by itself. */
export interface KernelWorker {
  terminate(): void;
}

export interface CpuPlatform {
  /** `'node'` or `'browser'` (for messages and `program.stats()`). */
  readonly name: 'node' | 'browser';
  /**
   * Whether a shared `WebAssembly.Memory` can be created here (always in Node; in a page only
   * when it is cross-origin isolated). Without it the kernels run on one thread over a private
   * memory, and executors keep their arena outside it (a private memory's buffer is detached
   * when it grows).
   */
  readonly sharedMemory: boolean;
  /** Whether this thread may block in `Atomics.wait` (not a page's main thread). */
  readonly canBlock: boolean;
  /** Logical processors (the default thread count's upper bound). */
  hardwareThreads(): number;
  /**
   * The kernels module for this memory kind (`shared`: with threads and shared memory): the
   * relaxed-SIMD build (fused multiply-adds) where the runtime validates it and `relaxed` allows
   * it, else the plain SIMD one.
   */
  kernelModule(shared: boolean, relaxed: boolean): { readonly module: WasmModule; readonly relaxedSimd: boolean };
  /** The native oneDNN addon, or why it is not available (loaded once, on first use). */
  loadOnednn(): OnednnAddon | OnednnUnavailable;
  /** A setting from the environment (`GRAFT_CPU_KERNELS`, …): Node's variables; none in a page. */
  env(name: string): string | undefined;
  /**
   * Starts a worker running `body`, the body of a function (it may `return`) in which
   * `workerData` is bound to `data` (and `WebAssembly`, `Atomics` are the usual globals).
   */
  spawnWorker(body: string, data: KernelWorkerData): KernelWorker;
}
