import type { Backend, ProgramPlan } from '@graft/compiler';
import { AttrError } from '@graft/ir';
import { GpujsExecutable } from './executable.ts';
import type { GpuInstance, KernelRun } from './gpu.ts';
import { BackendUnavailableError, KERNEL_CLASS, MODES, PrecisionError, kernelClassName, type GpujsMode, type GpuModule, type RequestedMode } from './modes.ts';
import { platform } from '#platform';
import type { KernelSpec } from './codegen/index.ts';
import { Counters, ZERO, type TransferStats } from './counters.ts';
import { MAX_ELEMENTS } from './codegen/index.ts';

export interface GpujsOptions {
  /**
   * `'webgpu'` (WGSL compute shaders; in Node Dawn's Vulkan route on a GPU or its OpenGL ES
   * route over Mesa without one, in a page `navigator.gpu`), `'webgl2'` / `'webgl'` (a page),
   * `'headlessgl'` (Node: GLSL via headless-gl; needs an X server), `'webasm'` (WebAssembly
   * with SIMD), `'cpu'` (gpu.js's JavaScript mode), or `'auto'` (default): the best of them
   * available here, see `backend.choice`. gpu.js, and for `webgpu` / `headlessgl` in Node the
   * `webgpu` / `gl` packages, are optional dependencies: without them the mode throws
   * `BackendUnavailableError` naming the package to install.
   */
  readonly mode?: RequestedMode;
  /**
   * What to do with a float64 program: gpu.js computes in float32 only. `'refuse'` (default):
   * compiling one throws `PrecisionError`. `'compute-in-float32'`: run it in float32 and return
   * `Float64Array`s holding float32-rounded results (`program.stats().executor.precision` says so).
   */
  readonly float64?: 'refuse' | 'compute-in-float32';
}

export interface GpujsStats {
  /** The most recent run of any program on this backend. */
  readonly lastRun: TransferStats;
  /** Every run since the backend was created. */
  readonly total: TransferStats & { readonly runs: number };
  /** Distinct kernels in the cache (compiled once per step source and size). */
  readonly kernelsCached: number;
  /** Device handles alive now (resident constants included). */
  readonly liveHandles: number;
}

/** The gpu.js executor as a compiler backend, with what it chose and what it did. */
export interface GpujsBackend extends Backend {
  /** The mode that runs (never a silent substitute for the requested one). */
  readonly mode: GpujsMode;
  readonly requested: RequestedMode;
  /** Why this mode: for `auto`, the pick and why better modes were passed over. */
  readonly choice: string;
  /** The adapter or driver underneath (e.g. `llvmpipe … / OpenGL ES 3.2 Mesa 22.3.6`). */
  readonly device: string;
  /** The gpu.js kernel class every kernel must run on (`WebGPUKernel`, `HeadlessGLKernel`, …). */
  readonly kernelClass: string;
  /** The float64 policy (see `GpujsOptions.float64`). */
  readonly float64: 'refuse' | 'compute-in-float32';
  /** The kernel classes that actually ran (the class of every cached kernel's `kernel.kernel`, by gpu.js's export name). */
  kernelClasses(): ReadonlySet<string>;
  stats(): GpujsStats;
  /** Destroys every kernel and the gpu.js instance; for webgpu, removes `navigator.gpu` when the last backend goes. */
  dispose(): Promise<void>;
}

/** One compiled kernel: the gpu.js run shortcut and whether its build has been counted. */
export interface CachedKernel {
  readonly run: KernelRun;
  readonly spec: KernelSpec;
  /** The kernel instance gpu.js last ran (a different one means it rebuilt or fell back). */
  seen: unknown;
}

/**
 * The gpu.js executor. Construction decides the mode and fails, naming the mode, the reason
 * and the fix, when that mode cannot run here — it never falls back silently.
 */
export function gpujs(options: GpujsOptions = {}): GpujsBackend {
  return new GpujsBackendImpl(options);
}

class GpujsBackendImpl implements GpujsBackend {
  readonly name: string;
  /** 2²⁴: kernels index in float32, whose integers are exact up to 2²⁴. */
  readonly maxElements = MAX_ELEMENTS;
  readonly mode: GpujsMode;
  readonly requested: RequestedMode;
  readonly choice: string;
  readonly device: string;
  readonly kernelClass: string;
  readonly float64: 'refuse' | 'compute-in-float32';
  readonly gpu: GpuInstance;
  readonly #kernels = new Map<string, CachedKernel>();
  readonly #executables = new Set<GpujsExecutable>();
  readonly #total = new Counters();
  #runs = 0;
  #last: TransferStats = ZERO;
  readonly #release: () => Promise<void>;
  readonly #module: GpuModule;
  #disposed = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: GpujsOptions) {
    if (options === null || typeof options !== 'object') throw new AttrError('gpujs', 'options must be an object', { options });
    const requested = options.mode ?? 'auto';
    if (requested !== 'auto' && !MODES.includes(requested)) {
      throw new AttrError('gpujs', `mode must be one of 'auto', ${MODES.map((m) => `'${m}'`).join(', ')}`, { mode: requested });
    }
    const float64 = options.float64 ?? 'refuse';
    if (float64 !== 'refuse' && float64 !== 'compute-in-float32') {
      throw new AttrError('gpujs', "float64 must be 'refuse' or 'compute-in-float32'", { float64 });
    }
    this.float64 = float64;
    this.requested = requested;
    let mode: GpujsMode;
    let choice: string;
    if (requested === 'auto') ({ mode, why: choice } = platform.chooseAuto());
    else [mode, choice] = [requested, 'requested'];
    this.mode = mode;
    this.choice = choice;
    this.kernelClass = KERNEL_CLASS[mode];
    this.name = `gpujs(${mode})`;
    const gpu = platform.gpuModule(mode);
    this.#module = gpu;
    const opened = platform.open(mode, gpu);
    this.device = opened.device;
    this.#release = opened.release;
    try {
      this.gpu = new gpu.GPU({ mode });
    } catch (e) {
      void this.#release();
      throw new BackendUnavailableError(mode, `gpu.js refused it: ${(e as Error).message}`);
    }
  }

  prepare(plan: ProgramPlan): GpujsExecutable {
    if (this.#disposed) throw new BackendUnavailableError(this.mode, 'this backend has been disposed');
    const wide = plan.buffers.filter((b) => b.dtype === 'float64');
    if (wide.length > 0 && this.float64 === 'refuse') {
      throw new PrecisionError(
        this.name,
        "float64 programs must be allowed to compute in float32 (gpu.js has no float64 arithmetic): pass gpujs({ float64: 'compute-in-float32' }), or compile float64 on cpu()",
        { float64Buffers: wide.length, first: String(wide[0]!.node) },
      );
    }
    const executable = new GpujsExecutable(plan, this);
    this.#executables.add(executable);
    return executable;
  }

  /** The cached kernel for a spec, created on first request (gpu.js builds it on its first call). */
  kernel(spec: KernelSpec): CachedKernel {
    const key = `${spec.size}|${spec.args}|${spec.source}`;
    let k = this.#kernels.get(key);
    if (k === undefined) {
      const run = this.gpu.createKernel(spec.source, {
        output: [spec.size],
        pipeline: true,
        immutable: true,
        precision: 'single',
        tactic: 'precision',
        dynamicOutput: false,
        dynamicArguments: false,
      });
      k = { run, spec, seen: undefined };
      this.#kernels.set(key, k);
    }
    return k;
  }

  /** Records a finished run's counters. */
  record(run: Counters): void {
    this.#last = run.snapshot();
    this.#runs++;
    for (const key of Object.keys(ZERO) as (keyof TransferStats)[]) this.#total[key] += run[key];
  }

  serialize<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(task);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  forget(executable: GpujsExecutable): void {
    this.#executables.delete(executable);
  }

  kernelClasses(): ReadonlySet<string> {
    return new Set([...this.#kernels.values()].filter((k) => k.seen !== undefined).map((k) => this.classOf(k.run.kernel)));
  }

  /** The gpu.js class name of a kernel instance (by identity: it survives minification). */
  classOf(kernel: { readonly constructor: { readonly name: string } }): string {
    return kernelClassName(this.#module, kernel);
  }

  stats(): GpujsStats {
    let live = 0;
    for (const e of this.#executables) live += e.liveHandles();
    return { lastRun: this.#last, total: { ...this.#total.snapshot(), runs: this.#runs }, kernelsCached: this.#kernels.size, liveHandles: live };
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const e of this.#executables) e.dispose();
    this.#executables.clear();
    this.#kernels.clear();
    await this.gpu.destroy();
    await this.#release();
  }
}


