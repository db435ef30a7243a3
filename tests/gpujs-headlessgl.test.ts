/**
 * The gpu.js executor on headless-gl (GLSL; Mesa llvmpipe under Xvfb here). It needs an X
 * server and cannot share a process with Dawn's GL backend, so `pnpm test` runs this file in
 * its own vitest invocation under `xvfb-run -a` (GRAFT_TEST_HEADLESSGL=1); the main run
 * excludes it and checks instead that asking for headlessgl without a display fails clearly.
 */
import { gpujsSuite } from './util/gpujs.ts';

gpujsSuite('headlessgl', { convRuns: 12, opRuns: 3, memoryRuns: 200 });
