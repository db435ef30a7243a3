export { cpu, CPU_MAX_ELEMENTS, type CpuBackend, type CpuKernels, type CpuOptions } from './executor.ts';
export { WorkerError } from './kernels/wasm/threads.ts';
export { kernels } from './kernels/index.ts';
export type { Kernel, KernelTable } from './kernel.ts';
export {
  setThreads as setCpuThreads,
  threads as cpuThreads,
  whenThreadsReady as whenCpuThreadsReady,
  workerChunks as cpuWorkerChunks,
} from './kernels/wasm/threads.ts';
export {
  setWasmKernels as setCpuWasmKernels,
  wasmKernelsEnabled as cpuWasmKernelsEnabled,
  wasmKernelInfo as cpuWasmKernelInfo,
} from './kernels/wasm/module.ts';
