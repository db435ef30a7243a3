/**
 * The gpu.js modes graft runs on, the kernel class each must run on, and what a platform
 * (`#platform`: Node or a browser page) provides to open them. Every "no" is a
 * `BackendUnavailableError` with the reason and the fix.
 */
import { GraftError } from '@graft/ir';
import type { GpuInstance } from './gpu.ts';

/**
 * The gpu.js backends graft runs on: `webgpu` (Node: dawn.node; a page: `navigator.gpu`),
 * `webgl2` and `webgl` (a page), `headlessgl` (Node: headless-gl), `webasm` and `cpu`
 * (anywhere).
 */
export type GpujsMode = 'webgpu' | 'webgl2' | 'webgl' | 'headlessgl' | 'webasm' | 'cpu';
/** A mode, or `'auto'`: the best one available here (see each platform's `chooseAuto`). */
export type RequestedMode = GpujsMode | 'auto';

export const MODES: readonly GpujsMode[] = ['webgpu', 'webgl2', 'webgl', 'headlessgl', 'webasm', 'cpu'];

/** The gpu.js kernel class each mode must run on (`kernel.kernel.constructor.name`). */
export const KERNEL_CLASS: { readonly [M in GpujsMode]: string } = {
  webgpu: 'WebGPUKernel',
  webgl2: 'WebGL2Kernel',
  webgl: 'WebGLKernel',
  headlessgl: 'HeadlessGLKernel',
  webasm: 'WebAssemblyKernel',
  cpu: 'CPUKernel',
};

/** A requested gpu.js mode that cannot run here; the message says why and what to do. */
export class BackendUnavailableError extends GraftError {
  constructor(
    readonly mode: string,
    reason: string,
    /** The npm package to install, when a missing one is the reason. */
    readonly missingPackage?: string,
  ) {
    super(`gpujs`, `mode '${mode}' is not available: ${reason}`, missingPackage === undefined ? { mode } : { mode, package: missingPackage });
  }
}

/**
 * A float64 program on a backend that computes in float32 without being told it may: gpu.js has
 * no float64 arithmetic, and silently rounding would return float64 arrays holding float32 values.
 */
export class PrecisionError extends GraftError {}

/** gpu.js's module, as far as the executor uses it: `GPU`, and the kernel classes by name. */
export interface GpuModule {
  readonly GPU: (new (settings: { mode: string }) => GpuInstance) & {
    readonly isHeadlessGLSupported: boolean;
  };
  readonly [kernelClass: string]: unknown;
}

/**
 * The name gpu.js exports a kernel's class under (`WebGL2Kernel`, …): found by identity, so that
 * it survives minification (a bundle's class names are mangled); else the constructor's name.
 */
export function kernelClassName(gpu: GpuModule, kernel: { readonly constructor: { readonly name: string } }): string {
  for (const name of Object.values(KERNEL_CLASS)) if (gpu[name] === kernel.constructor) return name;
  return kernel.constructor.name;
}

/** A mode opened on this platform: the device underneath, and what to undo when done. */
export interface OpenedMode {
  /** The adapter or driver (e.g. `llvmpipe … / OpenGL ES 3.2 Mesa 22.3.6`, a WebGL renderer). */
  readonly device: string;
  /** Releases what opening took (e.g. the `navigator.gpu` Node was given). */
  release(): Promise<void>;
}

/** What the gpu.js executor needs from Node or a browser page. */
export interface GpujsPlatform {
  readonly name: 'node' | 'browser';
  /** gpu.js itself (an optional peer dependency); throws `BackendUnavailableError` naming it when absent. */
  gpuModule(mode: string): GpuModule;
  /** `auto`: the best mode available here, and why better ones were passed over. */
  chooseAuto(): { mode: GpujsMode; why: string };
  /** Checks that `mode` can run here and sets up what it needs. */
  open(mode: GpujsMode, gpu: GpuModule): OpenedMode;
}
