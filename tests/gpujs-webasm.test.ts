/** The gpu.js executor on WebAssembly (f32x4 SIMD): float32-exact, no device needed. */
import { gpujsSuite } from './util/gpujs.ts';

gpujsSuite('webasm', { convRuns: 12, opRuns: 3, memoryRuns: 200 });
