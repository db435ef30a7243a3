export { cpu, type CpuOptions } from './executor.ts';
export { kernels } from './kernels/index.ts';
export type { Kernel, KernelTable } from './kernel.ts';
export { setThreads, threads, whenThreadsReady } from './kernels/wasm/threads.ts';
