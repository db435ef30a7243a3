/** The float32 kernels' WebAssembly module: every export the JS side calls. */
export { copy, zero } from './memory';
export { packPanels, packColumns, kernelRows, kernelCols, dotRows } from './gemm';
export { convForward, convBackpropInput, convBackpropFilter, sumFilterPartials, gemmScratchBytes, filterScratchBytes } from './conv';
export { maxPool, avgPool, maxPoolGrad, maxPoolGradGrad } from './pool';
export { sumLeading } from './reduce';
