/**
 * gpu.js in a browser page: WebGL2 and WebGL through a canvas, WebGPU where the page has
 * `navigator.gpu`, WebAssembly and gpu.js's JavaScript mode. gpu.js is an optional peer
 * dependency: a bundle built without it still loads, and asking for a mode says what to install.
 */
import { BackendUnavailableError, type GpujsMode, type GpujsPlatform, type GpuModule, type OpenedMode } from '../modes.ts';

// Loaded once with the bundle; a dynamic import inside try/catch lets bundlers leave it out
// (with a warning, not an error) when gpu.js is not installed.
let loaded: GpuModule | undefined;
let loadError = '';
try {
  const m = (await import('gpu.js')) as unknown as GpuModule & { default?: GpuModule };
  loaded = m.GPU !== undefined ? m : m.default;
} catch (e) {
  loadError = (e as Error).message;
}

interface GlContext {
  getExtension(name: string): unknown;
  getParameter(p: number): unknown;
  readonly VERSION: number;
}
interface PageGlobals {
  readonly document?: { createElement(tag: 'canvas'): { getContext(kind: string): GlContext | null } };
  readonly OffscreenCanvas?: new (w: number, h: number) => { getContext(kind: string): GlContext | null };
  readonly navigator?: { readonly gpu?: unknown };
  readonly WebAssembly?: { readonly Memory?: unknown };
}
const page = globalThis as unknown as PageGlobals;

function gpuModule(mode: string): GpuModule {
  if (loaded === undefined) {
    throw new BackendUnavailableError(mode, `the 'gpu.js' package is not in this bundle (${loadError}); install it (npm install gpu.js@2.24.1) and bundle again`, 'gpu.js');
  }
  return loaded;
}

/** A WebGL context of `kind` on a fresh canvas, or null. */
function glContext(kind: 'webgl2' | 'webgl'): GlContext | null {
  const canvas = page.OffscreenCanvas !== undefined ? new page.OffscreenCanvas(1, 1) : page.document?.createElement('canvas');
  return canvas?.getContext(kind) ?? null;
}

/** The renderer string (unmasked where the page may read it), e.g. `ANGLE (… SwiftShader …)`. */
function renderer(gl: GlContext): string {
  const info = gl.getExtension('WEBGL_debug_renderer_info') as { UNMASKED_RENDERER_WEBGL: number } | null;
  return String(gl.getParameter(info === null ? 0x1f01 /* RENDERER */ : info.UNMASKED_RENDERER_WEBGL));
}

const SOFTWARE = /swiftshader|llvmpipe|software|basic render/i;

function open(mode: GpujsMode, _gpu: GpuModule): OpenedMode {
  const done = async () => {};
  switch (mode) {
    case 'webgl2':
    case 'webgl': {
      const gl = glContext(mode);
      if (gl === null) throw new BackendUnavailableError(mode, `this page cannot create a ${mode === 'webgl2' ? 'WebGL2' : 'WebGL'} context`);
      return { device: renderer(gl), release: done };
    }
    case 'webgpu':
      if (page.navigator?.gpu === undefined) {
        throw new BackendUnavailableError('webgpu', 'this page has no navigator.gpu (WebGPU needs a secure context and a browser that enables it)');
      }
      return { device: 'navigator.gpu (the adapter gpu.js requests)', release: done };
    case 'headlessgl':
      throw new BackendUnavailableError('headlessgl', "a Node mode (headless-gl); in a page use 'webgl2' or 'webgl'");
    case 'webasm':
      if (typeof page.WebAssembly?.Memory !== 'function') throw new BackendUnavailableError('webasm', 'this page has no WebAssembly');
      return { device: 'WebAssembly (f32x4 SIMD) on the CPU', release: done };
    case 'cpu':
      return { device: 'JavaScript on the CPU', release: done };
  }
}

/**
 * `auto` in a page: WebGL2 on a hardware renderer, then WebGL; else webasm (a software
 * renderer such as SwiftShader runs the same kernels slower than WebAssembly does), else cpu.
 * WebGPU is never picked here: whether `navigator.gpu` has an adapter is only known
 * asynchronously — ask for `'webgpu'` after checking `await navigator.gpu.requestAdapter()`.
 */
function chooseAuto(): { mode: GpujsMode; why: string } {
  const skipped: string[] = [];
  for (const kind of ['webgl2', 'webgl'] as const) {
    const gl = glContext(kind);
    if (gl === null) skipped.push(`${kind}: no context`);
    else if (SOFTWARE.test(renderer(gl))) skipped.push(`${kind}: only a software renderer (${renderer(gl)})`);
    else return { mode: kind, why: `hardware renderer: ${renderer(gl)}${skipped.length > 0 ? `; ${skipped.join('; ')}` : ''}` };
  }
  if (typeof page.WebAssembly?.Memory === 'function') return { mode: 'webasm', why: `no hardware WebGL here (${skipped.join('; ')})` };
  return { mode: 'cpu', why: `${skipped.join('; ')}; webasm: no WebAssembly` };
}

export const platform: GpujsPlatform = { name: 'browser', gpuModule, chooseAuto, open };
