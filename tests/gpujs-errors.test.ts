/**
 * Honest failure: a mode that cannot run here is refused at construction with the mode, the
 * reason and the fix — never replaced silently — and tensors beyond the executor's limit are
 * refused at compile time. This file runs in the main (non-xvfb) test run, without a display.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AttrError, Graph, ResourceError, compile } from 'graft';
import { BackendUnavailableError, KERNEL_CLASS, PrecisionError, gpujs, type GpujsBackend } from '../packages/backend-gpujs/src/index.ts';

describe('gpujs: unavailable modes and limits', () => {
  const created: GpujsBackend[] = [];
  afterAll(async () => {
    for (const b of created) await b.dispose();
  });

  it('headlessgl without an X server throws naming the mode, the reason and the fix', () => {
    const display = process.env.DISPLAY;
    delete process.env.DISPLAY;
    try {
      let error: unknown;
      try {
        created.push(gpujs({ mode: 'headlessgl' }));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BackendUnavailableError);
      const message = (error as Error).message;
      expect(message).toMatch(/^gpujs: mode 'headlessgl' is not available: /);
      expect(message).toContain('DISPLAY is unset');
      expect(message).toContain('xvfb-run -a');
      expect((error as BackendUnavailableError).mode).toBe('headlessgl');
    } finally {
      if (display !== undefined) process.env.DISPLAY = display;
    }
  });

  it('an unknown mode is an AttrError listing the modes', () => {
    expect(() => gpujs({ mode: 'opengl' as never })).toThrow(AttrError);
    expect(() => gpujs({ mode: 'opengl' as never })).toThrow(/mode must be one of 'auto', 'webgpu', 'webgl2', 'webgl', 'headlessgl', 'webasm', 'cpu'/);
  });

  it.each(['webgl2', 'webgl'] as const)("the browser mode '%s' is refused in Node, pointing at headlessgl and webgpu", (mode) => {
    let error: unknown;
    try {
      created.push(gpujs({ mode }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(new RegExp(`^gpujs: mode '${mode}' is not available: a browser mode: Node has no WebGL canvas; use 'headlessgl'`));
    expect((error as BackendUnavailableError).values).toEqual({ mode });
  });

  it("'auto' picks a mode, says why, and runs on that mode's kernel class", async () => {
    const backend = gpujs();
    created.push(backend);
    expect(backend.requested).toBe('auto');
    expect(['webgpu', 'headlessgl', 'webasm', 'cpu']).toContain(backend.mode);
    expect(backend.choice.length).toBeGreaterThan(0);
    console.log(`auto picked ${backend.mode}: ${backend.choice} [${backend.device}]`);
    const g = new Graph();
    const x = g.input('x', [4]);
    const out = await compile({ y: g.square(x) }, { backend }).run({ x: Float32Array.of(1, 2, 3, 4) });
    expect(Array.from(out.y!)).toEqual([1, 4, 9, 16]);
    expect([...backend.kernelClasses()]).toEqual([KERNEL_CLASS[backend.mode]]);
  });

  it('a float64 program is refused unless float32 computation is asked for, and the choice shows in stats()', async () => {
    const strict = gpujs({ mode: 'webasm' });
    const lenient = gpujs({ mode: 'webasm', float64: 'compute-in-float32' });
    created.push(strict, lenient);
    expect(strict.float64).toBe('refuse');
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', [3]);
    const y = g.exp(x);
    let error: unknown;
    try {
      compile({ y }, { backend: strict });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PrecisionError);
    expect((error as Error).message).toMatch(/^gpujs\(webasm\): float64 programs must be allowed to compute in float32 .*gpujs\(\{ float64: 'compute-in-float32' \}\)/);
    expect((error as PrecisionError).values).toMatchObject({ float64Buffers: 2 });
    const program = compile({ y }, { backend: lenient });
    const out = await program.run({ x: Float64Array.of(1, 0, -1) });
    // exp(1) in float32 is 2.7182817459106445, not Math.E: the stats say so.
    expect(out.y![0]).toBe(Math.fround(Math.E));
    expect(program.stats().executor).toMatchObject({ mode: 'webasm', kernelClass: 'WebAssemblyKernel', precision: 'float64 computed in float32' });
    program.dispose();
    expect(() => gpujs({ mode: 'webasm', float64: 'yes' as never })).toThrow(/float64 must be 'refuse' or 'compute-in-float32'/);
  });

  it('a tensor over 2^24 elements is refused when compiling, naming the node, shape and limit', () => {
    const backend = gpujs({ mode: 'cpu' });
    created.push(backend);
    const g = new Graph();
    const x = g.input('x', [4097, 4097]);
    expect(() => compile({ y: g.relu(x) }, { backend })).toThrow(ResourceError);
    expect(() => compile({ y: g.relu(x) }, { backend })).toThrow(/compile: every tensor must have at most 16777216 elements on gpujs\(cpu\), got input#0 float32\[4097,4097\] with 16785409/);
  });
});
