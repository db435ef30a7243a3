import { platform } from '#platform';
import type { WasmModule } from '../../platform/types.ts';
import { calibrate, type Schedules } from './calibrate.ts';

/*
 * The float32 kernels' WebAssembly module (sources in `packages/backend-cpu/wasm/assembly/`,
 * AssemblyScript with SIMD, built by `wasm/build.mjs` into `wasm/build/`; the platform module
 * loads it). It comes in two builds: one using relaxed SIMD's fused multiply-add, taken where the
 * runtime validates it (Chromium, Node ≥ 22; Node 20 only with --experimental-wasm-relaxed-simd),
 * and one with SIMD's mul + add. Its one linear memory is created here: shared where the platform
 * allows it, so that worker threads instantiate the same module over the same memory. On load,
 * the register block's inner-loop schedule is chosen by measurement (calibrate.ts).
 */

/** Every function the module exports (addresses are byte offsets into the shared memory). */
export interface KernelExports {
  copy(dst: number, src: number, n: number): void;
  zero(dst: number, n: number): void;
  packPanels(src: number, rows: number, cols: number, rs: number, cs: number, dst: number, k0: number, kTotal: number): void;
  packColumns(src: number, rows: number, cols: number, rs: number, cs: number, dst: number, k0: number, kTotal: number): void;
  convForward(args: number, chunk: number, thread: number): void;
  convBackpropInput(args: number, chunk: number, thread: number): void;
  convBackpropFilter(args: number, chunk: number, thread: number): void;
  convFilterOneChannel(args: number, group: number, thread: number): void;
  sumFilterPartials(acc: number, accStride: number, groups: number, k: number, n: number, kPad: number, dw: number): void;
  sumPartials(acc: number, accStride: number, groups: number, count: number, dst: number): void;
  gemmScratchBytes(k: number, outW: number, taps: number): number;
  setSchedules(rows: number, cols: number): void;
  kernelRowsAdd(k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number): void;
  kernelColsAdd(k: number, a: number, stepA: number, b: number, ldb: number, c: number, ldc: number): void;
  filterScratchBytes(chunkPixels: number, kPad: number, nPad: number, outW: number): number;
  convWinograd(args: number, chunk: number, thread: number): void;
  convWinogradFilter(args: number, group: number, thread: number): void;
  winogradFilterChunk(args: number, chunk: number, thread: number): void;
  winogradFilterSum(args: number, chunk: number, thread: number): void;
  winogradScratchBytes(tiles: number, cp: number, op: number, alpha: number): number;
  winogradFilterTmpBytes(): number;
  depthwiseForward(args: number, chunk: number, thread: number): void;
  depthwiseBackpropInput(args: number, chunk: number, thread: number): void;
  depthwiseBackpropFilter(args: number, chunk: number, thread: number): void;
  maxPool(args: number, chunk: number, thread: number): void;
  avgPool(args: number, chunk: number, thread: number): void;
  maxPoolGrad(args: number, chunk: number, thread: number): void;
  maxPoolGradGrad(args: number, chunk: number, thread: number): void;
  sumLeading(x: number, rows: number, cols: number, acc: number, out: number, divisor: number): void;
  fused(args: number, chunk: number, thread: number): void;
  fusedScratchBytes(nValues: number): number;
  fusedBlock(): number;
}

/** The chunk functions a worker thread may be asked to run, by index. */
export const chunkFunctions = [
  'convForward',
  'convBackpropInput',
  'convBackpropFilter',
  'convFilterOneChannel',
  'convWinograd',
  'convWinogradFilter',
  'winogradFilterChunk',
  'maxPool',
  'avgPool',
  'maxPoolGrad',
  'maxPoolGradGrad',
  'depthwiseForward',
  'depthwiseBackpropInput',
  'depthwiseBackpropFilter',
  'fused',
  'winogradFilterSum',
] as const satisfies readonly (keyof KernelExports)[];
export type ChunkFunction = (typeof chunkFunctions)[number];

/*
 * The WebAssembly JS API, typed here for what the kernels use: this workspace's lib (ES2023,
 * @types/node 20) declares no WebAssembly globals.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}
export type { WasmModule };
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { readonly exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** 64 KiB pages. The maximum is what wasm32 can address; shared memory must declare one. */
export const PAGE = 65536;
const INITIAL_PAGES = 256;
export const MAXIMUM_PAGES = 65536;

export interface WasmKernels {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  readonly exports: KernelExports;
  /** Whether this is the relaxed-SIMD build (fused multiply-adds). */
  readonly relaxedSimd: boolean;
  /** The register block's schedules and how they were chosen. */
  readonly schedules: Schedules;
}

/**
 * Byte offset of the calibration's scratch (calibrate.ts), between the thread control words and
 * the heap (heap.ts: HEAP_BASE); the schedule words themselves are at 960 (wasm/assembly/gemm.ts).
 */
export const CALIBRATION = 4096;

let loaded: WasmKernels | undefined;

/**
 * The module, instantiated on first use (synchronously: kernels are synchronous; the platform
 * has the module compiled by then).
 */
export function wasmKernels(): WasmKernels {
  if (loaded !== undefined) return loaded;
  const shared = platform.sharedMemory;
  const { module, relaxedSimd } = platform.kernelModule(shared, platform.env('GRAFT_WASM_RELAXED_SIMD') !== '0');
  const memory = new WA.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared });
  const instance = new WA.Instance(module, { env: { memory } });
  const exports = instance.exports as unknown as KernelExports;
  const schedules = calibrate(exports, memory, CALIBRATION, platform.env('GRAFT_WASM_SCHEDULE'));
  loaded = { module, memory, exports, relaxedSimd, schedules };
  return loaded;
}

/**
 * What the WebAssembly kernels run as in this process: the relaxed-SIMD build or not, and the
 * register block's schedules and how they were chosen (e.g. for a benchmark's header).
 */
export function wasmKernelInfo(): { readonly relaxedSimd: boolean; readonly schedules: string } {
  const k = wasmKernels();
  return { relaxedSimd: k.relaxedSimd, schedules: `rows ${k.schedules.rows}, cols ${k.schedules.cols} (${k.schedules.how})` };
}

let enabled = true;
/** Set while a `cpu({ kernels: 'typescript' })` program runs. */
let suppressed = false;

/**
 * Turns the float32 WebAssembly kernels on (default) or off; off, float32 ops run the
 * reference TypeScript kernels (float64 sums, rounded once), e.g. to compare the two.
 *
 * @deprecated A process-wide switch: choose per executor with `cpu({ kernels: 'typescript' })`.
 */
export function setWasmKernels(on: boolean): void {
  enabled = on;
}

/** Whether float32 ops run on the WebAssembly kernels. */
export function wasmKernelsEnabled(): boolean {
  return enabled && !suppressed;
}

/** Runs `f` with float32 ops on the TypeScript kernels (a `cpu({ kernels: 'typescript' })` run). */
export function withoutWasmKernels<T>(f: () => T): T {
  const before = suppressed;
  suppressed = true;
  try {
    return f();
  } finally {
    suppressed = before;
  }
}
