export { gpujs, type GpujsBackend, type GpujsOptions, type GpujsStats } from './backend.ts';
export type { TransferStats } from './counters.ts';
export { BackendUnavailableError, KERNEL_CLASS, PrecisionError, type GpujsMode, type RequestedMode } from './modes.ts';
