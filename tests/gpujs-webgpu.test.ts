/**
 * The gpu.js executor on WebGPU: Dawn's Vulkan route where a GPU exists, else its OpenGL ES
 * route over Mesa (llvmpipe), with no X server. Dawn's GL backend cannot share a process with
 * headless-gl, so that mode has a file (and a vitest run under xvfb-run) of its own.
 */
import { describe, expect, it } from 'vitest';
import { compile, Graph } from 'graft';
import { gpujs } from '../packages/backend-gpujs/src/index.ts';
import { gpujsSuite } from './util/gpujs.ts';

gpujsSuite('webgpu', { convRuns: 12, opRuns: 3, memoryRuns: 200 });

describe('webgpu set-up and tear-down', () => {
  it('creates navigator.gpu from dawn.node, removes it on dispose, and can set it up again', async () => {
    for (let round = 0; round < 2; round++) {
      const backend = gpujs({ mode: 'webgpu' });
      const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
      expect(nav?.gpu).toBeDefined();
      const g = new Graph();
      const x = g.input('x', [3]);
      const out = await compile({ y: g.exp(x) }, { backend }).run({ x: Float32Array.of(0, 1, 2) });
      expect(Array.from(out.y!).map((v) => +v.toFixed(4))).toEqual([1, 2.7183, 7.3891]);
      expect([...backend.kernelClasses()]).toEqual(['WebGPUKernel']);
      await backend.dispose();
      expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
    }
  });
});
