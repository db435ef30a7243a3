/**
 * The float32 kernels' WebAssembly module: the functions the JS side calls, and the register
 * blocks themselves (kernelRows, kernelRowsAdd, kernelColsAdd, dotRows) for micro-benchmarks.
 */
export { copy, zero } from './memory';
export { packPanels, packColumns, kernelRows, kernelRowsAdd, kernelColsAdd, kernelRowsList, dotRows, setSchedules } from './gemm';
export { convForward, convBackpropInput, convBackpropFilter, convFilterOneChannel, sumFilterPartials, sumPartials, gemmScratchBytes, filterScratchBytes } from './conv';
export { depthwiseForward, depthwiseBackpropInput, depthwiseBackpropFilter } from './depthwise';
export { maxPool, avgPool, maxPoolGrad, maxPoolGradGrad } from './pool';
export { sumLeading } from './reduce';
export { fused, fusedScratchBytes, fusedBlock } from './fused';
export { convWinograd, convWinogradFilter, winogradFilterChunk, winogradFilterSum, winogradScratchBytes, winogradFilterTmpBytes } from './winograd';
