/**
 * The gpu.js executor in gpu.js's own JavaScript mode: a smoke test (it computes in float64
 * internally, so it is not a float32 parity reference), with the same checks at fewer runs.
 */
import { gpujsSuite } from './util/gpujs.ts';

gpujsSuite('cpu', { convRuns: 2, opRuns: 0, memoryRuns: 0 });
